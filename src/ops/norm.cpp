#include "ops/norm.h"

#include "ops/backend.h"

namespace ltx2 {

Tensor rms_norm(const Tensor& x, const Tensor& weight, float eps) {
    return backend_for("rms_norm", {&x, &weight}).rms_norm(x, weight, eps);
}

void rms_norm_inplace(Tensor& x, const Tensor& weight, float eps) {
    backend_for("rms_norm", {&x, &weight}).rms_norm_inplace(x, weight, eps);
}

Tensor layer_norm(const Tensor& x, float eps) { return backend_for(x.device()).layer_norm(x, eps); }

Tensor pixel_norm(const Tensor& x, double eps) { return backend_for(x.device()).pixel_norm(x, eps); }

}  // namespace ltx2
