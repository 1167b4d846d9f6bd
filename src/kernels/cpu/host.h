#pragma once
// Device-to-host copies of the CPU backend (ops/host.h).
#include <vector>

#include "core/tensor.h"

namespace ltx2::cpu {

std::vector<float> copy_to_host(const Tensor& x);  // row-major float32 values, any dtype and strides

}  // namespace ltx2::cpu
