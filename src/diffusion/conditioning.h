#pragma once
// Latent conditioning of a patchified video state (ltx_core.conditioning.types): image
// conditioning by latent-frame replacement (image-to-video), keyframes and IC-LoRA reference
// videos appended as extra tokens, and the pipelines' create_noised_state. Every item maps a
// LatentState to a new one (the input is never modified); appended tokens always go after the
// existing ones, so VideoLatentTools::clear_conditioning drops them again.
// The denoise mask of conditioned tokens is float32(1 − strength): 1 = fully denoised, 0 = kept clean.
#include <variant>
#include <vector>

#include "core/tensor.h"
#include "diffusion/noiser.h"
#include "diffusion/patchifiers.h"
#include "core/torch_rng.h"

namespace ltx2 {

// VideoConditionByLatentIndex: the tokens of latent frames [latent_idx, latent_idx + F_cond) are
// overwritten in `latent` and `clean_latent` by the patchified conditioning latent
// [B, C, F_cond, H, W] (batch, channels, height and width must match the tools' target); their
// mask becomes 1 − strength; positions unchanged, no tokens added.
struct VideoConditionByLatentIndex {
    Tensor latent;
    double strength = 1.0;
    int64_t latent_idx = 0;
    // LTX-2.3 (ModelSemantics::latent_index_keeps_noisy_latent): only the clean latent and the
    // denoise mask change; the noiser's mask blend does the rest. 19B also overwrites the latent.
    bool keeps_noisy_latent = false;
    LatentState apply_to(const LatentState& state, const VideoLatentTools& tools) const;
};

// VideoConditionByKeyframeIndex: the patchified keyframe latent [B, C, F_kf, H_kf, W_kf] is
// appended; its positions are the keyframe's own pixel coordinates (causal fix only when
// frame_idx == 0), + frame_idx pixel frames on the time axis, time ÷ fps. frame_idx must lie
// within the target video's pixel frames.
struct VideoConditionByKeyframeIndex {
    Tensor keyframes;
    int64_t frame_idx = 0;
    double strength = 1.0;
    LatentState apply_to(const LatentState& state, const VideoLatentTools& tools) const;
};

// VideoConditionByReferenceLatent (IC-LoRA): the reference latent's tokens are appended with the
// positions of its own grid (tools' causal fix, time ÷ fps), the y and x bounds × downscale_factor.
struct VideoConditionByReferenceLatent {
    Tensor latent;
    int64_t downscale_factor = 1;
    double strength = 1.0;
    LatentState apply_to(const LatentState& state, const VideoLatentTools& tools) const;
};

// TemporalRegionMask (retake): the denoise mask becomes 1 on the tokens whose time span [t0, t1)
// overlaps [start_time, end_time) and 0 on the others, so only that window is regenerated. The
// spans are the time axis of the state's positions (video: pixel frames with the causal fix ÷ fps;
// audio: seconds), compared in float32 as the reference compares them; video and audio alike.
struct TemporalRegionMask {
    double start_time = 0, end_time = 0;
    LatentState apply_to(const LatentState& state) const;
    LatentState apply_to(const LatentState& state, const VideoLatentTools&) const { return apply_to(state); }
};

using VideoConditioning = std::variant<VideoConditionByLatentIndex, VideoConditionByKeyframeIndex,
                                       VideoConditionByReferenceLatent, TemporalRegionMask>;

LatentState apply_conditioning(const LatentState& state, const VideoConditioning& item, const VideoLatentTools& tools);
// helpers.state_with_conditionings: each item in order.
LatentState state_with_conditionings(LatentState state, const std::vector<VideoConditioning>& items,
                                     const VideoLatentTools& tools);

// helpers.create_noised_state with a GaussianNoiser: initial state (initial latent or zeros) →
// conditionings → one torch.randn over every token (appended ones included) from `generator` →
// the blend (noiser.h). `noise` (optional) receives the draw.
LatentState create_noised_state(const VideoLatentTools& tools, const std::vector<VideoConditioning>& items,
                                TorchGenerator& generator, double noise_scale = 1.0,
                                const std::optional<Tensor>& initial_latent = std::nullopt, Tensor* noise = nullptr,
                                NoiseBlend blend = NoiseBlend::MaskTimesScale);

}  // namespace ltx2
