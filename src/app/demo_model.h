#pragma once
// The built-in demo model: tiny random-weight checkpoints in the official layouts (an LTX-2
// single-file checkpoint, the spatial upsampler, a distilled LoRA and a Gemma 3 folder with
// a tokenizer.json), written on first use so `ltx2 --demo` runs every stage of a real
// generation on any machine in seconds. Same version → byte-identical files.
#include <string>

namespace ltx2 {

// Bumped whenever the demo's configuration or weight recipe changes.
inline constexpr int kDemoModelVersion = 1;

// The folder the demo lives in: $LTX2_DEMO_DIR, else $XDG_CACHE_HOME/ltx2/demo-vN, else
// ~/.cache/ltx2/demo-vN.
std::string default_demo_model_dir();

// Writes the demo model into `dir` (created if needed) unless a complete one is there;
// returns `dir`. The files carry the official names (ltx-2-19b-distilled.safetensors, ...,
// gemma-3-12b-it/), so the folder works as a model directory. Written atomically: a
// crash never leaves a half-written demo that later runs would trust.
std::string ensure_demo_model(const std::string& dir);

}  // namespace ltx2
