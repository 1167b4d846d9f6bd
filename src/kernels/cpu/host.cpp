#include "kernels/cpu/host.h"

namespace ltx2::cpu {

std::vector<float> copy_to_host(const Tensor& x) { return x.to_vector(); }

}  // namespace ltx2::cpu
