#include "ops/host.h"

#include "ops/backend.h"

namespace ltx2 {

std::vector<float> copy_to_host(const Tensor& x) { return call_backend(x.device())->copy_to_host(x); }

}  // namespace ltx2
