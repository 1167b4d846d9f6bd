#!/usr/bin/env bash
# Configures and builds ltx2.cpp into build/ (programs land in build/bin/).
# Extra arguments go to the CMake configure step, e.g. -DLTX2_SANITIZE=ON.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR="${BUILD_DIR:-build}"
cmake -S . -B "$BUILD_DIR" -G Ninja -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-Release}" "$@"
cmake --build "$BUILD_DIR"
