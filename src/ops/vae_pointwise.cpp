#include "ops/vae_pointwise.h"

#include "ops/backend.h"

namespace ltx2 {

void scale_inplace(Tensor& x, float factor) { backend_for(x.device()).scale_inplace(x, factor); }

void mul_inplace(Tensor& x, const Tensor& y) { backend_for("mul", {&x, &y}).mul_inplace(x, y); }

Tensor weighted_sum(const Tensor& a, float alpha, const Tensor& b, float beta) {
    return backend_for("weighted sum", {&a, &b}).weighted_sum(a, alpha, b, beta);
}

}  // namespace ltx2
