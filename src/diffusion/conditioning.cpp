#include "diffusion/conditioning.h"

#include <cmath>
#include <cstring>

#include "core/error.h"
#include "diffusion/float32_ops.h"
#include "diffusion/noiser.h"

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
    Tensor src = values.to(out.dtype());
    const int64_t B = out.size(0), N = out.size(1), n = src.size(1);
    const size_t row = size_t(out.size(2)) * dtype_size(out.dtype());
    auto* o = static_cast<std::byte*>(out.raw());
    const auto* s = static_cast<const std::byte*>(src.raw());
    for (int64_t b = 0; b < B; ++b) std::memcpy(o + size_t(b * N + start) * row, s + size_t(b * n) * row, row * size_t(n));
    return out;
}

// A [B, n, D] tensor of `value` (float32, then in `dtype`).
Tensor filled(const Shape& shape, float value, DType dtype) {
    Tensor t = Tensor::zeros(shape);
    float* p = t.f32();
    for (int64_t i = 0; i < t.numel(); ++i) p[i] = value;
    return t.to(dtype);
}

// torch.cat([a, b], dim) for same-rank tensors (b converted to a's dtype).
Tensor concat(const Tensor& a, const Tensor& b, int dim, const char* what) {
    LTX2_CHECK(a.dim() == b.dim(), "{}: cannot concatenate {} and {}", what, shape_str(a.shape()), shape_str(b.shape()));
    for (int d = 0; d < a.dim(); ++d)
        LTX2_CHECK(d == dim || a.size(d) == b.size(d), "{}: cannot concatenate {} and {} along dimension {}", what,
                   shape_str(a.shape()), shape_str(b.shape()), dim);
    Shape shape = a.shape();
    shape[size_t(dim)] += b.size(dim);
    Tensor out = Tensor::zeros(shape, a.dtype());
    const Tensor ac = a.contiguous(), bc = b.to(a.dtype());
    int64_t outer = 1, inner = 1;
    for (int d = 0; d < dim; ++d) outer *= shape[size_t(d)];
    for (int d = dim + 1; d < a.dim(); ++d) inner *= shape[size_t(d)];
    const size_t es = dtype_size(a.dtype());
    const size_t na = size_t(a.size(dim) * inner) * es, nb = size_t(b.size(dim) * inner) * es;
    auto* o = static_cast<std::byte*>(out.raw());
    const auto* pa = static_cast<const std::byte*>(ac.raw());
    const auto* pb = static_cast<const std::byte*>(bc.raw());
    for (int64_t i = 0; i < outer; ++i) {
        std::memcpy(o + size_t(i) * (na + nb), pa + size_t(i) * na, na);
        std::memcpy(o + size_t(i) * (na + nb) + na, pb + size_t(i) * nb, nb);
    }
    return out;
}

// Pixel coordinates of a latent grid as float32 positions: int64 bounds × scale factors
// (causal fix optional), + time_offset pixel frames (in int64, before the cast), time ÷ fps,
// then y and x × spatial_factor.
Tensor grid_positions(const VideoLatentTools& tools, const VideoLatentShape& shape, bool causal_fix,
                      int64_t time_offset, int64_t spatial_factor) {
    Tensor coords = get_pixel_coords(tools.patchifier.grid_bounds(shape), tools.scale_factors, causal_fix);
    const int64_t B = coords.size(0), per_axis = coords.size(2) * 2;
    int64_t* c = coords.data<int64_t>();
    for (int64_t b = 0; b < B; ++b)
        for (int64_t i = 0; i < per_axis; ++i) c[b * 3 * per_axis + i] += time_offset;
    Tensor pos = coords.to(DType::F32);
    float* p = pos.f32();
    const float fps = float(tools.fps);
    for (int64_t b = 0; b < B; ++b) {
        for (int64_t i = 0; i < per_axis; ++i) p[b * 3 * per_axis + i] = f32::div(p[b * 3 * per_axis + i], fps);
        if (spatial_factor != 1)
            for (int a = 1; a < 3; ++a)
                for (int64_t i = 0; i < per_axis; ++i) {
                    float& v = p[(b * 3 + a) * per_axis + i];
                    v = f32::mul(v, float(spatial_factor));
                }
    }
    return pos;
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
                   state.denoise_mask.size(1) == state.positions.size(2),
               "TemporalRegionMask: positions {} and denoise mask {} do not describe the same tokens",
               shape_str(state.positions.shape()), shape_str(state.denoise_mask.shape()));
    const Tensor positions = state.positions.to(DType::F32).contiguous();
    const float* p = positions.f32();
    const int64_t batch = positions.size(0), axes = positions.size(1), tokens = positions.size(2);
    const int64_t per_token = state.denoise_mask.size(2);
    const float start = float(start_time), end = float(end_time);
    std::vector<float> mask(size_t(batch * tokens * per_token));
    for (int64_t b = 0; b < batch; ++b)
        for (int64_t n = 0; n < tokens; ++n) {
            const float* span = p + (b * axes * tokens + n) * 2;  // time axis: [t0, t1)
            const float inside = span[1] > start && span[0] < end ? 1.0f : 0.0f;
            for (int64_t k = 0; k < per_token; ++k) mask[size_t((b * tokens + n) * per_token + k)] = inside;
        }
    LatentState out = state;
    out.denoise_mask = Tensor::from_f32(state.denoise_mask.shape(), mask).to(state.denoise_mask.dtype());
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
