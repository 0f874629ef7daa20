#!/usr/bin/env bash
# Installs every Debian package that wisenet's build, tests and benchmarks need.
# Idempotent: when everything is already installed it only runs dpkg-query and exits.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git ccache
  libtorch-dev libgloo-dev
  libopencv-dev libopencv-contrib-dev
  libopenblas0-pthread
  nlohmann-json3-dev libcli11-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libcpp-httplib-dev libtinyxml2-dev
  libonnx-dev
  clang libclang-rt-14-dev  # scripts/fuzz.sh: libFuzzer, ASan, UBSan
  python3 python3-numpy python3-torch python3-torchvision
  nodejs chromium chromium-driver  # tests/web: the annotation page in headless Chromium
)
# npm comes with some nodejs builds (NodeSource); Debian's own is a separate package.
if ! command -v npm >/dev/null 2>&1; then packages+=(npm); fi

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  if [[ "$status" != "install ok installed" ]]; then
    missing+=("$p")
  fi
done

# tests/web drives Chromium with playwright-core from npm, installed beside the test
# (tests/web/node_modules, git-ignored); the browser itself is Debian's.
install_web_test_deps() {
  local web_dir
  web_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/tests/web"
  if [[ ! -d "$web_dir/node_modules/playwright-core" ]]; then
    echo "install-deps: npm install playwright-core in $web_dir" >&2
    (cd "$web_dir" && npm install --no-audit --no-fund --loglevel=error)
  fi
}

if [[ ${#missing[@]} -eq 0 ]]; then
  install_web_test_deps
  exit 0
fi

echo "install-deps: installing ${missing[*]}" >&2
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
install_web_test_deps
