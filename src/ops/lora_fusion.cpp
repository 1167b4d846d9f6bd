#include "ops/lora_fusion.h"

#include "ops/backend.h"

namespace ltx2 {

Tensor lora_delta(const Tensor& a, const Tensor& b, double strength) {
    return call_backend("lora_delta", {&a, &b})->lora_delta(a, b, strength);
}

void add_rounded_inplace(Tensor& sum, const Tensor& delta, DType rounding) {
    call_backend("add_rounded", {&sum, &delta})->add_rounded_inplace(sum, delta, rounding);
}

void fuse_lora_delta(const Tensor& weight, const Tensor& delta_sum, Tensor& fused, Tensor& rounded_delta) {
    call_backend("fuse_lora_delta", {&weight, &delta_sum, &fused, &rounded_delta})
        ->fuse_lora_delta(weight, delta_sum, fused, rounded_delta);
}

}  // namespace ltx2
