# The two set-up commands of the README, plus the pieces they are made of.
# `make demo`: install, build, run the main job on the built-in synthetic dataset.
# `make test`: install, build, run the whole test suite.
BUILD ?= build
JOBS ?= $(shell nproc)
DEMO_OUT ?= demo-out

.PHONY: deps configure build demo test bench clean format

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

bench: build
	@bash scripts/bench.sh $(BUILD)

format:
	@clang-format -i $$(git ls-files '*.cpp' '*.h')

clean:
	@rm -rf $(BUILD) $(DEMO_OUT)
