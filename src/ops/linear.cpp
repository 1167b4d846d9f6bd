#include "ops/linear.h"

#include "ops/backend.h"

namespace ltx2 {

Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias) {
    return call_backend("linear", {&x, &weight, &bias})->linear(x, weight, bias, product_precision(weight.dtype()));
}

void linear_into(const Tensor& x, const Tensor& weight, const Tensor& bias, Tensor& y) {
    call_backend("linear", {&x, &weight, &bias, &y})
        ->linear_into(x, weight, bias, y, product_precision(weight.dtype()));
}

void matmul(const Tensor& a, const Tensor& b, Tensor& c) { call_backend("matmul", {&a, &b, &c})->matmul(a, b, c); }

}  // namespace ltx2
