#include "kernels/cpu/spectral.h"

#include <cmath>

#include "core/error.h"

namespace ltx2::cpu {

Tensor complex_magnitude(const Tensor& spec) {
    LTX2_CHECK(spec.defined() && spec.dtype() == DType::F32 && spec.dim() == 3 && spec.size(1) % 2 == 0,
               "complex_magnitude: spec must be F32 [R, 2F, T], got {}",
               spec.defined() ? shape_str(spec.shape()) : "undefined");
    const Tensor sc = spec.contiguous();
    const int64_t R = sc.size(0), F = sc.size(1) / 2, T = sc.size(2);
    const float* s = sc.f32();
    Tensor magnitude = Tensor::empty({R, F, T});
    float* m = magnitude.f32();
#pragma omp parallel for schedule(static) if (R * F * T >= (1 << 15))
    for (int64_t rf = 0; rf < R * F; ++rf) {
        const int64_t r = rf / F, f = rf % F;
        for (int64_t t = 0; t < T; ++t) {
            const float re = s[(r * 2 * F + f) * T + t], im = s[(r * 2 * F + F + f) * T + t];
            m[(r * F + f) * T + t] = std::sqrt(re * re + im * im);
        }
    }
    return magnitude;
}

}  // namespace ltx2::cpu
