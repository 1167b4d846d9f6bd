#!/usr/bin/env bash
# One command from a fresh Debian machine: install dependencies, build, and generate a video.
# With the real LTX-2 + Gemma 3 files (Hugging Face cache, or LTX2_MODEL_DIR=/path) it generates
# with them; otherwise with the built-in tiny demo model (random weights: the result is noise,
# but every stage of a real generation runs).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
echo
build/bin/ltx2 --version
PROMPT="${LTX2_PROMPT:-A golden retriever runs across a sunlit meadow, slow motion, birds singing.}"
OUT="${LTX2_OUTPUT:-ltx2-output.mp4}"
MODEL_ARGS=()
if [ -n "${LTX2_MODEL_DIR:-}" ]; then MODEL_ARGS=(--model-dir "$LTX2_MODEL_DIR"); fi
if build/bin/ltx2 locate "${MODEL_ARGS[@]}" >/dev/null 2>&1; then
  echo "Generating with the LTX-2 weights found (ltx2 locate lists them): 768x512, 49 frames -> $OUT"
  build/bin/ltx2 "${MODEL_ARGS[@]}" -p "$PROMPT" --width 768 --height 512 --frames 49 -o "$OUT"
else
  echo "No LTX-2 weights found (see README: getting the weights); generating with the built-in demo model -> $OUT"
  build/bin/ltx2 --demo -p "$PROMPT" --frames 49 -o "$OUT"
fi
