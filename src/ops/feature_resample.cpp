#include "ops/feature_resample.h"

#include "ops/backend.h"

namespace ltx2 {

Tensor upsample_nearest_2x(const Tensor& x) { return call_backend(x.device())->upsample_nearest_2x(x); }

Tensor blur_downsample_2d(const Tensor& x, const Tensor& kernel, int stride) {
    return call_backend("blur downsample", {&x, &kernel})->blur_downsample_2d(x, kernel, stride);
}

}  // namespace ltx2
