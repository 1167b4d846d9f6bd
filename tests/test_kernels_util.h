#pragma once
// Helpers shared by the kernel tests: seeded random tensors and error measures.
#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "core/precision.h"
#include "core/tensor.h"

namespace ltx2::ktest {

// The precision a kernel test runs a weight's products at: its stored dtype's, as a model loaded
// as stored does (core/precision.h product_precision without a scope).
inline Precision precision_of(const Tensor& weight) {
    return weight.dtype() == DType::BF16 ? Precision::BF16 : Precision::F32;
}

inline Tensor random_tensor(const Shape& shape, uint32_t seed, float scale = 1.0f, DType dtype = DType::F32) {
    std::mt19937 g(seed);
    std::normal_distribution<float> nd(0.f, scale);
    Tensor t = Tensor::zeros(shape, DType::F32);
    float* p = t.f32();
    for (int64_t i = 0; i < t.numel(); ++i) p[i] = nd(g);
    return dtype == DType::F32 ? t : t.to(dtype);
}

// max |got − ref| / max |ref|
inline double rel_error(const std::vector<float>& got, const std::vector<double>& ref) {
    double m = 0, e = 0;
    for (size_t i = 0; i < ref.size(); ++i) {
        m = std::max(m, std::fabs(ref[i]));
        e = std::max(e, std::isnan(got[i]) ? INFINITY : std::fabs(double(got[i]) - ref[i]));
    }
    return m > 0 ? e / m : e;
}

inline double bf16_round(double v) { return double(round_to_bf16(float(v))); }

}  // namespace ltx2::ktest
