#pragma once
// Fusing LoRA deltas into weights (per load, not per step): delta = (B·s) @ A in the LoRA's dtype,
// summed over LoRAs in float32 and added to the weight in the target dtype.
#include "core/tensor.h"

namespace ltx2 {

// (B·s) @ A for a LoRA pair A [rank, in], B [out, rank] of one dtype L (F32, BF16 or F16):
// s = strength rounded to L (torch casts the Python float to the tensor's dtype), B·s rounded to
// L, the product accumulated in float32 and each element rounded to L. F32 [out, in] (values
// exact in L).
Tensor lora_delta(const Tensor& a, const Tensor& b, double strength);

// sum += round_to(rounding, delta), elementwise; sum F32 contiguous, delta F32 its shape;
// rounding F32 (none), BF16 or F16.
void add_rounded_inplace(Tensor& sum, const Tensor& delta, DType rounding);

// d = round_to(T, delta_sum) and fused = T(d + weight), T = fused's dtype (F32 or BF16), the sum in
// float32; `rounded_delta` (T, may be undefined) gets d. weight any float dtype of fused's shape;
// fused and rounded_delta contiguous, written whole.
void fuse_lora_delta(const Tensor& weight, const Tensor& delta_sum, Tensor& fused, Tensor& rounded_delta);

}  // namespace ltx2
