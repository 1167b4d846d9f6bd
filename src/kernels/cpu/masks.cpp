#include "kernels/cpu/masks.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>

#include "core/error.h"

namespace ltx2::cpu {

namespace {

// A fresh F32 copy of t, contiguous.
Tensor f32_copy(const Tensor& t) {
    Tensor out = Tensor::empty(t.shape());
    out.copy_from(t);
    return out;
}

}  // namespace

Tensor key_bias_from_mask(const Tensor& mask) {
    LTX2_CHECK(mask.defined(), "key_bias_from_mask: the mask is undefined");
    Tensor out = f32_copy(mask);
    if (dtype_is_float(mask.dtype())) return out;
    float* p = out.f32();
    for (int64_t i = 0, n = out.numel(); i < n; ++i) p[i] = (p[i] - 1.0f) * FLT_MAX;
    return out;
}

Tensor log_weight_bias(const Tensor& weights) {
    LTX2_CHECK(weights.defined(), "log_weight_bias: the attention weights are undefined");
    Tensor out = f32_copy(weights);
    float* p = out.f32();
    for (int64_t i = 0, n = out.numel(); i < n; ++i) p[i] = p[i] > 0.0f ? std::log(std::max(p[i], FLT_MIN)) : -FLT_MAX;
    return out;
}

std::vector<int64_t> equal_row_runs(const Tensor& bias) {
    LTX2_CHECK(bias.defined() && bias.dtype() == DType::F32 && bias.dim() == 3 && bias.is_contiguous(),
               "equal_row_runs: bias must be a contiguous F32 [B, Tq, Tk] tensor, got {}",
               bias.defined() ? shape_str(bias.shape()) : "undefined");
    const int64_t b = bias.size(0), tq = bias.size(1), tk = bias.size(2);
    const float* p = bias.f32();
    auto rows_equal = [&](int64_t i, int64_t j) {
        for (int64_t s = 0; s < b; ++s)
            if (std::memcmp(p + (s * tq + i) * tk, p + (s * tq + j) * tk, size_t(tk) * sizeof(float)) != 0)
                return false;
        return true;
    };
    std::vector<int64_t> ends;
    for (int64_t i = 0; i < tq;) {
        int64_t j = i + 1;
        while (j < tq && rows_equal(i, j)) ++j;
        ends.push_back(j);
        i = j;
    }
    return ends;
}

}  // namespace ltx2::cpu
