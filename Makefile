# The two set-up commands of the README, plus the pieces they are made of.
# `make demo`: install, build, run the main job on the built-in synthetic dataset.
# `make test`: install, build, run the whole test suite.
BUILD ?= build
JOBS ?= $(shell nproc)
DEMO_OUT ?= demo-out

.PHONY: deps configure build demo test test-sanitize bench clean format

deps:
	@bash scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

demo: build
	@bash scripts/demo.sh $(BUILD)/bin/wisenet $(DEMO_OUT)

test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

# AddressSanitizer + UndefinedBehaviorSanitizer build (build-sanitize) running the bad-input
# matrix and the core and data tests. Slow to build (the whole tool, with libtorch headers).
SANITIZE_BUILD ?= build-sanitize
test-sanitize: deps
	@cmake -S . -B $(SANITIZE_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DWISENET_BUILD_BENCH=OFF \
	  -DCMAKE_CXX_FLAGS="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer" \
	  -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" >/dev/null
	@cmake --build $(SANITIZE_BUILD) -j $(JOBS) --target wisenet_cli test_bad_input test_core test_data
	@cd $(SANITIZE_BUILD) && ASAN_OPTIONS=detect_leaks=0:alloc_dealloc_mismatch=0 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 OMP_WAIT_POLICY=PASSIVE \
	  ctest --output-on-failure -j $(JOBS) -L '^(bad_input|core|data)$$' -E KillResume

bench: build
	@bash scripts/bench.sh $(BUILD)

format:
	@clang-format -i $$(git ls-files '*.cpp' '*.h')

clean:
	@rm -rf $(BUILD) $(DEMO_OUT)
