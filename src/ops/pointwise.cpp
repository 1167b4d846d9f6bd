#include "ops/pointwise.h"

#include "ops/backend.h"

namespace ltx2 {

void mul_scalar_inplace(Tensor& x, float s) { backend_for(x.device()).mul_scalar_inplace(x, s); }
void div_scalar_inplace(Tensor& x, float s) { backend_for(x.device()).div_scalar_inplace(x, s); }
void mul_inplace(Tensor& x, const Tensor& y) { backend_for("mul", {&x, &y}).mul_inplace(x, y); }
Tensor weighted_sum(const Tensor& a, float alpha, const Tensor& b, float beta) {
    return backend_for("weighted sum", {&a, &b}).weighted_sum(a, alpha, b, beta);
}
void exp_inplace(Tensor& x) { backend_for(x.device()).exp_inplace(x); }
void tanh_inplace(Tensor& x) { backend_for(x.device()).tanh_inplace(x); }
void clamp_inplace(Tensor& x, float lo, float hi) { backend_for(x.device()).clamp_inplace(x, lo, hi); }
void leaky_relu_inplace(Tensor& x, float slope) { backend_for(x.device()).leaky_relu_inplace(x, slope); }
void log_clamped_inplace(Tensor& x, float floor) { backend_for(x.device()).log_clamped_inplace(x, floor); }
void round_to_bf16_inplace(Tensor& x) { backend_for(x.device()).round_to_bf16_inplace(x); }

}  // namespace ltx2
