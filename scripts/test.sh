#!/usr/bin/env bash
# Builds and runs the whole test suite (unit tests + golden parity of every fixture).
# With --sanitize, builds into build-asan/ with AddressSanitizer + UBSan.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
if [ "${1:-}" = "--sanitize" ]; then
  export BUILD_DIR=build-asan BUILD_TYPE=RelWithDebInfo
  scripts/build.sh -DLTX2_SANITIZE=ON -DLTX2_BUILD_BENCH=OFF
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
else
  scripts/build.sh
fi
ctest --test-dir "${BUILD_DIR:-build}" --output-on-failure -j2
