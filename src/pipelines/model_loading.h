#pragma once
// Loading the models a pipeline asks for: the transformer of a stage (checkpoint + fused
// LoRAs) and the latent upsampler, at a compute precision.
//   Precision::BF16 — the checkpoint's tensors used in place (zero-copy mmap); LoRA-fused
//                     weights are the only copies.
//   Precision::F32  — every BF16 weight widened to an F32 copy (exact), so the model computes
//                     in float32 as the golden fixtures do. LoRAs are still fused in the
//                     checkpoint's dtype first, as the reference pipelines fuse in bfloat16.
#include <memory>
#include <string>
#include <vector>

#include "core/precision.h"
#include "models/audio_vae/model.h"
#include "models/transformer/model.h"
#include "models/upsampler/model.h"
#include "pipelines/model_cache.h"
#include "pipelines/model_files.h"
#include "pipelines/pipeline_io.h"

namespace ltx2 {

// The transformer with the LoRAs fused in order, from the official single file
// (`model.diffusion_model.` keys) or a transformer file beside it or instead of it
// (LtxFilePaths::transformer: a GGUF from ltx2-quantize, ComfyUI-GGUF / community quantizations
// (arch "ltxv", no prefix) or stable-diffusion.cpp, or an fp8/bf16 safetensors), configured as
// LtxModelFiles says. Errors name the model or LoRA file (missing, no matching module, shape
// mismatch, strength not finite). weight_budget_bytes > 0: the blocks are streamed when they do
// not fit it (see TransformerLoadOptions).
std::shared_ptr<const LTXModel> load_transformer(const LtxFilePaths& files, const std::vector<LoraSpec>& loras,
                                                 Precision precision, size_t weight_budget_bytes = 0);
inline std::shared_ptr<const LTXModel> load_transformer(const std::string& checkpoint,
                                                        const std::vector<LoraSpec>& loras, Precision precision) {
    return load_transformer(LtxFilePaths{checkpoint}, loras, precision);
}

// A provider that loads the transformer for every request, or takes it from `cache` (without
// one, a released model is freed).
TransformerProvider checkpoint_transformer_provider(LtxFilePaths files, Precision precision,
                                                    size_t weight_budget_bytes = 0, ModelCache* cache = nullptr);

// The part of a ModelCache key that names LTX model files: each file's identity.
std::string ltx_files_key(const LtxFilePaths& files);

// A model of the LTX files that loads as stored (the VAEs, the vocoder), from `cache` when it holds
// it (key: `name` and the files); `prefix`: its tensors in the part's store.
template <class T, class Load>
std::shared_ptr<const T> load_ltx_model_through(ModelCache* cache, const LtxModelFiles& ltx, const LtxFilePaths& paths,
                                                const char* name, LtxPart part, const char* prefix, Load load) {
    return load_through<T>(
        cache, name + std::string("|") + ltx_files_key(paths), [&] { return held_bytes_estimate(ltx.open(part), prefix); },
        [&] { return std::make_shared<const T>(load(ltx.open(part))); });
}

LatentUpsampler load_upsampler(const std::string& path, Precision precision);

// The audio VAE encoder from the audio VAE store (LtxPart::AudioVae: `encoder.*` and the latent
// statistics); Precision::F32 widens its BF16 weights.
AudioEncoder load_audio_encoder(WeightStore audio_vae, Precision precision);

// The factor of a spatial upsampler file, from its config alone (no weights are read). Throws
// naming --spatial-upsampler and the file for a temporal upsampler or one that does not enlarge.
SpatialUpscale spatial_upsampler_scale(const std::string& path);

// upsample_video with the upsampler loaded from `path` for each call and freed after it, or
// taken from `cache`; mean_of_means / std_of_means: the video VAE's per-channel statistics [128].
UpsampleFn file_upsampler(std::string path, Tensor mean_of_means, Tensor std_of_means, Precision precision,
                          ModelCache* cache = nullptr);

}  // namespace ltx2
