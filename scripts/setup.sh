#!/usr/bin/env bash
# One command from a fresh Debian machine: install dependencies, build, and run the engine.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
echo
build/bin/ltx2 --version
echo "Built: build/bin/ltx2, build/bin/ltx2-parity and the benchmarks in build/bin/."
echo "Golden parity check of the LTX-2 transformer:"
build/bin/ltx2-parity tests/golden/transformer/av_tiny.io.safetensors
