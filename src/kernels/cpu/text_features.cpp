#include "kernels/cpu/text_features.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/error.h"

namespace ltx2::cpu {

namespace {

// The states' common [V, D], after checking they are n ≥ 1 contiguous F32 / BF16 tensors of it.
struct StatesShape {
    int64_t n = 0, V = 0, D = 0;
};

StatesShape states_shape(const std::vector<Tensor>& states, const char* op) {
    LTX2_CHECK(!states.empty(), "{}: no hidden states given", op);
    StatesShape s{int64_t(states.size()), states[0].size(0), states[0].size(1)};
    for (const Tensor& x : states)
        LTX2_CHECK(x.defined() && x.dim() == 2 && x.size(0) == s.V && x.size(1) == s.D && x.is_contiguous() &&
                       (x.dtype() == DType::F32 || x.dtype() == DType::BF16),
                   "{}: every hidden state must be a contiguous F32 or BF16 [{}, {}] tensor", op, s.V, s.D);
    return s;
}

// Values [d0, d0 + n) of row r of a state, rounded to bf16 when `bf16`. Points into the tensor
// when no conversion is needed, else fills `buf`.
const float* state_row(const Tensor& x, int64_t r, int64_t d0, int64_t n, bool bf16, float* buf) {
    const int64_t D = x.size(1);
    if (x.dtype() == DType::BF16) {
        const uint16_t* p = x.bf16() + r * D + d0;
        for (int64_t i = 0; i < n; ++i) buf[i] = bf16_to_f32(p[i]);
        return buf;
    }
    const float* p = x.f32() + r * D + d0;
    if (!bf16) return p;
    for (int64_t i = 0; i < n; ++i) buf[i] = round_to_bf16(p[i]);
    return buf;
}

inline void store_feature(float y, bool bf16, float* dst) { *dst = bf16 ? round_to_bf16(y) : y; }
inline void store_feature(float y, bool, uint16_t* dst) { *dst = f32_to_bf16(y); }

// Checks `features` [V, ≥ (d1 − d0)·n] (F32 or BF16, contiguous, writable) and calls
// fill(typed pointer, row stride).
template <class Fill>
void with_features(Tensor& features, const StatesShape& s, int64_t d0, int64_t d1, const char* op, Fill&& fill) {
    LTX2_CHECK(0 <= d0 && d0 < d1 && d1 <= s.D, "{}: channels [{}, {}) outside [0, {})", op, d0, d1, s.D);
    LTX2_CHECK(features.defined() && features.dim() == 2 && features.size(0) == s.V &&
                   features.size(1) >= (d1 - d0) * s.n && features.is_contiguous() &&
                   features.storage()->writable() &&
                   (features.dtype() == DType::F32 || features.dtype() == DType::BF16),
               "{}: features must be a writable, contiguous F32 or BF16 [{}, ≥ {}] tensor, got {} {}", op, s.V,
               (d1 - d0) * s.n, features.defined() ? dtype_name(features.dtype()) : "",
               features.defined() ? shape_str(features.shape()) : "undefined");
    if (features.dtype() == DType::BF16)
        fill(features.bf16(), features.size(1));
    else
        fill(features.f32(), features.size(1));
}

}  // namespace

Tensor state_mean_range(const std::vector<Tensor>& states, float eps, bool bf16) {
    const StatesShape s = states_shape(states, "state_mean_range");
    Tensor out = Tensor::empty({s.n, 2});
    float* o = out.f32();
    const float denominator = float(s.V * s.D) + eps;
#pragma omp parallel
    {
        std::vector<float> buf(size_t(s.D));
#pragma omp for schedule(dynamic)
        for (int64_t l = 0; l < s.n; ++l) {
            double sum = 0;
            float lo = std::numeric_limits<float>::infinity(), hi = -lo;
            for (int64_t v = 0; v < s.V; ++v) {
                const float* x = state_row(states[size_t(l)], v, 0, s.D, bf16, buf.data());
                for (int64_t d = 0; d < s.D; ++d) {
                    sum += double(x[d]);
                    lo = std::min(lo, x[d]);
                    hi = std::max(hi, x[d]);
                }
            }
            float total = float(sum), range = hi - lo;
            if (bf16) {
                total = round_to_bf16(total);
                range = round_to_bf16(range);
            }
            float range_eps = range + eps;
            if (bf16) range_eps = round_to_bf16(range_eps);
            o[2 * l] = total / denominator;
            o[2 * l + 1] = range_eps;
        }
    }
    return out;
}

void range_normalized_features(const std::vector<Tensor>& states, const Tensor& stats, float scale, bool bf16,
                               int64_t d0, int64_t d1, Tensor& features) {
    const StatesShape s = states_shape(states, "range_normalized_features");
    LTX2_CHECK(stats.defined() && stats.dtype() == DType::F32 && stats.numel() == 2 * s.n && stats.is_contiguous(),
               "range_normalized_features: stats must be the F32 [{}, 2] of state_mean_range", s.n);
    const float* st = stats.f32();
    with_features(features, s, d0, d1, "range_normalized_features", [&](auto* out, int64_t ld) {
        const int64_t n = s.n, width = d1 - d0;
#pragma omp parallel
        {
            std::vector<float> buf(static_cast<size_t>(width));
#pragma omp for schedule(static)
            for (int64_t v = 0; v < s.V; ++v) {
                auto* row = out + v * ld;
                for (int64_t l = 0; l < n; ++l) {
                    const float* x = state_row(states[size_t(l)], v, d0, width, bf16, buf.data());
                    const float mean = st[2 * l], range_eps = st[2 * l + 1];
                    for (int64_t j = 0; j < width; ++j)
                        store_feature((scale * (x[j] - mean)) / range_eps, bf16, row + j * n + l);
                }
            }
        }
    });
}

Tensor state_inverse_rms(const std::vector<Tensor>& states, float eps, bool bf16) {
    const StatesShape s = states_shape(states, "state_inverse_rms");
    const int64_t n = s.n;
    Tensor out = Tensor::empty({s.V, n});
    float* r = out.f32();
    auto round = [bf16](float v) { return bf16 ? round_to_bf16(v) : v; };
#pragma omp parallel
    {
        std::vector<float> buf(static_cast<size_t>(s.D));
#pragma omp for schedule(static)
        for (int64_t v = 0; v < s.V; ++v)
            for (int64_t l = 0; l < n; ++l) {
                const float* x = state_row(states[size_t(l)], v, 0, s.D, bf16, buf.data());
                double sum = 0;
                for (int64_t d = 0; d < s.D; ++d) sum += double(round(x[d] * x[d]));
                const float variance = round(float(sum / double(s.D)));
                r[v * n + l] = round(1.0f / std::sqrt(round(variance + eps)));
            }
    }
    return out;
}

void rms_normalized_features(const std::vector<Tensor>& states, const Tensor& r, float scale, bool bf16, int64_t d0,
                             int64_t d1, Tensor& features) {
    const StatesShape s = states_shape(states, "rms_normalized_features");
    LTX2_CHECK(r.defined() && r.dtype() == DType::F32 && r.numel() == s.V * s.n && r.is_contiguous(),
               "rms_normalized_features: r must be the F32 [{}, {}] of state_inverse_rms", s.V, s.n);
    const float* rv = r.f32();
    with_features(features, s, d0, d1, "rms_normalized_features", [&](auto* out, int64_t ld) {
        const int64_t n = s.n, width = d1 - d0;
#pragma omp parallel
        {
            std::vector<float> buf(static_cast<size_t>(width));
#pragma omp for schedule(static)
            for (int64_t v = 0; v < s.V; ++v) {
                auto* row = out + v * ld;
                for (int64_t l = 0; l < n; ++l) {
                    const float* x = state_row(states[size_t(l)], v, d0, width, bf16, buf.data());
                    const float rl = rv[v * n + l];
                    for (int64_t j = 0; j < width; ++j) {
                        float y = x[j] * rl;
                        if (bf16) y = round_to_bf16(y);
                        store_feature(y * scale, bf16, row + j * n + l);
                    }
                }
            }
        }
    });
}

}  // namespace ltx2::cpu
