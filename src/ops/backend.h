#pragma once
// The seam between the models and the hardware. A Backend implements every op of ops/*.h for the
// tensors of one device; the free functions there pick it from their tensors' device
// (call_backend). The CPU kernels (kernels/cpu) implement the one for Device::Cpu and
// Device::CheckedCpu. A new backend is a new kernels/<name>/ folder implementing this interface,
// one Device value, and its case in backend_for.
#include <array>
#include <source_location>
#include <span>

#include "core/device.h"
#include "core/ggml_tensor.h"
#include "core/host_access.h"
#include "ops/op_params.h"
#include "ops/op_profile.h"
#include "ops/vae_params.h"

namespace ltx2 {

class Backend {
public:
    virtual ~Backend() = default;
    virtual const char* name() const = 0;

    // ops/linear.h. `precision` is the products' (product_precision), whatever the weight's dtype.
    virtual void linear_into(const Tensor& x, const Tensor& weight, const Tensor& bias, Tensor& y,
                             Precision precision) = 0;
    virtual Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias, Precision precision) = 0;
    virtual void matmul(const Tensor& a, const Tensor& b, Tensor& c) = 0;
    // ops/attention.h
    virtual Tensor attention(const Tensor& q, const Tensor& k, const Tensor& v, const AttentionOptions& options) = 0;
    virtual Tensor neighborhood_attention_3d(const Tensor& q, const Tensor& k, const Tensor& v, int heads,
                                             const std::array<int, 3>& kernel, Precision precision) = 0;
    // ops/conv.h. `precision` as for linear.
    virtual Tensor conv_nd(const Tensor& x, const Tensor& weight, const Tensor& bias, const ConvParams& p,
                           Precision precision) = 0;
    virtual Tensor conv_transpose_nd(const Tensor& x, const Tensor& weight, const Tensor& bias,
                                     const ConvTransposeParams& p, Precision precision) = 0;
    virtual Tensor pad_nd(const Tensor& x, const std::vector<int64_t>& before, const std::vector<int64_t>& after,
                          PadMode mode, float value) = 0;
    // ops/elementwise.h
    virtual void gelu_tanh_inplace(Tensor& x) = 0;
    virtual void silu_inplace(Tensor& x) = 0;
    virtual void add_inplace(Tensor& x, const Tensor& y) = 0;
    virtual void modulate_inplace(Tensor& x, const Tensor& scale, const Tensor& shift) = 0;
    virtual void add_gated_inplace(Tensor& x, const Tensor& y, const Tensor& gate) = 0;
    virtual void modulate_inplace(Tensor& x, const AdaValue& scale, const AdaValue& shift) = 0;
    virtual void add_gated_inplace(Tensor& x, const Tensor& y, const AdaValue& gate) = 0;
    // ops/norm.h
    virtual Tensor rms_norm(const Tensor& x, const Tensor& weight, float eps) = 0;
    virtual void rms_norm_inplace(Tensor& x, const Tensor& weight, float eps) = 0;
    virtual Tensor layer_norm(const Tensor& x, float eps) = 0;
    virtual Tensor pixel_norm(const Tensor& x, double eps) = 0;
    // ops/rope.h
    virtual RopeTable rope_table(const Tensor& positions, const RopeSpec& spec) = 0;
    virtual void rope_apply_inplace(Tensor& x, const RopeTable& table) = 0;
    virtual void rope_3axis_inplace(Tensor& x, int heads, const std::array<int, 3>& split, int64_t w_position0,
                                    double theta) = 0;
    // ops/resample.h
    virtual Tensor fir_upsample(const Tensor& x, const FirUpsampleSpec& up) = 0;
    virtual Tensor snake_beta_resampled(const Tensor& x, const Tensor& alpha, const Tensor& inv_beta,
                                        const FirUpsampleSpec& up, const FirDownsampleSpec& down) = 0;
    // ops/weights.h
    virtual void decode_ggml_into(GgmlType type, const Tensor& blocks, Tensor& out) = 0;
    virtual Tensor decode_ggml_rows(const GgmlTensor& table, std::span<const int64_t> ids) = 0;
    virtual Tensor gather_rows(const Tensor& table, std::span<const int64_t> ids) = 0;
    virtual Tensor ggml_matvec(const GgmlTensor& w, const Tensor& x) = 0;
    virtual void decode_fp8_into(const Tensor& w, float scale, Tensor& out) = 0;

    // --- VAEs, DiffVAE and upsamplers ---
    // ops/channel_statistics.h
    virtual Tensor apply_channel_statistics(const Tensor& x, const Tensor& std, const Tensor& mean,
                                            StatisticsDirection direction) = 0;
    virtual void modulate_channels_inplace(Tensor& x, const Tensor& scale, const Tensor& shift) = 0;
    // ops/depth_to_space.h
    virtual Tensor depth_to_space_3d(const Tensor& x, const std::array<int, 3>& stride, int64_t drop_frames,
                                     ChannelLayout layout) = 0;
    virtual Tensor space_to_depth_3d(const Tensor& x, const std::array<int, 3>& stride) = 0;
    virtual void add_repeated_channels_inplace(Tensor& x, const Tensor& r) = 0;
    virtual void add_channel_group_means_inplace(Tensor& x, const Tensor& s) = 0;
    // ops/tile_blend.h
    virtual void accumulate_masked_tile(const Tensor& values, const Tensor& weights, const Tensor& tile,
                                        const Tensor& mask_t, const Tensor& mask_h, const Tensor& mask_w,
                                        MaskProduct order) = 0;
    virtual void divide_by_weights(const Tensor& values, const Tensor& weights, Tensor& out) = 0;
    // ops/views.h
    virtual void copy_into_view(const Tensor& dst, const Tensor& src) = 0;
    virtual void add_into_view(const Tensor& dst, const Tensor& src) = 0;
    // ops/group_norm.h
    virtual void group_norm_inplace(Tensor& x, int groups, const Tensor& weight, const Tensor& bias, float eps,
                                    bool per_frame, bool silu) = 0;
    // ops/feature_resample.h
    virtual Tensor upsample_nearest_2x(const Tensor& x) = 0;
    virtual Tensor blur_downsample_2d(const Tensor& x, const Tensor& kernel, int stride) = 0;
    // ops/audio_features.h
    virtual Tensor sinc_resample(const Tensor& x, int source_rate, int target_rate) = 0;
    virtual Tensor log_mel_spectrogram(const Tensor& x, const MelSpectrogramSpec& spec) = 0;
    // ops/pixels.h
    virtual Tensor unit_rgb_frames(const Tensor& v) = 0;
    virtual Tensor unit_to_uint8(const Tensor& x) = 0;

    // --- diffusion, LoRA and pipelines ---
    // ops/denoising.h
    virtual Tensor velocity_from_denoised(const Tensor& sample, const Tensor& denoised, float sigma) = 0;
    virtual Tensor euler_update(const Tensor& sample, const Tensor& velocity, float dt) = 0;
    virtual Tensor ancestral_update(const Tensor& sample, const Tensor& denoised, const Tensor& noise,
                                    float sample_weight, float denoised_weight, float rescale, float noise_scale,
                                    float noise_weight) = 0;
    virtual Tensor masked_blend(const Tensor& a, const Tensor& mask, const Tensor& b) = 0;
    // ops/guidance.h
    virtual Tensor scaled_difference(float scale, const Tensor& a, const Tensor& b, const Tensor& coef) = 0;
    virtual Tensor guidance_sum(const Tensor& cond, std::span<const float> weights,
                                std::span<const Tensor> others) = 0;
    virtual Tensor projection_coefficients(const Tensor& a, const Tensor& b) = 0;
    virtual void cap_group_norm_inplace(Tensor& g, int64_t group, float threshold) = 0;
    virtual Tensor apg_blend(const Tensor& g, const Tensor& cond, const Tensor& coef, float eta, float scale) = 0;
    virtual void momentum_accumulate_inplace(Tensor& average, const Tensor& g, float momentum) = 0;
    virtual void std_rescale_inplace(Tensor& pred, const Tensor& reference, double rescale) = 0;
    // ops/noising.h
    virtual Tensor noise_blend_masked(const Tensor& latent, const Tensor& noise, const Tensor& mask, float scale) = 0;
    virtual Tensor noise_blend_lerp(const Tensor& latent, const Tensor& noise, const Tensor& mask, float scale,
                                    const Tensor& clean) = 0;
    // ops/positions.h
    virtual Tensor latent_to_pixel_coords(const Tensor& bounds, const std::array<int64_t, 3>& scale,
                                          bool causal_fix) = 0;
    virtual Tensor pixel_coords_to_positions(const Tensor& coords, int64_t time_offset, float fps,
                                             int64_t spatial_factor) = 0;
    virtual Tensor time_window_mask(const Tensor& positions, float start, float end, int64_t per_token) = 0;
    // ops/lora_fusion.h
    virtual Tensor lora_delta(const Tensor& a, const Tensor& b, double strength) = 0;
    virtual void add_rounded_inplace(Tensor& sum, const Tensor& delta, DType rounding) = 0;
    virtual void fuse_lora_delta(const Tensor& weight, const Tensor& delta_sum, Tensor& fused,
                                 Tensor& rounded_delta) = 0;
    // ops/media.h
    virtual Tensor resize_bilinear_window(const Tensor& frames, int64_t resized_h, int64_t resized_w, int64_t top,
                                          int64_t left, int64_t height, int64_t width) = 0;
    virtual Tensor pixels_to_signed_unit(const Tensor& x) = 0;

    // --- transformer, text encoder, Gemma 3, vocoder and duration head ---
    // ops/pointwise.h
    virtual void mul_scalar_inplace(Tensor& x, float s) = 0;
    virtual void div_scalar_inplace(Tensor& x, float s) = 0;
    virtual void mul_inplace(Tensor& x, const Tensor& y) = 0;
    virtual Tensor weighted_sum(const Tensor& a, float alpha, const Tensor& b, float beta) = 0;
    virtual void exp_inplace(Tensor& x) = 0;
    virtual void tanh_inplace(Tensor& x) = 0;
    virtual void clamp_inplace(Tensor& x, float lo, float hi) = 0;
    virtual void leaky_relu_inplace(Tensor& x, float slope) = 0;
    virtual void log_clamped_inplace(Tensor& x, float floor) = 0;
    virtual void round_to_bf16_inplace(Tensor& x) = 0;
    // ops/rows.h
    virtual Tensor add_row(const Tensor& x, const Tensor& row) = 0;
    virtual void add_row_where_inplace(Tensor& x, const Tensor& row, const Tensor& mask) = 0;
    virtual void apply_head_gates_inplace(Tensor& x, Tensor& logits) = 0;
    virtual Tensor denoised_from_velocity(const Tensor& latent, const Tensor& velocity, const Tensor& sigma) = 0;
    // ops/masks.h
    virtual Tensor key_bias_from_mask(const Tensor& mask) = 0;
    virtual Tensor log_weight_bias(const Tensor& weights) = 0;
    virtual std::vector<int64_t> equal_row_runs(const Tensor& bias) = 0;
    // ops/host.h
    virtual std::vector<float> copy_to_host(const Tensor& x) = 0;
    // ops/sinusoid.h
    virtual Tensor cos_sin_embedding(const Tensor& t, const Tensor& frequencies) = 0;
    // ops/spectral.h
    virtual Tensor complex_magnitude(const Tensor& spec) = 0;
    // ops/text_features.h
    virtual Tensor state_mean_range(const std::vector<Tensor>& states, float eps, bool bf16) = 0;
    virtual void range_normalized_features(const std::vector<Tensor>& states, const Tensor& stats, float scale,
                                           bool bf16, int64_t d0, int64_t d1, Tensor& features) = 0;
    virtual Tensor state_inverse_rms(const std::vector<Tensor>& states, float eps, bool bf16) = 0;
    virtual void rms_normalized_features(const std::vector<Tensor>& states, const Tensor& r, float scale, bool bf16,
                                         int64_t d0, int64_t d1, Tensor& features) = 0;
};

// The backend that computes on `device`'s tensors.
Backend& backend_for(Device device);

// A backend for the duration of one op call (`call_backend(...)->linear(...)`): while it lives,
// the backend may touch the data of tensors the host cannot address (core/host_access.h), and new
// tensors of the calling thread are created on the op's device.
// It also times the call for the op profile (ops/op_profile.h) when that is on.
class BackendCall {
public:
    BackendCall(Backend& backend, Device device, const char* op_function)
        : timer_(op_function), device_(device), backend_(backend) {}
    Backend* operator->() const { return &backend_; }

private:
    OpTimer timer_;
    OpScope scope_;
    DeviceScope device_;
    Backend& backend_;
};

// The backend of an op's tensors: that of the first one not in host memory (Device::Cpu), which
// every such tensor must share (throws naming the op and both devices otherwise). Host tensors,
// such as weights mapped from files, may join an op on any device; an op whose tensors are all in
// host memory runs on default_device().
// `caller` names the op in the op profile.
BackendCall call_backend(Device device, std::source_location caller = std::source_location::current());
BackendCall call_backend(const char* op, std::initializer_list<const Tensor*> tensors,
                         std::source_location caller = std::source_location::current());

// Defined by the CPU kernels (kernels/cpu/cpu_backend.cpp).
Backend& cpu_backend();

}  // namespace ltx2
