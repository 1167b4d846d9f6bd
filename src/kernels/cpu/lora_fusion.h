#pragma once
// LoRA fusion on the CPU (ops/lora_fusion.h).
#include "core/tensor.h"

namespace ltx2::cpu {

Tensor lora_delta(const Tensor& a, const Tensor& b, double strength);  // (B·s) @ A, rounded to the LoRA's dtype
void add_rounded_inplace(Tensor& sum, const Tensor& delta, DType rounding);  // sum += round_to(rounding, delta)
// fused = T(round_to(T, delta_sum) + weight); rounded_delta (if defined) = T(round_to(T, delta_sum)).
void fuse_lora_delta(const Tensor& weight, const Tensor& delta_sum, Tensor& fused, Tensor& rounded_delta);

}  // namespace ltx2::cpu
