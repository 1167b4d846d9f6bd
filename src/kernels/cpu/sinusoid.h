#pragma once
// Sinusoidal embeddings (ops/sinusoid.h).
#include "core/tensor.h"

namespace ltx2::cpu {

Tensor cos_sin_embedding(const Tensor& t, const Tensor& frequencies);

}  // namespace ltx2::cpu
