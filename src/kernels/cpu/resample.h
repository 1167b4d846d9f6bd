#pragma once
// Whole-tensor FIR resampling and the anti-aliased SnakeBeta (ops/resample.h) on the row kernels
// of fir_resample.h: rows in parallel, each 2x signal in one per-thread buffer.
#include "ops/op_params.h"

namespace ltx2::cpu {

Tensor fir_upsample(const Tensor& x, const FirUpsampleSpec& up);
Tensor snake_beta_resampled(const Tensor& x, const Tensor& alpha, const Tensor& inv_beta, const FirUpsampleSpec& up,
                            const FirDownsampleSpec& down);

}  // namespace ltx2::cpu
