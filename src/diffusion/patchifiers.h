#pragma once
// Token layout and positions (ltx_core.components.patchifiers and ltx_core.tools): video
// latents [B, C, F, H, W] ↔ tokens [B, F·H·W/p², C·p²]; audio latents [B, C, T, mel] ↔
// tokens [B, T, C·mel]; per-token grid bounds and the positions the transformer's RoPE uses.
#include <array>
#include <optional>

#include "core/tensor.h"

namespace ltx2 {

struct VideoLatentShape {
    int64_t batch = 1, channels = 128, frames = 1, height = 1, width = 1;
    static VideoLatentShape from_shape(const Shape& s);  // [B, C, F, H, W]
    Shape shape() const { return {batch, channels, frames, height, width}; }
    VideoLatentShape mask_shape() const { return {batch, 1, frames, height, width}; }
};

struct AudioLatentShape {
    int64_t batch = 1, channels = 8, frames = 1, mel_bins = 16;
    static AudioLatentShape from_shape(const Shape& s);  // [B, C, T, mel]
    Shape shape() const { return {batch, channels, frames, mel_bins}; }
    AudioLatentShape mask_shape() const { return {batch, 1, frames, 1}; }
};

// VAE downsampling per axis (time, height, width).
using ScaleFactors = std::array<int64_t, 3>;
constexpr ScaleFactors kVideoScaleFactors = {8, 32, 32};

// VideoLatentShape.from_pixel_shape: frames (F − 1)/8 + 1, height H/32, width W/32.
VideoLatentShape video_latent_shape_from_pixels(int64_t batch, int64_t frames, int64_t height, int64_t width,
                                                int64_t channels = 128,
                                                const ScaleFactors& scale = kVideoScaleFactors);
// AudioLatentShape.from_video_pixel_shape: round(frames / fps · 25) latent frames (25 =
// 16000 Hz / hop 160 / downsample 4; Python rounding, half to even).
AudioLatentShape audio_latent_shape_from_video(int64_t batch, int64_t frames, double fps, int64_t channels = 8,
                                               int64_t mel_bins = 16, int sample_rate = 16000, int hop_length = 160,
                                               int latent_downsample = 4);

class VideoLatentPatchifier {
public:
    explicit VideoLatentPatchifier(int patch_size);  // spatial patch; the temporal patch is 1
    int patch_size() const { return p_; }
    int64_t token_count(const VideoLatentShape& s) const;
    // [B, C, F, H, W] -> [B, F·(H/p)·(W/p), C·p·p]: tokens frame-major (f, h, w), features (c, ph, pw).
    Tensor patchify(const Tensor& latent) const;
    Tensor unpatchify(const Tensor& tokens, const VideoLatentShape& s) const;
    // Int64 [B, 3, N, 2]: [start, end) in latent-grid units per axis (f, h, w).
    Tensor grid_bounds(const VideoLatentShape& s) const;

private:
    int p_;
};

// Int64 bounds × scale factors; causal_fix maps time t to max(t + 1 − scale_t, 0) (the causal
// VAE's first frame covers one pixel frame).
Tensor get_pixel_coords(const Tensor& latent_bounds, const ScaleFactors& scale = kVideoScaleFactors,
                        bool causal_fix = false);

struct AudioPatchifierOptions {
    int sample_rate = 16000;
    int hop_length = 160;
    int latent_downsample = 4;
    bool causal = true;
    int shift = 0;  // latent index offset
};

class AudioPatchifier {
public:
    explicit AudioPatchifier(int patch_size = 1, AudioPatchifierOptions options = {});
    const AudioPatchifierOptions& options() const { return o_; }
    int64_t token_count(const AudioLatentShape& s) const { return s.frames; }
    Tensor patchify(const Tensor& latent) const;  // [B, C, T, F] -> [B, T, C·F] (channel-major)
    Tensor unpatchify(const Tensor& tokens, const AudioLatentShape& s) const;
    // Float32 [B, 1, T, 2]: [start, end) in seconds of latent frame i (+ shift).
    Tensor grid_bounds(const AudioLatentShape& s) const;

private:
    AudioPatchifierOptions o_;
};

// A modality's patchified state (ltx_core.types.LatentState).
struct LatentState {
    Tensor latent;        // [B, N, D]
    Tensor denoise_mask;  // [B, N, 1] (patchified mask: [B, N, p²] for video patch p)
    Tensor positions;     // [B, axes, N, 2] float32
    Tensor clean_latent;  // [B, N, D]
    // Video: [B, N, 1], 1 on the first latent frame's tokens (the causal encoder's single-frame
    // latent), 0 on the tokens conditioning appends; the transformer adds its keyframe embedding
    // there (LTX-2.5). Undefined for audio.
    Tensor keyframes_mask;
    // A stream the stage keeps fixed (ModalitySpec frozen=True): its denoise mask is zero and the
    // transformer sees it at sigma 0 (Modality.sigma forced to 0, which the other stream's AV
    // gates also read).
    bool frozen = false;
};

struct VideoLatentTools {
    VideoLatentPatchifier patchifier{1};
    VideoLatentShape target_shape;
    double fps = 24.0;
    ScaleFactors scale_factors = kVideoScaleFactors;
    bool causal_fix = true;

    // initial latent (target shape) or zeros; mask all ones; positions = pixel coords with
    // the time axis ÷ fps; then patchified.
    LatentState create_initial_state(const std::optional<Tensor>& initial_latent = std::nullopt) const;
    LatentState unpatchify(const LatentState& state) const;  // latent / clean / mask back to grids
    // Drops the tokens conditioning appended after the target's own, and resets the mask to ones.
    LatentState clear_conditioning(const LatentState& state) const;
};

struct AudioLatentTools {
    AudioPatchifier patchifier{1};
    AudioLatentShape target_shape;

    LatentState create_initial_state(const std::optional<Tensor>& initial_latent = std::nullopt) const;
    LatentState unpatchify(const LatentState& state) const;
    LatentState clear_conditioning(const LatentState& state) const;  // as VideoLatentTools'
};

}  // namespace ltx2
