#include "kernels/cpu/resample.h"

#include <vector>

#include "core/error.h"
#include "kernels/cpu/elementwise.h"
#include "kernels/cpu/fir_resample.h"

namespace ltx2::cpu {

namespace {

Tensor f32_signal(const Tensor& x, const char* op) {
    LTX2_CHECK(x.dim() == 3, "{}: input {} must be (B, C, L)", op, shape_str(x.shape()));
    return x.dtype() == DType::F32 ? x.contiguous() : x.to(DType::F32);
}

FirUpsample row_upsample(const FirUpsampleSpec& s) {
    return {s.taps.f32(), s.taps.numel(), s.ratio, s.pad, s.crop_left, s.crop_right, s.gain};
}

FirDownsample row_downsample(const FirDownsampleSpec& s) {
    return {s.taps.f32(), s.taps.numel(), s.ratio, s.pad_left, s.pad_right};
}

}  // namespace

Tensor fir_upsample(const Tensor& x_in, const FirUpsampleSpec& spec) {
    const Tensor x = f32_signal(x_in, "FIR upsampling");
    const FirUpsample up = row_upsample(spec);
    const int64_t L = x.size(2), rows = x.size(0) * x.size(1), out_len = fir_upsampled_length(L, up);
    Tensor out = Tensor::empty({x.size(0), x.size(1), out_len});
    const float* src = x.f32();
    float* dst = out.f32();
#pragma omp parallel for schedule(static)
    for (int64_t r = 0; r < rows; ++r) fir_upsample_row(src + r * L, L, up, dst + r * out_len);
    return out;
}

Tensor snake_beta_resampled(const Tensor& x_in, const Tensor& alpha_in, const Tensor& inv_beta_in,
                            const FirUpsampleSpec& up_spec, const FirDownsampleSpec& down_spec) {
    const Tensor x = f32_signal(x_in, "anti-aliased SnakeBeta");
    const int64_t C = x.size(1), L = x.size(2), rows = x.size(0) * C;
    LTX2_CHECK(alpha_in.numel() == C && inv_beta_in.numel() == C,
               "anti-aliased SnakeBeta: input {} has {} channels, alpha and 1/beta hold {} and {}",
               shape_str(x.shape()), C, alpha_in.numel(), inv_beta_in.numel());
    const FirUpsample up = row_upsample(up_spec);
    const FirDownsample down = row_downsample(down_spec);
    const int64_t upsampled = fir_upsampled_length(L, up), out_len = fir_downsampled_length(upsampled, down);
    Tensor out = Tensor::empty({x.size(0), C, out_len});
    const Tensor alpha = alpha_in.to(DType::F32), inv_beta = inv_beta_in.to(DType::F32);
    const float* a = alpha.f32();
    const float* ib = inv_beta.f32();
    const float* src = x.f32();
    float* dst = out.f32();
#pragma omp parallel
    {
        std::vector<float> h(static_cast<size_t>(upsampled));
#pragma omp for schedule(static)
        for (int64_t r = 0; r < rows; ++r) {
            fir_upsample_row(src + r * L, L, up, h.data());
            snake_beta_row(h.data(), upsampled, a[r % C], ib[r % C]);
            fir_downsample_row(h.data(), upsampled, down, dst + r * out_len);
        }
    }
    return out;
}

}  // namespace ltx2::cpu
