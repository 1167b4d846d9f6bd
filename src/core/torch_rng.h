#pragma once
// torch's CPU random-number generator (torch 1.13 semantics), so that `--seed N` gives the noise
// the reference draws with
//   torch.randn(shape, dtype=dtype, generator=torch.Generator('cpu').manual_seed(N))
// bit for bit, in float32 and bfloat16, with the generator state advancing across draws exactly
// as torch's does.
//
// The pieces reproduced:
//  - mt19937 seeded as CPUGeneratorImpl does (the low 32 bits of the 64-bit seed, the classic
//    Knuth initialisation); random() is one 32-bit output, random64() two (first = high half).
//  - uniform float: (random() & (2^24 - 1)) * 2^-24; uniform bf16: (random() & 255) * 2^-8;
//    uniform double: (random64() & (2^53 - 1)) * 2^-53.
//  - randn with numel < 16: per element, the double-precision Box-Muller of
//    at::normal_distribution<double> (the second value cached in the generator), cast to the dtype.
//  - randn with numel >= 16 ("normal_fill"): fill the buffer with uniforms, transform each block
//    of 16 (u[j], u[j+8] -> pair j, j+8); when numel % 16 != 0 the last 16 uniforms are redrawn
//    and the last 16 elements recomputed. float32 follows the AVX2 kernel (Cephes log / sincos of
//    avx_mathfun.h, emulated lane by lane, with the multiply-adds fused exactly where torch's
//    -mavx2 -mfma build contracts them); bfloat16 follows the scalar kernel with bf16 arithmetic
//    (std::log/sqrt/cos/sin and every product rounded to bf16).
#include <cstdint>
#include <optional>

#include "core/tensor.h"

namespace ltx2 {

class TorchGenerator {
public:
    explicit TorchGenerator(uint64_t seed = 67280421310721ull);  // torch's default seed

    // Reseeds, dropping any cached normal sample (Generator.manual_seed).
    void manual_seed(uint64_t seed);
    uint64_t initial_seed() const { return seed_; }

    uint32_t random();    // one mt19937 output
    uint64_t random64();  // two outputs, the first in the high half
    float uniform_float();    // [0, 1), 24 random bits
    double uniform_double();  // [0, 1), 53 random bits
    // One standard normal of at::normal_distribution<double> (uses and fills the cache).
    double normal_double();

    // torch.randn(shape, dtype, generator=this): a new contiguous tensor. dtype F32 or BF16.
    Tensor randn(const Shape& shape, DType dtype);
    // The same into raw buffers of n elements.
    void randn_f32(float* out, int64_t n);
    void randn_bf16(uint16_t* out, int64_t n);

private:
    void twist();

    static constexpr int kN = 624;
    uint32_t state_[kN];
    int index_ = kN;
    uint64_t seed_ = 0;
    std::optional<double> next_double_normal_;
};

}  // namespace ltx2
