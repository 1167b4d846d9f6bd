#pragma once
// Spectra of signals.
#include "core/tensor.h"

namespace ltx2 {

// spec F32 [R, 2F, T], the real parts in rows [0, F) and the imaginary parts in rows [F, 2F) →
// [R, F, T]: sqrt(re·re + im·im), each product and the sum rounded separately (no FMA).
Tensor complex_magnitude(const Tensor& spec);

}  // namespace ltx2
