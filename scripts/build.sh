#!/usr/bin/env bash
# Configures and builds ltx2.cpp into build/ (programs land in build/bin/).
# Extra arguments go to the CMake configure step, e.g. -DLTX2_SANITIZE=ON; BUILD_TARGETS (a
# space-separated list) builds only those targets and what they depend on.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR="${BUILD_DIR:-build}"
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}" "$@"
# shellcheck disable=SC2086  # BUILD_TARGETS is a list
cmake --build "$BUILD_DIR" ${BUILD_TARGETS:+--target $BUILD_TARGETS}
