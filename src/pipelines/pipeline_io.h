#pragma once
// What the denoising pipelines take from the rest of the program, as interfaces: the text
// contexts, the video/image encoder, the transformer for a stage, the latent upsampler; and
// what they hand back to it while running (progress, debug taps).
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "models/transformer/model.h"
#include "pipelines/generation_params.h"

namespace ltx2 {

// The prompt encodings (Gemma + connectors), [1, L, caption_channels] each. The negative ones
// are needed only by guided stages with a CFG scale other than 1.
struct TextContexts {
    Tensor video_positive, audio_positive;
    Tensor video_negative, audio_negative;
};

enum class MediaKind { Image, Video };
const char* media_kind_name(MediaKind kind);

// One encode the pipeline asks for: load the media resized (and cropped) to height × width
// pixels — a video capped at frame_cap frames — and run the video VAE encoder on it.
struct EncodeRequest {
    std::string path;
    MediaKind kind = MediaKind::Image;
    int64_t height = 0, width = 0;
    std::optional<int64_t> frame_cap;  // videos only
};
// → latent [1, 128, F, height/32, width/32] (F = 1 for an image).
using VideoEncoderFn = std::function<Tensor(const EncodeRequest&)>;

// Which transformer a stage runs: the checkpoint with these LoRAs fused (in order).
struct TransformerRequest {
    std::string stage;
    std::vector<LoraSpec> loras;
};
// The pipeline keeps the returned model only while stages need it and drops its reference
// before asking for a different one, so a provider that keeps no reference of its own never
// has two transformers resident.
using TransformerProvider = std::function<std::shared_ptr<const LTXModel>(const TransformerRequest&)>;

// upsample_video: normalised stage-1 video latent [1, 128, F, h, w] → [1, 128, F, 2h, 2w].
using UpsampleFn = std::function<Tensor(const Tensor& video_latent)>;

struct PipelineInputs {
    TextContexts text;
    VideoEncoderFn encode;  // needed when the generation has images or reference videos
    TransformerProvider transformer;
    UpsampleFn upsample;  // needed by pipelines that upsample
    Tensor frozen_audio;  // stages with audio_frozen (A2V): the encoded input audio [1, 8, T, 16]
    // Retake: the source clip's latents the first stage starts from, [1, 128, F, H/32, W/32] and
    // [1, 8, T, 16]; source_audio stays undefined for a clip without audio (generated whole).
    Tensor source_video, source_audio;
};

// Called with step 0 when a stage starts and with the number of finished steps after each step.
using ProgressFn = std::function<void(const std::string& stage, int step, int steps)>;
// Intermediate tensors by name, for parity checks:
//   STAGE.video_noise / STAGE.audio_noise           the noise draws (patchified, appended tokens included)
//   STAGE.video_initial_latent                      the noised latent the first step starts from
//   STAGE.step0.video_latent_in / .audio_latent_in  the initial (noised, conditioned) state
//   STAGE.stepI.video_latent / .audio_latent        the latent after step I
//   STAGE.stepI.video_denoised / .audio_denoised    the post-processed prediction of step I
//   STAGE.stepI.branch_B.video_denoised / ...       guided stages: the raw X0 outputs of branch B
//                                                   (positive, negative, perturbed, isolated_modality)
using PipelineTap = std::function<void(const std::string& name, const Tensor& value)>;

struct PipelineHooks {
    ProgressFn progress;
    PipelineTap tap;
    // Compute the text cross-attention K/V once per stage and prompt instead of in every call:
    // bit-for-bit the same result, about 7 % less work, but 2.4 GB held per prompt for the 19B
    // model (docs/PERFORMANCE.md). Off where memory is short.
    bool cache_text = true;
};

}  // namespace ltx2
