#pragma once
// The built-in demo model: tiny random-weight checkpoints in the official layouts (an LTX-2
// single-file checkpoint, the spatial upsampler, a distilled LoRA, an IC-LoRA and a Gemma 3
// folder with a tokenizer.json), written on first use so `ltx2 --demo` runs every stage of a real
// generation on any machine in seconds. Same version → byte-identical files.
#include <string>

namespace ltx2 {

// Bumped whenever the demo's configuration, files or weight recipe change; a demo folder of
// another version is rewritten (2: the IC-LoRA).
inline constexpr int kDemoModelVersion = 2;

// Which release the demo model imitates: LTX-2 (19B layout, the default) or LTX-2.3 (2.3 layout,
// `model_version` 2.3.0, the 2.3 file names).
enum class DemoRelease { Ltx2, Ltx23 };
// "19b" (or empty) / "2.3"; throws naming --demo otherwise.
DemoRelease parse_demo_release(const std::string& name);

// The folder the demo lives in: $LTX2_DEMO_DIR (LTX-2.3: $LTX2_DEMO_DIR-2.3), else $XDG_CACHE_HOME/ltx2/demo-vN, else
// ~/.cache/ltx2/demo-vN (demo23-vN for LTX-2.3).
std::string default_demo_model_dir(DemoRelease release = DemoRelease::Ltx2);

// The demo's IC-LoRA file name inside its folder (ltx-2-19b-ic-lora-demo.safetensors, for 2.3
// ltx-2.3-22b-ic-lora-demo.safetensors): rank-2 LoRA on the video stream's attention and
// feed-forward layers, metadata reference_downscale_factor 1.
std::string demo_ic_lora_file(DemoRelease release = DemoRelease::Ltx2);

// Writes the demo model into `dir` (created if needed) unless a complete one of this version is there;
// returns `dir`. The files carry the official names (ltx-2-19b-distilled.safetensors, ...,
// gemma-3-12b-it/), so the folder works as a model directory. Written atomically: a
// crash never leaves a half-written demo that later runs would trust.
std::string ensure_demo_model(const std::string& dir, DemoRelease release = DemoRelease::Ltx2);

// Every file of the demo model in `dir`, one line each with its size (demo_model_listing.cpp).
std::string describe_demo_model(const std::string& dir);

}  // namespace ltx2
