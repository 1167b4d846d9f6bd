#include "ops/conv.h"

#include "ops/backend.h"

namespace ltx2 {

Tensor conv_nd(const Tensor& x, const Tensor& weight, const Tensor& bias, const ConvParams& p) {
    return call_backend("convolution", {&x, &weight, &bias})->conv_nd(x, weight, bias, p,
                                                                  product_precision(weight.dtype()));
}

Tensor conv_transpose_nd(const Tensor& x, const Tensor& weight, const Tensor& bias, const ConvTransposeParams& p) {
    return call_backend("transposed convolution", {&x, &weight, &bias})->conv_transpose_nd(
        x, weight, bias, p, product_precision(weight.dtype()));
}

Tensor pad_nd(const Tensor& x, const std::vector<int64_t>& before, const std::vector<int64_t>& after, PadMode mode,
              float value) {
    return call_backend(x.device())->pad_nd(x, before, after, mode, value);
}

}  // namespace ltx2
