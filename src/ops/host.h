#pragma once
// Reading a tensor's values back to the host, for the decisions that need them there (which
// token to emit, whether a cache still holds, how many prompt rows are real). The one explicit
// device-to-host read of the op API.
#include <vector>

#include "core/tensor.h"

namespace ltx2 {

// The values in row-major order, converted to float32 (any dtype, any strides).
std::vector<float> copy_to_host(const Tensor& x);

}  // namespace ltx2
