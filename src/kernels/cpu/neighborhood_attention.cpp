#include "kernels/cpu/neighborhood_attention.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "core/error.h"
#include "kernels/cpu/linear.h"
#include "kernels/cpu/simd.h"

namespace ltx2 {

namespace hn = hwy::HWY_NAMESPACE;

namespace {

constexpr int64_t kQueryTile = 16;  // queries of one (t, h) row computed together

void check_input(const Tensor& t, const char* what, const Shape& shape) {
    LTX2_CHECK(t.dtype() == DType::F32 && t.is_contiguous() && t.dim() == 5,
               "neighborhood_attention_3d: {} must be a contiguous F32 [B, T, H, W, C] tensor, got {} {}", what,
               dtype_name(t.dtype()), shape_str(t.shape()));
    LTX2_CHECK(t.shape() == shape, "neighborhood_attention_3d: {} has shape {}, expected {}", what,
               shape_str(t.shape()), shape_str(shape));
}

// exp(x − m) in place over n floats; returns the sum.
float exp_shifted(float* x, int64_t n, float m) {
    const hn::ScalableTag<float> d;
    const int64_t L = int64_t(hn::Lanes(d));
    const auto vm = hn::Set(d, m);
    auto sum = hn::Zero(d);
    int64_t j = 0;
    for (; j + L <= n; j += L) {
        const auto e = hn::Exp(d, hn::Sub(hn::LoadU(d, x + j), vm));
        hn::StoreU(e, d, x + j);
        sum = hn::Add(sum, e);
    }
    float total = hn::GetLane(hn::SumOfLanes(d, sum));
    for (; j < n; ++j) {
        x[j] = std::exp(x[j] - m);
        total += x[j];
    }
    return total;
}

// Softmax of one score row laid out as `key_rows` runs of `span` keys: only the `kernel` keys
// from `first` of each run are visible; the others get weight 0. `visible` holds
// key_rows · kernel floats of scratch.
void window_softmax(float* s, int64_t key_rows, int64_t span, int64_t first, int64_t kernel, float* visible) {
    float mx = -INFINITY;
    for (int64_t r = 0; r < key_rows; ++r) {
        const float* src = s + r * span + first;
        for (int64_t j = 0; j < kernel; ++j) mx = std::max(mx, src[j]);
        std::copy(src, src + kernel, visible + r * kernel);
    }
    const float inv = 1.f / exp_shifted(visible, key_rows * kernel, mx);
    std::fill(s, s + key_rows * span, 0.f);
    for (int64_t r = 0; r < key_rows; ++r) {
        float* dst = s + r * span + first;
        for (int64_t j = 0; j < kernel; ++j) dst[j] = visible[r * kernel + j] * inv;
    }
}

}  // namespace

// A tile of up to kQueryTile queries along W shares its (t, h) windows; their W windows lie
// inside one span of columns. The keys / values of those kt·kh rows of the span are gathered
// per head, scores for the whole span come from one product, keys outside each query's own
// window are masked in the softmax, and one more product gives the outputs.
Tensor neighborhood_attention_3d(const Tensor& q, const Tensor& k, const Tensor& v, int heads,
                                 const std::array<int, 3>& kernel, Precision precision) {
    const Shape shape = q.shape();
    check_input(q, "q", shape);
    check_input(k, "k", shape);
    check_input(v, "v", shape);
    const int64_t B = shape[0], T = shape[1], H = shape[2], W = shape[3], C = shape[4];
    LTX2_CHECK(heads > 0 && C % heads == 0, "neighborhood_attention_3d: {} channels do not split into {} heads", C,
               heads);
    for (int a = 0; a < 3; ++a)
        LTX2_CHECK(kernel[size_t(a)] > 0, "neighborhood_attention_3d: kernel size {} must be positive",
                   kernel[size_t(a)]);
    const int64_t D = C / heads;
    const int64_t kt = std::min<int64_t>(kernel[0], T), kh = std::min<int64_t>(kernel[1], H),
                  kw = std::min<int64_t>(kernel[2], W);
    Tensor out = Tensor::zeros(shape);
    if (out.numel() == 0) return out;
    const Tensor q2 = q.reshape({-1, C}), out2 = out.reshape({-1, C});
    // bf16: keys and values are rounded once here, tiles gather the rounded copies.
    const bool bf16 = precision == Precision::BF16;
    const DType gathered = bf16 ? DType::BF16 : DType::F32;
    const Tensor kc = k.to(gathered), vc = v.to(gathered);
    const size_t esize = dtype_size(gathered);
    const std::byte *kp = static_cast<const std::byte*>(kc.raw()), *vp = static_cast<const std::byte*>(vc.raw());
    const int64_t tiles = (W + kQueryTile - 1) / kQueryTile, key_rows = kt * kh;
    const int64_t max_span = std::min(W, kQueryTile + kw - 1), max_keys = key_rows * max_span;
    const int64_t items = B * T * H * tiles;

#pragma omp parallel if (items > 1 && !omp_in_parallel())
    {
        // Keys / values of one tile, every head.
        Tensor kg = Tensor::zeros({max_keys, C}, gathered), vg = Tensor::zeros({max_keys, C}, gathered);
        std::byte *kgp = static_cast<std::byte*>(kg.raw()), *vgp = static_cast<std::byte*>(vg.raw());
        Tensor scores = Tensor::zeros({kQueryTile, max_keys});
        std::vector<float> visible(size_t(key_rows * kw));
#pragma omp for schedule(dynamic)
        for (int64_t item = 0; item < items; ++item) {
            const int64_t tile = item % tiles, row = item / tiles;
            const int64_t b = row / (T * H), t = (row / H) % T, h = row % H;
            const int64_t t0 = neighborhood_window_start(t, T, kt), h0 = neighborhood_window_start(h, H, kh);
            const int64_t wq0 = tile * kQueryTile, wq1 = std::min(W, wq0 + kQueryTile), m = wq1 - wq0;
            const int64_t lo = neighborhood_window_start(wq0, W, kw);
            const int64_t span = neighborhood_window_start(wq1 - 1, W, kw) + kw - lo, n = key_rows * span;
            for (int64_t dt = 0; dt < kt; ++dt)
                for (int64_t dh = 0; dh < kh; ++dh) {
                    const size_t src = size_t((((b * T + t0 + dt) * H + h0 + dh) * W + lo) * C) * esize;
                    const size_t dst = size_t((dt * kh + dh) * span * C) * esize, bytes = size_t(span * C) * esize;
                    std::memcpy(kgp + dst, kp + src, bytes);
                    std::memcpy(vgp + dst, vp + src, bytes);
                }
            const Tensor& keys = kg;
            const Tensor& values = vg;
            const int64_t token = ((b * T + t) * H + h) * W + wq0;
            Tensor s = scores.slice(0, 0, m).slice(1, 0, n);
            for (int64_t head = 0; head < heads; ++head) {
                const int64_t c0 = head * D, c1 = c0 + D;
                matmul(q2.slice(0, token, token + m).slice(1, c0, c1), keys.slice(0, 0, n).slice(1, c0, c1).transpose(0, 1),
                       s);
                for (int64_t i = 0; i < m; ++i)
                    window_softmax(s.data<float>() + i * max_keys, key_rows, span,
                                   neighborhood_window_start(wq0 + i, W, kw) - lo, kw, visible.data());
                Tensor o = out2.slice(0, token, token + m).slice(1, c0, c1);
                matmul(s, values.slice(0, 0, n).slice(1, c0, c1), o);
            }
        }
    }
    return out;
}

}  // namespace ltx2
