#pragma once
// Sinusoidal embeddings of scalars (timestep embeddings, rotate-half RoPE tables).
#include "core/tensor.h"

namespace ltx2 {

// t F32 (N values, any shape), frequencies F32 [F] → [N, 2F]: out[r, i] = cos(t_r·f_i),
// out[r, F + i] = sin(t_r·f_i). The argument is one float32 product; cos / sin are evaluated in
// double and rounded to float32.
Tensor cos_sin_embedding(const Tensor& t, const Tensor& frequencies);

}  // namespace ltx2
