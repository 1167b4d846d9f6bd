#!/usr/bin/env bash
# Builds and runs the whole test suite (unit tests + golden parity of every fixture).
#   --sanitize      builds into build-asan/ with AddressSanitizer + UBSan (no benchmarks) and runs there
#   --label NAME    runs only the tests labelled NAME and not `slow` (ctest -L NAME -LE slow);
#                   `sanitize` is the subset .ci/run checks under the sanitizers (the unit tests
#                   but the slow ones, the fuzzers, a few parity fixtures: tests/CMakeLists.txt),
#                   and then only the programs those tests run are built
set -euo pipefail
cd "$(dirname "$0")/.."
sanitize=0
label=""
while [ $# -gt 0 ]; do
  case "$1" in
    --sanitize) sanitize=1 ;;
    --label) label="${2:?--label needs a name}"; shift ;;
    *) echo "scripts/test.sh: unknown option '$1' (expected --sanitize, --label NAME)" >&2; exit 2 ;;
  esac
  shift
done
scripts/install-deps.sh
if [ "$label" = sanitize ]; then
  export BUILD_TARGETS="ltx2-tests ltx2-fuzz"  # ltx2-tests brings ltx2, ltx2-parity and ltx2-quantize
fi
if [ "$sanitize" = 1 ]; then
  export BUILD_DIR=build-asan BUILD_TYPE=RelWithDebInfo
  export CCACHE_NOHASHDIR=1  # -g objects are cached whatever the checkout's folder, so CI's next run reuses them
  scripts/build.sh -DLTX2_SANITIZE=ON -DLTX2_BUILD_BENCH=OFF
  export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
else
  scripts/build.sh
fi
ctest --test-dir "${BUILD_DIR:-build}" --output-on-failure -j2 ${label:+-L "^${label}\$" -LE "^slow\$"}
