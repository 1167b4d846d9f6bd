#include "models/upsampler/ops.h"

#include <vector>

#include "core/error.h"
#include "ops/depth_to_space.h"
#include "ops/feature_resample.h"

namespace ltx2 {

Tensor pixel_shuffle_3d(const Tensor& x, int pf, int ph, int pw) {
    LTX2_CHECK(x.dim() == 5, "pixel shuffle: expected [B, C, F, H, W], got {}", shape_str(x.shape()));
    return depth_to_space_3d(x.to(DType::F32), {pf, ph, pw}, 0, ChannelLayout::First);
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

Tensor blur_downsample(const Tensor& x, int stride, const Tensor& kernel) {
    LTX2_CHECK(x.dim() == 4 || x.dim() == 5, "blur downsample: expected [N, C, H, W] or [B, C, F, H, W], got {}",
               shape_str(x.shape()));
    LTX2_CHECK(stride >= 1, "blur downsample: stride {} must be >= 1", stride);
    if (stride == 1) return x;
    return blur_downsample_2d(x.to(DType::F32), kernel, stride);
}

}  // namespace ltx2
