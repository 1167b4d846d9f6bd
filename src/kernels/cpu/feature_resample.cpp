// Fixed-kernel resampling of feature-map planes (ops/feature_resample.h).
#include <vector>

#include "core/error.h"
#include "kernels/cpu/vae_kernels.h"

namespace ltx2::cpu {

Tensor upsample_nearest_2x(const Tensor& x_in) {
    LTX2_CHECK(x_in.defined() && x_in.dtype() == DType::F32 && x_in.dim() >= 2,
               "nearest 2x upsampling: expected F32 [..., T, F], got {}",
               x_in.defined() ? shape_str(x_in.shape()) : std::string("undefined"));
    const Tensor x = x_in.contiguous();
    const int64_t T = x.size(-2), F = x.size(-1), planes = T * F > 0 ? x.numel() / (T * F) : 0;
    Shape shape = x.shape();
    shape[shape.size() - 2] = 2 * T;
    shape[shape.size() - 1] = 2 * F;
    Tensor out = Tensor::empty(shape);
    const float* src = x.f32();
    float* dst = out.f32();
#pragma omp parallel for schedule(static) if (out.numel() >= (1 << 16))
    for (int64_t n = 0; n < planes; ++n)
        for (int64_t t = 0; t < 2 * T; ++t) {
            const float* row = src + (n * T + t / 2) * F;
            float* o = dst + (n * 2 * T + t) * 2 * F;
            for (int64_t f = 0; f < 2 * F; ++f) o[f] = row[f / 2];
        }
    return out;
}

Tensor blur_downsample_2d(const Tensor& x_in, const Tensor& kernel, int stride) {
    LTX2_CHECK(x_in.defined() && x_in.dtype() == DType::F32 && x_in.dim() >= 2,
               "blur downsample: expected F32 [..., H, W], got {}",
               x_in.defined() ? shape_str(x_in.shape()) : std::string("undefined"));
    LTX2_CHECK(stride >= 1, "blur downsample: stride {} must be >= 1", stride);
    LTX2_CHECK(kernel.defined() && kernel.dim() == 4 && kernel.size(0) == 1 && kernel.size(1) == 1 &&
                   kernel.size(2) == kernel.size(3) && kernel.size(2) % 2 == 1,
               "blur downsample: kernel must be [1, 1, k, k] with k odd, got {}",
               kernel.defined() ? shape_str(kernel.shape()) : std::string("undefined"));
    const std::vector<float> kern = kernel.to_vector();
    const int64_t K = kernel.size(2), pad = K / 2;
    const Tensor x = x_in.contiguous();
    const int64_t H = x.size(-2), W = x.size(-1);
    const int64_t planes = H * W > 0 ? x.numel() / (H * W) : 0;
    const int64_t Ho = (H + 2 * pad - K) / stride + 1, Wo = (W + 2 * pad - K) / stride + 1;
    LTX2_CHECK(Ho >= 1 && Wo >= 1, "blur downsample: input {} is too small", shape_str(x.shape()));
    Shape out_shape = x.shape();
    out_shape[out_shape.size() - 2] = Ho;
    out_shape[out_shape.size() - 1] = Wo;
    Tensor out = Tensor::empty(out_shape);
    const float* src = x.f32();
    float* dst = out.f32();
#pragma omp parallel for schedule(static)
    for (int64_t p = 0; p < planes; ++p) {
        const float* s = src + p * H * W;
        float* d = dst + p * Ho * Wo;
        for (int64_t oh = 0; oh < Ho; ++oh)
            for (int64_t ow = 0; ow < Wo; ++ow) {
                float acc = 0.f;
                for (int64_t kh = 0; kh < K; ++kh) {
                    const int64_t ih = oh * stride + kh - pad;
                    if (ih < 0 || ih >= H) continue;
                    for (int64_t kw = 0; kw < K; ++kw) {
                        const int64_t iw = ow * stride + kw - pad;
                        if (iw < 0 || iw >= W) continue;
                        acc += s[ih * W + iw] * kern[size_t(kh * K + kw)];
                    }
                }
                d[oh * Wo + ow] = acc;
            }
    }
    return out;
}

}  // namespace ltx2::cpu
