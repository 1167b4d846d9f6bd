#include "diffusion/patchifiers.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/error.h"
#include "diffusion/float32_ops.h"
#include "ops/positions.h"

namespace ltx2 {

VideoLatentShape VideoLatentShape::from_shape(const Shape& s) {
    LTX2_CHECK(s.size() == 5, "video latent shape must be [B, C, F, H, W], got {}", shape_str(s));
    for (auto v : s) LTX2_CHECK(v > 0, "video latent shape {} has a non-positive dim", shape_str(s));
    return {s[0], s[1], s[2], s[3], s[4]};
}

AudioLatentShape AudioLatentShape::from_shape(const Shape& s) {
    LTX2_CHECK(s.size() == 4, "audio latent shape must be [B, C, T, mel], got {}", shape_str(s));
    for (auto v : s) LTX2_CHECK(v > 0, "audio latent shape {} has a non-positive dim", shape_str(s));
    return {s[0], s[1], s[2], s[3]};
}

VideoLatentShape video_latent_shape_from_pixels(int64_t batch, int64_t frames, int64_t height, int64_t width,
                                                int64_t channels, const ScaleFactors& scale) {
    LTX2_CHECK(batch > 0 && frames > 0 && height > 0 && width > 0,
               "video pixel shape must be positive, got batch {} frames {} height {} width {}", batch, frames, height,
               width);
    return {batch, channels, (frames - 1) / scale[0] + 1, height / scale[1], width / scale[2]};
}

AudioLatentShape audio_latent_shape_from_video(int64_t batch, int64_t frames, double fps, int64_t channels,
                                               int64_t mel_bins, int sample_rate, int hop_length,
                                               int latent_downsample) {
    LTX2_CHECK(fps > 0, "audio latent shape: fps must be > 0, got {}", fps);
    const double duration = double(frames) / fps;
    const double per_second = double(sample_rate) / double(hop_length) / double(latent_downsample);
    return {batch, channels, int64_t(std::nearbyint(duration * per_second)), mel_bins};
}

// ---- video ---------------------------------------------------------------------------------

VideoLatentPatchifier::VideoLatentPatchifier(int patch_size) : p_(patch_size) {
    LTX2_CHECK(patch_size >= 1, "VideoLatentPatchifier: patch size must be >= 1, got {}", patch_size);
}

int64_t VideoLatentPatchifier::token_count(const VideoLatentShape& s) const {
    return s.frames * s.height * s.width / (int64_t(p_) * p_);
}

// The token layout is a view: per sample, [C, F, H, W] split to [C, F, H/p, p, W/p, p] and read
// as [F, H/p, W/p, C, p, p] (tokens frame-major, features (c, ph, pw)).
Tensor VideoLatentPatchifier::patchify(const Tensor& latent) const {
    const VideoLatentShape s = VideoLatentShape::from_shape(latent.shape());
    LTX2_CHECK(s.height % p_ == 0 && s.width % p_ == 0,
               "VideoLatentPatchifier({}): latent {} height and width must be multiples of the patch size", p_,
               shape_str(latent.shape()));
    const int64_t p = p_, gh = s.height / p, gw = s.width / p, N = s.frames * gh * gw, D = s.channels * p * p;
    const Tensor src = latent.to(DType::F32);
    Tensor out = Tensor::empty({s.batch, N, D});
    for (int64_t b = 0; b < s.batch; ++b)
        out.select(0, b)
            .reshape({s.frames, gh, gw, s.channels, p, p})
            .copy_from(src.select(0, b).reshape({s.channels, s.frames, gh, p, gw, p}).permute({1, 2, 4, 0, 3, 5}));
    return out;
}

Tensor VideoLatentPatchifier::unpatchify(const Tensor& tokens, const VideoLatentShape& s) const {
    const int64_t p = p_, gh = s.height / p, gw = s.width / p, N = s.frames * gh * gw, D = s.channels * p * p;
    LTX2_CHECK(tokens.dim() == 3 && tokens.size(0) == s.batch && tokens.size(1) == N && tokens.size(2) == D,
               "VideoLatentPatchifier({}).unpatchify: tokens {} do not fit shape {} (expected ({}, {}, {}))", p_,
               shape_str(tokens.shape()), shape_str(s.shape()), s.batch, N, D);
    LTX2_CHECK(s.height % p == 0 && s.width % p == 0,
               "VideoLatentPatchifier({}).unpatchify: shape {} height and width must be multiples of the patch size",
               p_, shape_str(s.shape()));
    const Tensor src = tokens.to(DType::F32);
    Tensor out = Tensor::empty(s.shape());
    for (int64_t b = 0; b < s.batch; ++b)
        out.select(0, b)
            .reshape({s.channels, s.frames, gh, p, gw, p})
            .copy_from(src.select(0, b).reshape({s.frames, gh, gw, s.channels, p, p}).permute({3, 0, 1, 4, 2, 5}));
    return out;
}

// Computed from the shape alone: int64 [B, 3, N, 2] (held in float32 on the way, exact for any
// grid below 2^24).
Tensor VideoLatentPatchifier::grid_bounds(const VideoLatentShape& s) const {
    LTX2_CHECK(s.batch > 0 && s.frames > 0 && s.height > 0 && s.width > 0,
               "VideoLatentPatchifier: grid bounds need positive batch/frames/height/width, got {}",
               shape_str(s.shape()));
    const int64_t p = p_;
    const int64_t gh = (s.height + p - 1) / p, gw = (s.width + p - 1) / p, N = s.frames * gh * gw;
    LTX2_CHECK(std::max({s.frames, gh * p, gw * p}) <= (int64_t(1) << 24),
               "VideoLatentPatchifier: grid {} too large for its bounds", shape_str(s.shape()));
    std::vector<float> bounds(size_t(s.batch * 3 * N * 2));
    for (int64_t b = 0; b < s.batch; ++b)
        for (int64_t f = 0; f < s.frames; ++f)
            for (int64_t h = 0; h < gh; ++h)
                for (int64_t w = 0; w < gw; ++w) {
                    const int64_t n = (f * gh + h) * gw + w;
                    const int64_t start[3] = {f, h * p, w * p}, size[3] = {1, p, p};
                    for (int a = 0; a < 3; ++a) {
                        const size_t e = size_t(((b * 3 + a) * N + n) * 2);
                        bounds[e] = float(start[a]);
                        bounds[e + 1] = float(start[a] + size[a]);
                    }
                }
    return Tensor::from_f32({s.batch, 3, N, 2}, bounds).to(DType::I64);
}

Tensor get_pixel_coords(const Tensor& latent_bounds, const ScaleFactors& scale, bool causal_fix) {
    LTX2_CHECK(latent_bounds.dim() == 4 && latent_bounds.size(1) == 3 && latent_bounds.size(3) == 2,
               "get_pixel_coords: bounds must be [B, 3, N, 2], got {}", shape_str(latent_bounds.shape()));
    LTX2_CHECK(latent_bounds.dtype() == DType::I64, "get_pixel_coords: bounds must be int64");
    return latent_to_pixel_coords(latent_bounds, scale, causal_fix);
}

// ---- audio ---------------------------------------------------------------------------------

AudioPatchifier::AudioPatchifier(int patch_size, AudioPatchifierOptions options) : o_(options) {
    LTX2_CHECK(patch_size >= 1, "AudioPatchifier: patch size must be >= 1, got {}", patch_size);
    LTX2_CHECK(o_.sample_rate > 0 && o_.hop_length > 0 && o_.latent_downsample > 0,
               "AudioPatchifier: sample_rate, hop_length and latent_downsample must be positive");
}

// (B, C, T, F) -> (B, T, C·F): features channel-major, as the reference's rearrange.
Tensor AudioPatchifier::patchify(const Tensor& latent) const {
    const AudioLatentShape s = AudioLatentShape::from_shape(latent.shape());
    return latent.permute({0, 2, 1, 3}).reshape({s.batch, s.frames, s.channels * s.mel_bins}).to(DType::F32);
}

Tensor AudioPatchifier::unpatchify(const Tensor& tokens, const AudioLatentShape& s) const {
    LTX2_CHECK(tokens.dim() == 3 && tokens.size(0) == s.batch && tokens.size(1) == s.frames &&
                   tokens.size(2) == s.channels * s.mel_bins,
               "AudioPatchifier.unpatchify: tokens {} do not fit shape {}", shape_str(tokens.shape()),
               shape_str(s.shape()));
    return tokens.reshape({s.batch, s.frames, s.channels, s.mel_bins}).permute({0, 2, 1, 3}).to(DType::F32);
}

namespace {
// Seconds of latent frame i, float32 as the reference: mel = i·downsample (causal: max(mel + 1
// − downsample, 0)), then mel · hop / sample_rate.
float audio_time(const AudioPatchifierOptions& o, int64_t i) {
    float mel = f32::mul(float(i), float(o.latent_downsample));
    if (o.causal) mel = std::max(f32::sub(f32::add(mel, 1.0f), float(o.latent_downsample)), 0.0f);
    return f32::div(f32::mul(mel, float(o.hop_length)), float(o.sample_rate));
}
}  // namespace

Tensor AudioPatchifier::grid_bounds(const AudioLatentShape& s) const {
    std::vector<float> bounds(size_t(s.batch * s.frames * 2));
    for (int64_t b = 0; b < s.batch; ++b)
        for (int64_t t = 0; t < s.frames; ++t) {
            bounds[size_t((b * s.frames + t) * 2)] = audio_time(o_, o_.shift + t);
            bounds[size_t((b * s.frames + t) * 2 + 1)] = audio_time(o_, o_.shift + t + 1);
        }
    return Tensor::from_f32({s.batch, 1, s.frames, 2}, bounds);
}

// ---- latent tools --------------------------------------------------------------------------

namespace {
Tensor initial_or_zeros(const std::optional<Tensor>& initial, const Shape& target, const char* what) {
    if (!initial) return Tensor::zeros(target);
    LTX2_CHECK(initial->shape() == target, "{}: initial latent shape {} does not match the target shape {}", what,
               shape_str(initial->shape()), shape_str(target));
    return initial->to(DType::F32).clone();
}

Tensor ones(const Shape& s) { return Tensor::from_f32(s, std::vector<float>(size_t(shape_numel(s)), 1.0f)); }

// LatentTools.clear_conditioning: the first `tokens` tokens of latent / clean latent /
// positions, and a mask of ones (in the mask's dtype).
LatentState clear_conditioning_tokens(const LatentState& state, int64_t tokens, const char* what) {
    LTX2_CHECK(state.latent.defined() && state.latent.dim() == 3, "{}.clear_conditioning: latent must be [B, N, D]",
               what);
    LTX2_CHECK(state.latent.size(1) >= tokens,
               "{}.clear_conditioning: the state has {} tokens, fewer than the target's {}", what,
               state.latent.size(1), tokens);
    LTX2_CHECK(state.denoise_mask.defined() && state.denoise_mask.dim() == 3 &&
                   state.denoise_mask.size(1) == state.latent.size(1),
               "{}.clear_conditioning: denoise mask {} does not match latent {}", what,
               shape_str(state.denoise_mask.shape()), shape_str(state.latent.shape()));
    LTX2_CHECK(state.positions.defined() && state.positions.dim() == 4 && state.positions.size(2) == state.latent.size(1),
               "{}.clear_conditioning: positions {} do not match latent {}", what, shape_str(state.positions.shape()),
               shape_str(state.latent.shape()));
    LatentState out;
    out.latent = state.latent.slice(1, 0, tokens).clone();
    if (state.clean_latent.defined()) out.clean_latent = state.clean_latent.slice(1, 0, tokens).clone();
    out.denoise_mask =
        ones({state.denoise_mask.size(0), tokens, state.denoise_mask.size(2)}).to(state.denoise_mask.dtype());
    out.positions = state.positions.slice(2, 0, tokens).clone();
    if (state.keyframes_mask.defined()) out.keyframes_mask = state.keyframes_mask.slice(1, 0, tokens).clone();
    return out;
}
}  // namespace

LatentState VideoLatentTools::create_initial_state(const std::optional<Tensor>& initial_latent) const {
    Tensor latent = initial_or_zeros(initial_latent, target_shape.shape(), "VideoLatentTools");
    LTX2_CHECK(fps > 0, "VideoLatentTools: fps must be > 0, got {}", fps);
    const Tensor coords = get_pixel_coords(patchifier.grid_bounds(target_shape), scale_factors, causal_fix);
    const Tensor positions = pixel_coords_to_positions(coords, 0, float(fps), 1);
    LatentState st;
    st.latent = patchifier.patchify(latent);
    st.clean_latent = patchifier.patchify(latent);
    st.denoise_mask = patchifier.patchify(ones(target_shape.mask_shape().shape()));
    st.positions = positions;
    VideoLatentShape first_frame = target_shape;
    first_frame.frames = 1;
    const int64_t tokens = st.latent.size(1), marked = patchifier.token_count(first_frame);
    st.keyframes_mask = Tensor::zeros({target_shape.batch, tokens, 1});
    st.keyframes_mask.slice(1, 0, marked).copy_from(ones({target_shape.batch, marked, 1}));
    return st;
}

LatentState VideoLatentTools::unpatchify(const LatentState& state) const {
    LatentState out = state;
    out.latent = patchifier.unpatchify(state.latent, target_shape);
    if (state.clean_latent.defined()) out.clean_latent = patchifier.unpatchify(state.clean_latent, target_shape);
    out.denoise_mask = patchifier.unpatchify(state.denoise_mask, target_shape.mask_shape());
    return out;
}

LatentState VideoLatentTools::clear_conditioning(const LatentState& state) const {
    return clear_conditioning_tokens(state, patchifier.token_count(target_shape), "VideoLatentTools");
}

LatentState AudioLatentTools::create_initial_state(const std::optional<Tensor>& initial_latent) const {
    Tensor latent = initial_or_zeros(initial_latent, target_shape.shape(), "AudioLatentTools");
    LatentState st;
    st.latent = patchifier.patchify(latent);
    st.clean_latent = patchifier.patchify(latent);
    st.denoise_mask = patchifier.patchify(ones(target_shape.mask_shape().shape()));
    st.positions = patchifier.grid_bounds(target_shape);
    return st;
}

LatentState AudioLatentTools::unpatchify(const LatentState& state) const {
    LatentState out = state;
    out.latent = patchifier.unpatchify(state.latent, target_shape);
    if (state.clean_latent.defined()) out.clean_latent = patchifier.unpatchify(state.clean_latent, target_shape);
    out.denoise_mask = patchifier.unpatchify(state.denoise_mask, target_shape.mask_shape());
    return out;
}

LatentState AudioLatentTools::clear_conditioning(const LatentState& state) const {
    return clear_conditioning_tokens(state, patchifier.token_count(target_shape), "AudioLatentTools");
}

}  // namespace ltx2
