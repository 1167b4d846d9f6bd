#include "models/diffvae/geometry.h"

#include <algorithm>
#include <vector>

#include "core/error.h"
#include "ops/views.h"

namespace ltx2 {

Tensor resize_axis(const Tensor& x, int axis, int64_t size, AxisResize mode, AxisPad* pad) {
    const int64_t length = x.size(axis);
    LTX2_CHECK(size >= 1 && length >= 1, "resize_axis: cannot resize an axis of {} to {}", length, size);
    int64_t before = 0;
    if (mode == AxisResize::Symmetric) before = size > length ? (size - length) / 2 : -((length - size) / 2);
    if (pad) {
        pad->before = std::max<int64_t>(before, 0);
        pad->after = std::max<int64_t>(size - length - before, 0);
    }
    Shape shape = x.shape();
    shape[size_t(axis)] = size;
    Tensor out = Tensor::zeros(shape);
    for (int64_t i = 0; i < size; ++i) {
        const int64_t src = std::clamp<int64_t>(i - before, 0, length - 1);
        copy_into_view(out.slice(axis, i, i + 1), x.slice(axis, src, src + 1));
    }
    return out;
}

Int3 diffvae_min_latent_shape(const DiffVaeConfig& c) {
    Int3 mins{1, 1, 1}, cumulative{1, 1, 1};
    auto ceil_div = [](int a, int b) { return (a + b - 1) / b; };
    for (int s = 0; s < DiffVaeConfig::kStages; ++s) {
        const Int3& kernel = s + 1 < DiffVaeConfig::kStages ? c.stage_kernels[size_t(s)] : c.stage5_kernel;
        for (size_t a = 0; a < 3; ++a) mins[a] = std::max(mins[a], ceil_div(kernel[a], cumulative[a]));
        if (s + 1 < DiffVaeConfig::kStages)
            for (size_t a = 0; a < 3; ++a) cumulative[a] *= c.upsamples[size_t(s)].stride[a];
    }
    return mins;
}

Tensor pixel_shuffle_channels_last(const Tensor& x_in, const Int3& stride, bool drop_leading_frame) {
    const Tensor x = x_in.contiguous();
    LTX2_CHECK(x.dim() == 5 && x.dtype() == DType::F32, "pixel shuffle: expected F32 [B, T, H, W, C], got {}",
               shape_str(x.shape()));
    const int64_t p1 = stride[0], p2 = stride[1], p3 = stride[2], P = p1 * p2 * p3;
    const int64_t B = x.size(0), T = x.size(1), H = x.size(2), W = x.size(3), CP = x.size(4), C = CP / P;
    LTX2_CHECK(C * P == CP, "pixel shuffle: {} channels do not split by stride volume {}", CP, P);
    const int64_t drop = p1 == 2 && drop_leading_frame ? 1 : 0, OT = T * p1 - drop, OH = H * p2, OW = W * p3;
    Tensor out = Tensor::zeros({B, OT, OH, OW, C});
    const float* s = x.f32();
    float* o = out.f32();
#pragma omp parallel for collapse(2) schedule(static) if (out.numel() >= (1 << 16))
    for (int64_t b = 0; b < B; ++b)
        for (int64_t ot = 0; ot < OT; ++ot) {
            const int64_t t = (ot + drop) / p1, dt = (ot + drop) % p1;
            for (int64_t oh = 0; oh < OH; ++oh)
                for (int64_t ow = 0; ow < OW; ++ow) {
                    const int64_t h = oh / p2, dh = oh % p2, w = ow / p3, dw = ow % p3;
                    const float* src = s + (((b * T + t) * H + h) * W + w) * CP + (dt * p2 + dh) * p3 + dw;
                    float* dst = o + (((b * OT + ot) * OH + oh) * OW + ow) * C;
                    for (int64_t c = 0; c < C; ++c) dst[c] = src[c * P];
                }
        }
    return out;
}

}  // namespace ltx2
