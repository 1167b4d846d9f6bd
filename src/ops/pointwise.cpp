#include "ops/pointwise.h"

#include "ops/backend.h"

namespace ltx2 {

void mul_scalar_inplace(Tensor& x, float s) { call_backend(x.device())->mul_scalar_inplace(x, s); }
void div_scalar_inplace(Tensor& x, float s) { call_backend(x.device())->div_scalar_inplace(x, s); }
void mul_inplace(Tensor& x, const Tensor& y) { call_backend("mul", {&x, &y})->mul_inplace(x, y); }
Tensor weighted_sum(const Tensor& a, float alpha, const Tensor& b, float beta) {
    return call_backend("weighted sum", {&a, &b})->weighted_sum(a, alpha, b, beta);
}
void exp_inplace(Tensor& x) { call_backend(x.device())->exp_inplace(x); }
void tanh_inplace(Tensor& x) { call_backend(x.device())->tanh_inplace(x); }
void clamp_inplace(Tensor& x, float lo, float hi) { call_backend(x.device())->clamp_inplace(x, lo, hi); }
void leaky_relu_inplace(Tensor& x, float slope) { call_backend(x.device())->leaky_relu_inplace(x, slope); }
void log_clamped_inplace(Tensor& x, float floor) { call_backend(x.device())->log_clamped_inplace(x, floor); }
void round_to_bf16_inplace(Tensor& x) { call_backend(x.device())->round_to_bf16_inplace(x); }

}  // namespace ltx2
