#pragma once
// Device-to-host reads (ops/host.h). On the CPU the data is already on the host: a copy.
#include <vector>

#include "core/tensor.h"

namespace ltx2::cpu {

std::vector<float> copy_to_host(const Tensor& x);

}  // namespace ltx2::cpu
