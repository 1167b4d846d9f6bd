#include "models/upsampler/ops.h"

#include <cmath>
#include <vector>

#include "core/error.h"

namespace ltx2 {

void upsampler_group_norm_inplace(Tensor& x, int groups, const Tensor& weight, const Tensor& bias, float eps,
                                  bool per_frame, bool silu) {
    LTX2_CHECK(x.dim() == 5 && x.dtype() == DType::F32 && x.is_contiguous(),
               "group norm: expected a contiguous F32 [B, C, F, H, W] tensor, got {} {}", shape_str(x.shape()),
               dtype_name(x.dtype()));
    const int64_t B = x.size(0), C = x.size(1), F = x.size(2), HW = x.size(3) * x.size(4);
    LTX2_CHECK(groups > 0 && C % groups == 0, "group norm: {} channels do not split into {} groups", C, groups);
    LTX2_CHECK(weight.numel() == C && bias.numel() == C, "group norm: affine parameters have {} / {} values, expected {}",
               weight.numel(), bias.numel(), C);
    const std::vector<float> w = weight.to_vector();
    const std::vector<float> bv = bias.to_vector();
    const int64_t cg = C / groups;
    const int64_t n_frames = per_frame ? F : 1;     // statistics units along time
    const int64_t len = per_frame ? HW : F * HW;   // contiguous run per channel and unit
    float* data = x.f32();
    const int64_t units = B * groups * n_frames;
#pragma omp parallel for schedule(static)
    for (int64_t u = 0; u < units; ++u) {
        const int64_t fi = u % n_frames;
        const int64_t g = (u / n_frames) % groups;
        const int64_t b = u / (n_frames * groups);
        auto run = [&](int64_t c) { return data + ((b * C + c) * F) * HW + fi * len; };
        double sum = 0;
        for (int64_t c = g * cg; c < (g + 1) * cg; ++c) {
            const float* p = run(c);
            for (int64_t i = 0; i < len; ++i) sum += p[i];
        }
        const double count = double(cg * len);
        const double mean = sum / count;
        double sq = 0;
        for (int64_t c = g * cg; c < (g + 1) * cg; ++c) {
            const float* p = run(c);
            for (int64_t i = 0; i < len; ++i) {
                const double d = p[i] - mean;
                sq += d * d;
            }
        }
        const double rstd = 1.0 / std::sqrt(sq / count + double(eps));
        for (int64_t c = g * cg; c < (g + 1) * cg; ++c) {
            float* p = run(c);
            const double scale = rstd * w[size_t(c)];
            const double shift = bv[size_t(c)] - mean * scale;
            for (int64_t i = 0; i < len; ++i) {
                float v = float(p[i] * scale + shift);
                if (silu) v = v / (1.f + std::exp(-v));
                p[i] = v;
            }
        }
    }
}

Tensor pixel_shuffle_3d(const Tensor& x_in, int pf, int ph, int pw) {
    LTX2_CHECK(x_in.dim() == 5, "pixel shuffle: expected [B, C, F, H, W], got {}", shape_str(x_in.shape()));
    const int64_t factor = int64_t(pf) * ph * pw;
    LTX2_CHECK(factor > 0 && x_in.size(1) % factor == 0, "pixel shuffle: {} channels are not a multiple of {}",
               x_in.size(1), factor);
    const Tensor x = x_in.to(DType::F32);
    const int64_t B = x.size(0), C = x.size(1) / factor, F = x.size(2), H = x.size(3), W = x.size(4);
    const int64_t Fo = F * pf, Ho = H * ph, Wo = W * pw;
    Tensor out = Tensor::zeros({B, C, Fo, Ho, Wo});
    const float* src = x.f32();
    float* dst = out.f32();
    const int64_t planes = B * C * factor;
#pragma omp parallel for schedule(static)
    for (int64_t plane = 0; plane < planes; ++plane) {
        const int64_t sub = plane % factor;  // i·ph·pw + j·pw + k
        const int64_t bc = plane / factor;   // b·C + c
        const int64_t i = sub / (int64_t(ph) * pw), j = (sub / pw) % ph, k = sub % pw;
        const float* s = src + plane * F * H * W;
        float* d = dst + bc * Fo * Ho * Wo;
        for (int64_t f = 0; f < F; ++f)
            for (int64_t h = 0; h < H; ++h) {
                float* row = d + ((f * pf + i) * Ho + h * ph + j) * Wo + k;
                const float* srow = s + (f * H + h) * W;
                for (int64_t w = 0; w < W; ++w) row[w * pw] = srow[w];
            }
    }
    return out;
}

Tensor binomial_blur_kernel(int kernel_size) {
    LTX2_CHECK(kernel_size >= 3 && kernel_size % 2 == 1, "blur kernel size {} must be odd and >= 3", kernel_size);
    std::vector<double> row(size_t(kernel_size), 1.0);
    for (int k = 1; k < kernel_size; ++k) row[size_t(k)] = row[size_t(k - 1)] * double(kernel_size - k) / double(k);
    double total = 0;
    for (double a : row)
        for (double b : row) total += a * b;
    std::vector<float> values;
    for (double a : row)
        for (double b : row) values.push_back(float(a * b / total));
    return Tensor::from_f32({1, 1, kernel_size, kernel_size}, values);
}

Tensor blur_downsample(const Tensor& x_in, int stride, const Tensor& kernel_in) {
    LTX2_CHECK(x_in.dim() == 4 || x_in.dim() == 5, "blur downsample: expected [N, C, H, W] or [B, C, F, H, W], got {}",
               shape_str(x_in.shape()));
    LTX2_CHECK(stride >= 1, "blur downsample: stride {} must be >= 1", stride);
    LTX2_CHECK(kernel_in.dim() == 4 && kernel_in.size(0) == 1 && kernel_in.size(1) == 1 &&
                   kernel_in.size(2) == kernel_in.size(3) && kernel_in.size(2) % 2 == 1,
               "blur downsample: kernel must be [1, 1, k, k] with k odd, got {}", shape_str(kernel_in.shape()));
    if (stride == 1) return x_in;
    const std::vector<float> kern = kernel_in.to_vector();
    const int64_t K = kernel_in.size(2), pad = K / 2;
    const Tensor x = x_in.to(DType::F32);
    const int64_t H = x.size(-2), W = x.size(-1);
    const int64_t planes = x.numel() / (H * W);
    const int64_t Ho = (H + 2 * pad - K) / stride + 1, Wo = (W + 2 * pad - K) / stride + 1;
    LTX2_CHECK(Ho >= 1 && Wo >= 1, "blur downsample: input {} is too small", shape_str(x.shape()));
    Shape out_shape = x.shape();
    out_shape[out_shape.size() - 2] = Ho;
    out_shape[out_shape.size() - 1] = Wo;
    Tensor out = Tensor::zeros(out_shape);
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

}  // namespace ltx2
