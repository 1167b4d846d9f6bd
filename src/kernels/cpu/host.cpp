#include "kernels/cpu/host.h"

#include "core/error.h"

namespace ltx2::cpu {

std::vector<float> copy_to_host(const Tensor& x) {
    LTX2_CHECK(x.defined(), "copy_to_host: the tensor is undefined");
    return x.to_vector();
}

}  // namespace ltx2::cpu
