#include "kernels/cpu/sinusoid.h"

#include <cmath>

#include "core/error.h"

namespace ltx2::cpu {

Tensor cos_sin_embedding(const Tensor& t, const Tensor& frequencies) {
    LTX2_CHECK(t.defined() && frequencies.defined() && t.dtype() == DType::F32 && frequencies.dtype() == DType::F32,
               "cos_sin_embedding: the values and the frequencies must be F32 tensors");
    const Tensor tc = t.contiguous(), fc = frequencies.contiguous();
    const int64_t n = tc.numel(), F = fc.numel();
    const float* tv = tc.f32();
    const float* f = fc.f32();
    Tensor out = Tensor::empty({n, 2 * F});
    float* o = out.f32();
#pragma omp parallel for schedule(static) if (n * F >= (1 << 14))
    for (int64_t r = 0; r < n; ++r)
        for (int64_t i = 0; i < F; ++i) {
            const float arg = tv[r] * f[i];  // float32 product
            o[r * 2 * F + i] = float(std::cos(double(arg)));
            o[r * 2 * F + F + i] = float(std::sin(double(arg)));
        }
    return out;
}

}  // namespace ltx2::cpu
