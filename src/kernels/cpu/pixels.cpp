// Decoded video to displayable pixels (ops/pixels.h).
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "core/error.h"
#include "kernels/cpu/vae_kernels.h"

namespace ltx2::cpu {

namespace {

float unit_rgb(float x) {
    const float y = (x + 1.0f) / 2.0f;
    return std::isnan(y) ? 0.f : std::clamp(y, 0.0f, 1.0f);
}

}  // namespace

Tensor unit_rgb_frames(const Tensor& v_in) {
    LTX2_CHECK(v_in.defined() && v_in.dtype() == DType::F32 && v_in.dim() == 4 && v_in.size(0) == 3,
               "unit RGB frames: expected F32 [3, F, H, W], got {}",
               v_in.defined() ? shape_str(v_in.shape()) : std::string("undefined"));
    const Tensor v = v_in.contiguous();
    const int64_t F = v.size(1), H = v.size(2), W = v.size(3), S = F * H * W;
    Tensor out = Tensor::empty({F, H, W, 3});
    const float* s = v.f32();
    float* o = out.f32();
#pragma omp parallel for schedule(static) if (S >= (1 << 16))
    for (int64_t i = 0; i < S; ++i)
        for (int64_t c = 0; c < 3; ++c) o[i * 3 + c] = unit_rgb(s[c * S + i]);
    return out;
}

Tensor unit_to_uint8(const Tensor& x_in) {
    LTX2_CHECK(x_in.defined() && x_in.dtype() == DType::F32, "unit to uint8: expected an F32 tensor, got {}",
               x_in.defined() ? dtype_name(x_in.dtype()) : "undefined");
    const Tensor x = x_in.contiguous();
    Tensor out = Tensor::empty(x.shape(), DType::U8);
    const float* s = x.f32();
    uint8_t* o = out.data<uint8_t>();
    const int64_t n = x.numel();
#pragma omp parallel for schedule(static) if (n >= (1 << 16))
    for (int64_t i = 0; i < n; ++i) o[i] = uint8_t(s[i] * 255.0f);  // truncation
    return out;
}

}  // namespace ltx2::cpu
