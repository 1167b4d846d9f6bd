#include "models/diffvae/geometry.h"

#include <algorithm>

#include "core/error.h"
#include "ops/depth_to_space.h"
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

Tensor pixel_shuffle_channels_last(const Tensor& x, const Int3& stride, bool drop_leading_frame) {
    return depth_to_space_3d(x, stride, stride[0] == 2 && drop_leading_frame ? 1 : 0, ChannelLayout::Last);
}

}  // namespace ltx2
