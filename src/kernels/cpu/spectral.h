#pragma once
// Spectra (ops/spectral.h).
#include "core/tensor.h"

namespace ltx2::cpu {

Tensor complex_magnitude(const Tensor& spec);

}  // namespace ltx2::cpu
