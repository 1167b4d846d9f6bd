#include "app/weights_guide.h"

#include <fmt/format.h>

#include "app/model_locator.h"

namespace ltx2::app {

namespace {

// Download sizes, rounded (decimal GB). The bf16 checkpoints hold the transformer (18.9 B
// parameters for LTX-2, about 22 B for LTX-2.3), text projection, VAEs and vocoder; fp8 keeps
// the transformer's linear weights at one byte each. GGUF sizes follow from bits per weight
// (Q8_0 8.5, Q4_K_M about 4.8) over the transformer alone.
struct Download {
    const char* repo;
    const char* files;
    const char* size;
};

}  // namespace

std::string missing_weights_guide() {
    const Download ltx23 = {kLtx23Repo, "ltx-2.3-22b-distilled-1.1.safetensors ltx-2.3-spatial-upscaler-x2-1.1.safetensors",
                            "~46 GB + ~1 GB"};
    const Download ltx2 = {kLtxRepo, "ltx-2-19b-distilled.safetensors ltx-2-spatial-upscaler-x2-1.0.safetensors",
                           "~43 GB + ~1 GB"};
    const Download gemma = {kGemmaRepo, "", "~24 GB; gated: accept its license on the Hub and set HF_TOKEN"};
    const Download ltx23_fp8 = {kLtx23Fp8Repo, "ltx-2.3-22b-distilled-fp8.safetensors", "~29 GB"};
    const Download ltx2_fp8 = {kLtxRepo, "ltx-2-19b-distilled-fp8.safetensors", "~27 GB"};
    auto command = [](const Download& d) {
        return fmt::format("ltx2 download {}{}{}   ({})", d.repo, *d.files ? " " : "", d.files, d.size);
    };
    return fmt::format(
        "No weights yet? (all sizes approximate)\n"
        "  - try every pipeline now, no download: the built-in tiny demo model (random weights, seconds):\n"
        "      ltx2 --demo -p \"a cat playing the piano\" -o demo.mp4      (--demo 2.3: the LTX-2.3 layout)\n"
        "  - the official files (bf16), into the Hugging Face cache where ltx2 finds them by itself:\n"
        "      {}\n"
        "      or LTX-2 (19B): {}\n"
        "      {}\n"
        "      the guided pipelines also need the dev checkpoint (same size) and the distilled LoRA (~8 GB)\n"
        "  - less memory and disk:\n"
        "      fp8 checkpoint:   {}\n"
        "                    or: {}\n"
        "      GGUF transformer: --transformer FILE.gguf (Q8_0 ~20-23 GB, Q4_K_M ~11-13 GB: unsloth/LTX-2.3-GGUF,\n"
        "                        QuantStack/LTX-2.3-GGUF, or ltx2-quantize) next to a checkpoint for the VAEs\n"
        "      GGUF Gemma:       --gemma gemma-3-12b-it-Q4_K_M.gguf (~7 GB, a llama.cpp GGUF)\n"
        "      and --memory-budget GIB streams the transformer from disk when it does not fit\n"
        "  - files elsewhere: --model-dir DIR (or {}=DIR), or one by one (--checkpoint, --gemma, ...)\n",
        command(ltx23), command(ltx2), command(gemma), command(ltx23_fp8), command(ltx2_fp8), kModelDirEnv);
}

}  // namespace ltx2::app
