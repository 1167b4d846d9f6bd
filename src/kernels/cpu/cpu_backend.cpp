// The Backend of Device::Cpu and Device::CheckedCpu: each op forwards to its CPU kernel.
#include "kernels/cpu/attention.h"
#include "kernels/cpu/conv.h"
#include "kernels/cpu/denoising.h"
#include "kernels/cpu/elementwise.h"
#include "kernels/cpu/guidance.h"
#include "kernels/cpu/host.h"
#include "kernels/cpu/linear.h"
#include "kernels/cpu/lora_fusion.h"
#include "kernels/cpu/masks.h"
#include "kernels/cpu/media.h"
#include "kernels/cpu/neighborhood_attention.h"
#include "kernels/cpu/noising.h"
#include "kernels/cpu/norm.h"
#include "kernels/cpu/pointwise.h"
#include "kernels/cpu/positions.h"
#include "kernels/cpu/resample.h"
#include "kernels/cpu/rope.h"
#include "kernels/cpu/rope_axes.h"
#include "kernels/cpu/rows.h"
#include "kernels/cpu/sinusoid.h"
#include "kernels/cpu/spectral.h"
#include "kernels/cpu/text_features.h"
#include "kernels/cpu/vae_kernels.h"
#include "kernels/cpu/weight_decoding.h"
#include "ops/backend.h"

namespace ltx2 {

namespace {

class CpuBackend final : public Backend {
public:
    const char* name() const override { return "cpu"; }

    void linear_into(const Tensor& x, const Tensor& w, const Tensor& b, Tensor& y, Precision precision) override {
        cpu::linear_into(x, w, b, y, precision);
    }
    Tensor linear(const Tensor& x, const Tensor& w, const Tensor& b, Precision precision) override {
        return cpu::linear(x, w, b, precision);
    }
    void matmul(const Tensor& a, const Tensor& b, Tensor& c) override { cpu::matmul(a, b, c); }

    Tensor attention(const Tensor& q, const Tensor& k, const Tensor& v, const AttentionOptions& o) override {
        return cpu::attention(q, k, v, o);
    }
    Tensor neighborhood_attention_3d(const Tensor& q, const Tensor& k, const Tensor& v, int heads,
                                     const std::array<int, 3>& kernel, Precision precision) override {
        return cpu::neighborhood_attention_3d(q, k, v, heads, kernel, precision);
    }

    Tensor conv_nd(const Tensor& x, const Tensor& w, const Tensor& b, const ConvParams& p,
                   Precision precision) override {
        return cpu::conv_nd(x, w, b, p, precision);
    }
    Tensor conv_transpose_nd(const Tensor& x, const Tensor& w, const Tensor& b, const ConvTransposeParams& p,
                             Precision precision) override {
        return cpu::conv_transpose_nd(x, w, b, p, precision);
    }
    Tensor pad_nd(const Tensor& x, const std::vector<int64_t>& before, const std::vector<int64_t>& after, PadMode mode,
                  float value) override {
        return cpu::pad_nd(x, before, after, mode, value);
    }

    void gelu_tanh_inplace(Tensor& x) override { cpu::gelu_tanh_inplace(x); }
    void silu_inplace(Tensor& x) override { cpu::silu_inplace(x); }
    void add_inplace(Tensor& x, const Tensor& y) override { cpu::add_inplace(x, y); }
    void modulate_inplace(Tensor& x, const Tensor& scale, const Tensor& shift) override {
        cpu::modulate_inplace(x, scale, shift);
    }
    void add_gated_inplace(Tensor& x, const Tensor& y, const Tensor& gate) override {
        cpu::add_gated_inplace(x, y, gate);
    }
    void modulate_inplace(Tensor& x, const AdaValue& scale, const AdaValue& shift) override {
        cpu::modulate_inplace(x, scale, shift);
    }
    void add_gated_inplace(Tensor& x, const Tensor& y, const AdaValue& gate) override {
        cpu::add_gated_inplace(x, y, gate);
    }

    Tensor rms_norm(const Tensor& x, const Tensor& w, float eps) override { return cpu::rms_norm(x, w, eps); }
    void rms_norm_inplace(Tensor& x, const Tensor& w, float eps) override { cpu::rms_norm_inplace(x, w, eps); }
    Tensor layer_norm(const Tensor& x, float eps) override { return cpu::layer_norm(x, eps); }
    Tensor pixel_norm(const Tensor& x, double eps) override { return cpu::pixel_norm(x, eps); }

    RopeTable rope_table(const Tensor& positions, const RopeSpec& spec) override {
        return cpu::rope_table(positions, spec);
    }
    void rope_apply_inplace(Tensor& x, const RopeTable& table) override { cpu::rope_apply_inplace(x, table); }
    void rope_3axis_inplace(Tensor& x, int heads, const std::array<int, 3>& split, int64_t w_position0,
                            double theta) override {
        cpu::rope_3axis_inplace(x, heads, split, w_position0, theta);
    }

    Tensor fir_upsample(const Tensor& x, const FirUpsampleSpec& up) override { return cpu::fir_upsample(x, up); }
    Tensor snake_beta_resampled(const Tensor& x, const Tensor& alpha, const Tensor& inv_beta,
                                const FirUpsampleSpec& up, const FirDownsampleSpec& down) override {
        return cpu::snake_beta_resampled(x, alpha, inv_beta, up, down);
    }

    void decode_ggml_into(GgmlType type, const Tensor& blocks, Tensor& out) override {
        cpu::decode_ggml_into(type, blocks, out);
    }
    Tensor decode_ggml_rows(const GgmlTensor& table, std::span<const int64_t> ids) override {
        return cpu::decode_ggml_rows(table, ids);
    }
    Tensor gather_rows(const Tensor& table, std::span<const int64_t> ids) override {
        return cpu::gather_rows(table, ids);
    }
    Tensor ggml_matvec(const GgmlTensor& w, const Tensor& x) override { return cpu::ggml_matvec(w, x); }
    void decode_fp8_into(const Tensor& w, float scale, Tensor& out) override { cpu::decode_fp8_into(w, scale, out); }

    // --- VAEs, DiffVAE and upsamplers ---
    Tensor apply_channel_statistics(const Tensor& x, const Tensor& std, const Tensor& mean,
                                    StatisticsDirection direction) override {
        return cpu::apply_channel_statistics(x, std, mean, direction);
    }
    void modulate_channels_inplace(Tensor& x, const Tensor& scale, const Tensor& shift) override {
        cpu::modulate_channels_inplace(x, scale, shift);
    }
    Tensor depth_to_space_3d(const Tensor& x, const std::array<int, 3>& stride, int64_t drop_frames,
                             ChannelLayout layout) override {
        return cpu::depth_to_space_3d(x, stride, drop_frames, layout);
    }
    Tensor space_to_depth_3d(const Tensor& x, const std::array<int, 3>& stride) override {
        return cpu::space_to_depth_3d(x, stride);
    }
    void add_repeated_channels_inplace(Tensor& x, const Tensor& r) override { cpu::add_repeated_channels_inplace(x, r); }
    void add_channel_group_means_inplace(Tensor& x, const Tensor& s) override {
        cpu::add_channel_group_means_inplace(x, s);
    }
    void accumulate_masked_tile(const Tensor& values, const Tensor& weights, const Tensor& tile, const Tensor& mask_t,
                                const Tensor& mask_h, const Tensor& mask_w, MaskProduct order) override {
        cpu::accumulate_masked_tile(values, weights, tile, mask_t, mask_h, mask_w, order);
    }
    void divide_by_weights(const Tensor& values, const Tensor& weights, Tensor& out) override {
        cpu::divide_by_weights(values, weights, out);
    }
    void copy_into_view(const Tensor& dst, const Tensor& src) override { cpu::copy_into_view(dst, src); }
    void add_into_view(const Tensor& dst, const Tensor& src) override { cpu::add_into_view(dst, src); }
    void group_norm_inplace(Tensor& x, int groups, const Tensor& weight, const Tensor& bias, float eps, bool per_frame,
                            bool silu) override {
        cpu::group_norm_inplace(x, groups, weight, bias, eps, per_frame, silu);
    }
    Tensor upsample_nearest_2x(const Tensor& x) override { return cpu::upsample_nearest_2x(x); }
    Tensor blur_downsample_2d(const Tensor& x, const Tensor& kernel, int stride) override {
        return cpu::blur_downsample_2d(x, kernel, stride);
    }
    Tensor sinc_resample(const Tensor& x, int source_rate, int target_rate) override {
        return cpu::sinc_resample(x, source_rate, target_rate);
    }
    Tensor log_mel_spectrogram(const Tensor& x, const MelSpectrogramSpec& spec) override {
        return cpu::log_mel_spectrogram(x, spec);
    }
    Tensor unit_rgb_frames(const Tensor& v) override { return cpu::unit_rgb_frames(v); }
    Tensor unit_to_uint8(const Tensor& x) override { return cpu::unit_to_uint8(x); }

    // --- diffusion, LoRA and pipelines ---
    Tensor velocity_from_denoised(const Tensor& sample, const Tensor& denoised, float sigma) override {
        return cpu::velocity_from_denoised(sample, denoised, sigma);
    }
    Tensor euler_update(const Tensor& sample, const Tensor& velocity, float dt) override {
        return cpu::euler_update(sample, velocity, dt);
    }
    Tensor ancestral_update(const Tensor& sample, const Tensor& denoised, const Tensor& noise, float sample_weight,
                            float denoised_weight, float rescale, float noise_scale, float noise_weight) override {
        return cpu::ancestral_update(sample, denoised, noise, sample_weight, denoised_weight, rescale, noise_scale,
                                     noise_weight);
    }
    Tensor masked_blend(const Tensor& a, const Tensor& mask, const Tensor& b) override {
        return cpu::masked_blend(a, mask, b);
    }

    Tensor scaled_difference(float scale, const Tensor& a, const Tensor& b, const Tensor& coef) override {
        return cpu::scaled_difference(scale, a, b, coef);
    }
    Tensor guidance_sum(const Tensor& cond, std::span<const float> weights, std::span<const Tensor> others) override {
        return cpu::guidance_sum(cond, weights, others);
    }
    Tensor projection_coefficients(const Tensor& a, const Tensor& b) override {
        return cpu::projection_coefficients(a, b);
    }
    void cap_group_norm_inplace(Tensor& g, int64_t group, float threshold) override {
        cpu::cap_group_norm_inplace(g, group, threshold);
    }
    Tensor apg_blend(const Tensor& g, const Tensor& cond, const Tensor& coef, float eta, float scale) override {
        return cpu::apg_blend(g, cond, coef, eta, scale);
    }
    void momentum_accumulate_inplace(Tensor& average, const Tensor& g, float momentum) override {
        cpu::momentum_accumulate_inplace(average, g, momentum);
    }
    void std_rescale_inplace(Tensor& pred, const Tensor& reference, double rescale) override {
        cpu::std_rescale_inplace(pred, reference, rescale);
    }

    Tensor noise_blend_masked(const Tensor& latent, const Tensor& noise, const Tensor& mask, float scale) override {
        return cpu::noise_blend_masked(latent, noise, mask, scale);
    }
    Tensor noise_blend_lerp(const Tensor& latent, const Tensor& noise, const Tensor& mask, float scale,
                            const Tensor& clean) override {
        return cpu::noise_blend_lerp(latent, noise, mask, scale, clean);
    }

    Tensor latent_to_pixel_coords(const Tensor& bounds, const std::array<int64_t, 3>& scale, bool causal_fix) override {
        return cpu::latent_to_pixel_coords(bounds, scale, causal_fix);
    }
    Tensor pixel_coords_to_positions(const Tensor& coords, int64_t time_offset, float fps,
                                     int64_t spatial_factor) override {
        return cpu::pixel_coords_to_positions(coords, time_offset, fps, spatial_factor);
    }
    Tensor time_window_mask(const Tensor& positions, float start, float end, int64_t per_token) override {
        return cpu::time_window_mask(positions, start, end, per_token);
    }

    Tensor lora_delta(const Tensor& a, const Tensor& b, double strength) override {
        return cpu::lora_delta(a, b, strength);
    }
    void add_rounded_inplace(Tensor& sum, const Tensor& delta, DType rounding) override {
        cpu::add_rounded_inplace(sum, delta, rounding);
    }
    void fuse_lora_delta(const Tensor& weight, const Tensor& delta_sum, Tensor& fused, Tensor& rounded_delta) override {
        cpu::fuse_lora_delta(weight, delta_sum, fused, rounded_delta);
    }

    Tensor resize_bilinear_window(const Tensor& frames, int64_t resized_h, int64_t resized_w, int64_t top, int64_t left,
                                  int64_t height, int64_t width) override {
        return cpu::resize_bilinear_window(frames, resized_h, resized_w, top, left, height, width);
    }
    Tensor pixels_to_signed_unit(const Tensor& x) override { return cpu::pixels_to_signed_unit(x); }


    // --- transformer, text encoder, Gemma 3, vocoder and duration head ---
    void mul_scalar_inplace(Tensor& x, float s) override { cpu::mul_scalar_inplace(x, s); }
    void div_scalar_inplace(Tensor& x, float s) override { cpu::div_scalar_inplace(x, s); }
    void mul_inplace(Tensor& x, const Tensor& y) override { cpu::mul_inplace(x, y); }
    Tensor weighted_sum(const Tensor& a, float alpha, const Tensor& b, float beta) override {
        return cpu::weighted_sum(a, alpha, b, beta);
    }
    void exp_inplace(Tensor& x) override { cpu::exp_inplace(x); }
    void tanh_inplace(Tensor& x) override { cpu::tanh_inplace(x); }
    void clamp_inplace(Tensor& x, float lo, float hi) override { cpu::clamp_inplace(x, lo, hi); }
    void leaky_relu_inplace(Tensor& x, float slope) override { cpu::leaky_relu_inplace(x, slope); }
    void log_clamped_inplace(Tensor& x, float floor) override { cpu::log_clamped_inplace(x, floor); }
    void round_to_bf16_inplace(Tensor& x) override { cpu::round_to_bf16_inplace(x); }

    Tensor add_row(const Tensor& x, const Tensor& row) override { return cpu::add_row(x, row); }
    void add_row_where_inplace(Tensor& x, const Tensor& row, const Tensor& mask) override {
        cpu::add_row_where_inplace(x, row, mask);
    }
    void apply_head_gates_inplace(Tensor& x, Tensor& logits) override { cpu::apply_head_gates_inplace(x, logits); }
    Tensor denoised_from_velocity(const Tensor& latent, const Tensor& velocity, const Tensor& sigma) override {
        return cpu::denoised_from_velocity(latent, velocity, sigma);
    }

    Tensor key_bias_from_mask(const Tensor& mask) override { return cpu::key_bias_from_mask(mask); }
    Tensor log_weight_bias(const Tensor& weights) override { return cpu::log_weight_bias(weights); }
    std::vector<int64_t> equal_row_runs(const Tensor& bias) override { return cpu::equal_row_runs(bias); }

    std::vector<float> copy_to_host(const Tensor& x) override { return cpu::copy_to_host(x); }

    Tensor cos_sin_embedding(const Tensor& t, const Tensor& frequencies) override {
        return cpu::cos_sin_embedding(t, frequencies);
    }
    Tensor complex_magnitude(const Tensor& spec) override { return cpu::complex_magnitude(spec); }

    Tensor state_mean_range(const std::vector<Tensor>& states, float eps, bool bf16) override {
        return cpu::state_mean_range(states, eps, bf16);
    }
    void range_normalized_features(const std::vector<Tensor>& states, const Tensor& stats, float scale, bool bf16,
                                   int64_t d0, int64_t d1, Tensor& features) override {
        cpu::range_normalized_features(states, stats, scale, bf16, d0, d1, features);
    }
    Tensor state_inverse_rms(const std::vector<Tensor>& states, float eps, bool bf16) override {
        return cpu::state_inverse_rms(states, eps, bf16);
    }
    void rms_normalized_features(const std::vector<Tensor>& states, const Tensor& r, float scale, bool bf16,
                                 int64_t d0, int64_t d1, Tensor& features) override {
        cpu::rms_normalized_features(states, r, scale, bf16, d0, d1, features);
    }
};

}  // namespace

Backend& cpu_backend() {
    static CpuBackend backend;
    return backend;
}

}  // namespace ltx2
