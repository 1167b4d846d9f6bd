#pragma once
// Polyphase FIR resampling of signals [B, C, L] along L (specs in ops/op_params.h), and the
// vocoder's anti-aliased SnakeBeta activation built on it.
#include "ops/op_params.h"

namespace ltx2 {

// x F32 [B, C, L] → [B, C, L'] (L' = (L + 2·pad − 1)·ratio + K − crop_left − crop_right).
Tensor fir_upsample(const Tensor& x, const FirUpsampleSpec& up);
// Per channel c: down(snake(up(x))) with snake(h) = h + inv_beta[c]·sin(alpha[c]·h)², without the
// upsampled signal ever existing for the whole tensor. x F32 [B, C, L]; alpha, inv_beta F32 [C].
Tensor snake_beta_resampled(const Tensor& x, const Tensor& alpha, const Tensor& inv_beta, const FirUpsampleSpec& up,
                            const FirDownsampleSpec& down);

}  // namespace ltx2
