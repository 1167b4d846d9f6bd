#pragma once
// The one way tensor values reach the host: for genuine host decisions (a scalar that picks a
// branch, pixels handed to an encoder), never for arithmetic a backend could do itself.
#include <vector>

#include "core/tensor.h"

namespace ltx2 {

// The values in row-major order, converted to float32, any dtype, any strides.
std::vector<float> copy_to_host(const Tensor& x);

}  // namespace ltx2
