#include "diffusion/conditioning.h"

#include <cmath>
#include <vector>

#include "core/error.h"
#include "diffusion/noiser.h"
#include "ops/positions.h"

namespace ltx2 {

namespace {

void check_strength(double strength, const char* what) {
    LTX2_CHECK(std::isfinite(strength) && strength >= 0.0 && strength <= 1.0,
               "{}: strength must be in [0, 1], got {}", what, strength);
}

VideoLatentShape conditioning_shape(const Tensor& latent, const char* what) {
    LTX2_CHECK(latent.defined(), "{}: the conditioning latent is empty", what);
    LTX2_CHECK(latent.dim() == 5, "{}: the conditioning latent must be [B, C, F, H, W], got {}", what,
               shape_str(latent.shape()));
    return VideoLatentShape::from_shape(latent.shape());
}

// The state must be a patchified video state of the tools' patchifier: latent / clean latent
// [B, N, C·p²], mask [B, N, ·], positions [B, 3, N, 2].
void check_state(const LatentState& s, const VideoLatentTools& tools, const char* what) {
    LTX2_CHECK(s.latent.defined() && s.latent.dim() == 3, "{}: state latent must be [B, N, D], got {}", what,
               s.latent.defined() ? shape_str(s.latent.shape()) : std::string("nothing"));
    const int64_t B = s.latent.size(0), N = s.latent.size(1);
    LTX2_CHECK(s.clean_latent.defined() && s.clean_latent.shape() == s.latent.shape(),
               "{}: state clean latent {} does not match latent {}", what,
               s.clean_latent.defined() ? shape_str(s.clean_latent.shape()) : std::string("nothing"),
               shape_str(s.latent.shape()));
    LTX2_CHECK(s.denoise_mask.defined() && s.denoise_mask.dim() == 3 && s.denoise_mask.size(0) == B &&
                   s.denoise_mask.size(1) == N,
               "{}: state denoise mask {} does not match latent {}", what,
               s.denoise_mask.defined() ? shape_str(s.denoise_mask.shape()) : std::string("nothing"),
               shape_str(s.latent.shape()));
    LTX2_CHECK(s.positions.defined() && s.positions.dim() == 4 && s.positions.size(0) == B &&
                   s.positions.size(1) == 3 && s.positions.size(2) == N && s.positions.size(3) == 2,
               "{}: state positions {} do not match latent {} (expected [B, 3, N, 2])", what,
               s.positions.defined() ? shape_str(s.positions.shape()) : std::string("nothing"),
               shape_str(s.latent.shape()));
    const int64_t p = tools.patchifier.patch_size();
    LTX2_CHECK(B == tools.target_shape.batch && s.latent.size(2) == tools.target_shape.channels * p * p,
               "{}: state latent {} does not fit the target shape {} (patch size {})", what,
               shape_str(s.latent.shape()), shape_str(tools.target_shape.shape()), p);
}

// A contiguous fresh copy of `t` with `values` ([B, n, D] of any float dtype) written over
// tokens [start, start + n) of dimension 1.
Tensor overwrite_tokens(const Tensor& t, const Tensor& values, int64_t start) {
    Tensor out = t.clone();
    const int64_t n = values.size(1);
    for (int64_t b = 0; b < out.size(0); ++b) out.select(0, b).slice(0, start, start + n).copy_from(values.select(0, b));
    return out;
}

// A tensor of `value` (float32, then in `dtype`).
Tensor filled(const Shape& shape, float value, DType dtype) {
    return Tensor::from_f32(shape, std::vector<float>(size_t(shape_numel(shape)), value)).to(dtype);
}

// torch.cat([a, b], dim) for same-rank tensors (b converted to a's dtype).
Tensor concat(const Tensor& a, const Tensor& b, int dim, const char* what) {
    LTX2_CHECK(a.dim() == b.dim(), "{}: cannot concatenate {} and {}", what, shape_str(a.shape()), shape_str(b.shape()));
    for (int d = 0; d < a.dim(); ++d)
        LTX2_CHECK(d == dim || a.size(d) == b.size(d), "{}: cannot concatenate {} and {} along dimension {}", what,
                   shape_str(a.shape()), shape_str(b.shape()), dim);
    Shape shape = a.shape();
    shape[size_t(dim)] += b.size(dim);
    Tensor out = Tensor::empty(shape, a.dtype());
    int64_t outer = 1, inner = 1;
    for (int d = 0; d < dim; ++d) outer *= shape[size_t(d)];
    for (int d = dim + 1; d < a.dim(); ++d) inner *= shape[size_t(d)];
    // [outer, length, inner] views of the three: each outer row of out is a's rows then b's.
    const int64_t na = a.size(dim), nb = b.size(dim);
    const Tensor out3 = out.reshape({outer, na + nb, inner});
    const Tensor a3 = a.reshape({outer, na, inner}), b3 = b.reshape({outer, nb, inner});
    for (int64_t i = 0; i < outer; ++i) {
        out3.select(0, i).slice(0, 0, na).copy_from(a3.select(0, i));
        out3.select(0, i).slice(0, na, na + nb).copy_from(b3.select(0, i));
    }
    return out;
}

// Pixel coordinates of a latent grid as float32 positions: int64 bounds × scale factors
// (causal fix optional), + time_offset pixel frames (in int64, before the cast), time ÷ fps,
// then y and x × spatial_factor.
Tensor grid_positions(const VideoLatentTools& tools, const VideoLatentShape& shape, bool causal_fix,
                      int64_t time_offset, int64_t spatial_factor) {
    const Tensor coords = get_pixel_coords(tools.patchifier.grid_bounds(shape), tools.scale_factors, causal_fix);
    return pixel_coords_to_positions(coords, time_offset, float(tools.fps), spatial_factor);
}

// Appends `tokens` with mask 1 − strength and `positions` after the state's tokens.
LatentState append_tokens(const LatentState& state, const Tensor& tokens, const Tensor& positions, double strength,
                          const char* what) {
    const Tensor mask =
        filled({tokens.size(0), tokens.size(1), state.denoise_mask.size(2)}, float(1.0 - strength), state.denoise_mask.dtype());
    LatentState out;
    out.latent = concat(state.latent, tokens, 1, what);
    out.clean_latent = concat(state.clean_latent, tokens, 1, what);
    out.denoise_mask = concat(state.denoise_mask, mask, 1, what);
    out.positions = concat(state.positions, positions.to(state.positions.dtype()), 2, what);
    if (state.keyframes_mask.defined())
        out.keyframes_mask = concat(state.keyframes_mask, Tensor::zeros({tokens.size(0), tokens.size(1), 1}), 1, what);
    return out;
}

// An appended latent must share the target's batch and channels (its tokens' width).
void check_appended(const VideoLatentShape& c, const VideoLatentTools& tools, const char* what) {
    const VideoLatentShape& t = tools.target_shape;
    LTX2_CHECK(c.batch == t.batch && c.channels == t.channels,
               "{}: conditioning latent {} must have the target's batch {} and channels {} (target {})", what,
               shape_str(c.shape()), t.batch, t.channels, shape_str(t.shape()));
}

}  // namespace

LatentState VideoConditionByLatentIndex::apply_to(const LatentState& state, const VideoLatentTools& tools) const {
    constexpr const char* what = "VideoConditionByLatentIndex";
    check_strength(strength, what);
    const VideoLatentShape c = conditioning_shape(latent, what);
    const VideoLatentShape& t = tools.target_shape;
    LTX2_CHECK(c.batch == t.batch && c.channels == t.channels && c.height == t.height && c.width == t.width,
               "{}: conditioning latent {} does not fit the target {}: batch, channels, height and width must match "
               "(expected ({}, {}, F, {}, {}))",
               what, shape_str(c.shape()), shape_str(t.shape()), t.batch, t.channels, t.height, t.width);
    LTX2_CHECK(latent_idx >= 0 && latent_idx + c.frames <= t.frames,
               "{}: latent_idx {} with {} conditioning frame(s) is out of range for {} latent frames (valid 0..{})",
               what, latent_idx, c.frames, t.frames, t.frames - c.frames);
    check_state(state, tools, what);

    const Tensor tokens = tools.patchifier.patchify(latent);
    VideoLatentShape before = t;
    before.frames = latent_idx;
    const int64_t start = latent_idx == 0 ? 0 : tools.patchifier.token_count(before);
    const int64_t stop = start + tokens.size(1);
    LTX2_CHECK(stop <= state.latent.size(1), "{}: tokens [{}, {}) lie beyond the state's {} tokens", what, start, stop,
               state.latent.size(1));

    LatentState out;
    out.latent = keeps_noisy_latent ? state.latent.clone() : overwrite_tokens(state.latent, tokens, start);
    out.clean_latent = overwrite_tokens(state.clean_latent, tokens, start);
    const Tensor mask =
        filled({tokens.size(0), tokens.size(1), state.denoise_mask.size(2)}, float(1.0 - strength), DType::F32);
    out.denoise_mask = overwrite_tokens(state.denoise_mask, mask, start);
    out.positions = state.positions.clone();
    out.keyframes_mask = state.keyframes_mask;
    return out;
}

LatentState VideoConditionByKeyframeIndex::apply_to(const LatentState& state, const VideoLatentTools& tools) const {
    constexpr const char* what = "VideoConditionByKeyframeIndex";
    check_strength(strength, what);
    const VideoLatentShape c = conditioning_shape(keyframes, what);
    check_appended(c, tools, what);
    const int64_t pixel_frames = (tools.target_shape.frames - 1) * tools.scale_factors[0] + 1;
    LTX2_CHECK(frame_idx >= 0 && frame_idx < pixel_frames,
               "{}: frame_idx {} is outside the video's {} pixel frames (valid 0..{})", what, frame_idx, pixel_frames,
               pixel_frames - 1);
    check_state(state, tools, what);
    const Tensor tokens = tools.patchifier.patchify(keyframes);
    const Tensor positions = grid_positions(tools, c, frame_idx == 0 ? tools.causal_fix : false, frame_idx, 1);
    return append_tokens(state, tokens, positions, strength, what);
}

LatentState VideoConditionByReferenceLatent::apply_to(const LatentState& state, const VideoLatentTools& tools) const {
    constexpr const char* what = "VideoConditionByReferenceLatent";
    check_strength(strength, what);
    LTX2_CHECK(downscale_factor >= 1, "{}: downscale_factor must be >= 1, got {}", what, downscale_factor);
    const VideoLatentShape c = conditioning_shape(latent, what);
    check_appended(c, tools, what);
    check_state(state, tools, what);
    const Tensor tokens = tools.patchifier.patchify(latent);
    const Tensor positions = grid_positions(tools, c, tools.causal_fix, 0, downscale_factor);
    return append_tokens(state, tokens, positions, strength, what);
}

LatentState apply_conditioning(const LatentState& state, const VideoConditioning& item, const VideoLatentTools& tools) {
    return std::visit([&](const auto& it) { return it.apply_to(state, tools); }, item);
}

LatentState TemporalRegionMask::apply_to(const LatentState& state) const {
    LTX2_CHECK(state.positions.dim() == 4 && state.positions.size(3) == 2 && state.denoise_mask.dim() == 3 &&
                   state.denoise_mask.size(0) == state.positions.size(0) &&
                   state.denoise_mask.size(1) == state.positions.size(2),
               "TemporalRegionMask: positions {} and denoise mask {} do not describe the same tokens",
               shape_str(state.positions.shape()), shape_str(state.denoise_mask.shape()));
    const Tensor mask =
        time_window_mask(state.positions, float(start_time), float(end_time), state.denoise_mask.size(2));
    LatentState out = state;
    out.denoise_mask = mask.to(state.denoise_mask.dtype());
    return out;
}

LatentState state_with_conditionings(LatentState state, const std::vector<VideoConditioning>& items,
                                     const VideoLatentTools& tools) {
    for (const auto& item : items) state = apply_conditioning(state, item, tools);
    return state;
}

LatentState create_noised_state(const VideoLatentTools& tools, const std::vector<VideoConditioning>& items,
                                TorchGenerator& generator, double noise_scale, const std::optional<Tensor>& initial_latent,
                                Tensor* noise, NoiseBlend blend) {
    LatentState state = state_with_conditionings(tools.create_initial_state(initial_latent), items, tools);
    NoisedLatent n =
        gaussian_noise_latent_with_noise(state.latent, state.denoise_mask, noise_scale, generator, blend,
                                         state.clean_latent);
    state.latent = n.latent;
    if (noise) *noise = n.noise;
    return state;
}

}  // namespace ltx2
