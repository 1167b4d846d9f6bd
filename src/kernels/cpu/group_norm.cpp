// GroupNorm of 5-D feature maps with an optional fused SiLU (ops/group_norm.h).
#include <cmath>
#include <vector>

#include "core/error.h"
#include "kernels/cpu/vae_kernels.h"

namespace ltx2::cpu {

void group_norm_inplace(Tensor& x, int groups, const Tensor& weight, const Tensor& bias, float eps, bool per_frame,
                        bool silu) {
    LTX2_CHECK(x.dim() == 5 && x.dtype() == DType::F32 && x.is_contiguous() && x.storage()->writable(),
               "group norm: expected a writable contiguous F32 [B, C, F, H, W] tensor, got {} {}",
               shape_str(x.shape()), dtype_name(x.dtype()));
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

}  // namespace ltx2::cpu
