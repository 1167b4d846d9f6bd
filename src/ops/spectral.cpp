#include "ops/spectral.h"

#include "ops/backend.h"

namespace ltx2 {

Tensor complex_magnitude(const Tensor& spec) { return call_backend(spec.device())->complex_magnitude(spec); }

}  // namespace ltx2
