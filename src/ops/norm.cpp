#include "ops/norm.h"

#include "ops/backend.h"

namespace ltx2 {

Tensor rms_norm(const Tensor& x, const Tensor& weight, float eps) {
    return call_backend("rms_norm", {&x, &weight})->rms_norm(x, weight, eps);
}

void rms_norm_inplace(Tensor& x, const Tensor& weight, float eps) {
    call_backend("rms_norm", {&x, &weight})->rms_norm_inplace(x, weight, eps);
}

Tensor layer_norm(const Tensor& x, float eps) { return call_backend(x.device())->layer_norm(x, eps); }

Tensor pixel_norm(const Tensor& x, double eps) { return call_backend(x.device())->pixel_norm(x, eps); }

}  // namespace ltx2
