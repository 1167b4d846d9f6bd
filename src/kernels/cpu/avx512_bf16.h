#pragma once
// The kernels' AVX-512 BF16 paths, compiled for that instruction set whatever the build's baseline.
// Call them only where cpu_isa().avx512_bf16 is true (kernels/cpu/cpu_isa.h).
#include <cstddef>
#include <cstdint>

namespace ltx2::cpu {

// dst[i] = src[i] rounded to bf16 (nearest, ties to even), 32 at a time in hardware.
void f32_to_bf16_avx512_bf16(const float* src, uint16_t* dst, size_t n);

// Attention's bf16 softmax numerators: e = 2^((s·scale + bias − m)·log2e) by a degree-6
// polynomial, rounded to bf16 into out16; returns Σe in f32. bias may be null.
float softmax_numerators_bf16_avx512_bf16(const float* s, const float* bias, int64_t n, float scale, float m,
                                          uint16_t* out16);

}  // namespace ltx2::cpu
