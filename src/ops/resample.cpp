#include "ops/resample.h"

#include "ops/backend.h"

namespace ltx2 {

Tensor fir_upsample(const Tensor& x, const FirUpsampleSpec& up) {
    return call_backend("FIR upsampling", {&x, &up.taps})->fir_upsample(x, up);
}

Tensor snake_beta_resampled(const Tensor& x, const Tensor& alpha, const Tensor& inv_beta, const FirUpsampleSpec& up,
                            const FirDownsampleSpec& down) {
    return call_backend("anti-aliased SnakeBeta", {&x, &alpha, &inv_beta, &up.taps, &down.taps})
        ->snake_beta_resampled(x, alpha, inv_beta, up, down);
}

}  // namespace ltx2
