#include "kernels/cpu/neighborhood_attention.h"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/error.h"
#include "kernels/cpu/simd.h"

namespace ltx2 {

namespace hn = hwy::HWY_NAMESPACE;

namespace {

float dot(const float* a, const float* b, int64_t n) {
    const hn::ScalableTag<float> d;
    const int64_t L = int64_t(hn::Lanes(d));
    auto acc = hn::Zero(d);
    int64_t j = 0;
    for (; j + L <= n; j += L) acc = hn::MulAdd(hn::LoadU(d, a + j), hn::LoadU(d, b + j), acc);
    float s = hn::GetLane(hn::SumOfLanes(d, acc));
    for (; j < n; ++j) s += a[j] * b[j];
    return s;
}

// out += p · v over n floats.
void axpy(float p, const float* v, float* out, int64_t n) {
    const hn::ScalableTag<float> d;
    const int64_t L = int64_t(hn::Lanes(d));
    const auto vp = hn::Set(d, p);
    int64_t j = 0;
    for (; j + L <= n; j += L) hn::StoreU(hn::MulAdd(vp, hn::LoadU(d, v + j), hn::LoadU(d, out + j)), d, out + j);
    for (; j < n; ++j) out[j] += p * v[j];
}

void check_input(const Tensor& t, const char* what, const Shape& shape) {
    LTX2_CHECK(t.dtype() == DType::F32 && t.is_contiguous() && t.dim() == 5,
               "neighborhood_attention_3d: {} must be a contiguous F32 [B, T, H, W, C] tensor, got {} {}", what,
               dtype_name(t.dtype()), shape_str(t.shape()));
    LTX2_CHECK(t.shape() == shape, "neighborhood_attention_3d: {} has shape {}, expected {}", what,
               shape_str(t.shape()), shape_str(shape));
}

}  // namespace

Tensor neighborhood_attention_3d(const Tensor& q, const Tensor& k, const Tensor& v, int heads,
                                 const std::array<int, 3>& kernel) {
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
    const float *qp = q.f32(), *kp = k.f32(), *vp = v.f32();
    float* op = out.f32();
    const int64_t rows = B * T * H;  // one (b, t, h) row of queries per work item

#pragma omp parallel if (rows > 1 && !omp_in_parallel())
    {
        std::vector<float> scores(size_t(kt * kh * kw));
#pragma omp for schedule(dynamic)
        for (int64_t row = 0; row < rows; ++row) {
            const int64_t b = row / (T * H), t = (row / H) % T, h = row % H;
            const int64_t t0 = neighborhood_window_start(t, T, kt), h0 = neighborhood_window_start(h, H, kh);
            for (int64_t w = 0; w < W; ++w) {
                const int64_t w0 = neighborhood_window_start(w, W, kw);
                const int64_t token = ((b * T + t) * H + h) * W + w;
                for (int64_t head = 0; head < heads; ++head) {
                    const float* qv = qp + token * C + head * D;
                    float mx = -INFINITY;
                    size_t n = 0;
                    for (int64_t dt = 0; dt < kt; ++dt)
                        for (int64_t dh = 0; dh < kh; ++dh) {
                            const int64_t key0 = ((b * T + t0 + dt) * H + h0 + dh) * W + w0;
                            for (int64_t dw = 0; dw < kw; ++dw, ++n) {
                                const float s = dot(qv, kp + (key0 + dw) * C + head * D, D);
                                scores[n] = s;
                                mx = std::max(mx, s);
                            }
                        }
                    float sum = 0.f;
                    for (size_t i = 0; i < n; ++i) {
                        scores[i] = std::exp(scores[i] - mx);
                        sum += scores[i];
                    }
                    const float inv = 1.f / sum;
                    float* ov = op + token * C + head * D;
                    n = 0;
                    for (int64_t dt = 0; dt < kt; ++dt)
                        for (int64_t dh = 0; dh < kh; ++dh) {
                            const int64_t key0 = ((b * T + t0 + dt) * H + h0 + dh) * W + w0;
                            for (int64_t dw = 0; dw < kw; ++dw, ++n)
                                axpy(scores[n] * inv, vp + (key0 + dw) * C + head * D, ov, D);
                        }
                }
            }
        }
    }
    return out;
}

}  // namespace ltx2
