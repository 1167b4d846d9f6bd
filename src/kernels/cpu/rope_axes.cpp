#include "kernels/cpu/rope_axes.h"

#include <omp.h>

#include <cmath>
#include <vector>

#include "core/error.h"

namespace ltx2::cpu {

namespace {

// cos / sin of pos · inv_freq for positions p0 .. p0 + n − 1: [n][d/2] each.
struct AxisTable {
    std::vector<float> cos, sin;
    int half = 0;
};

AxisTable axis_table(int64_t p0, int64_t n, int d, double theta) {
    AxisTable tab;
    tab.half = d / 2;
    tab.cos.resize(size_t(n * tab.half));
    tab.sin.resize(size_t(n * tab.half));
    for (int i = 0; i < tab.half; ++i) {
        const float inv = float(1.0 / std::pow(theta, double(2 * i) / double(d)));
        for (int64_t p = 0; p < n; ++p) {
            const float angle = float(p0 + p) * inv;  // float32 product
            tab.cos[size_t(p * tab.half + i)] = float(std::cos(double(angle)));
            tab.sin[size_t(p * tab.half + i)] = float(std::sin(double(angle)));
        }
    }
    return tab;
}

void rotate(float* x, const float* c, const float* s, int half) {
    for (int i = 0; i < half; ++i) {
        const float a = x[2 * i], b = x[2 * i + 1];
        x[2 * i] = a * c[i] - b * s[i];
        x[2 * i + 1] = a * s[i] + b * c[i];
    }
}

}  // namespace

void rope_3axis_inplace(Tensor& x, int heads, const std::array<int, 3>& split, int64_t w_position0, double theta) {
    LTX2_CHECK(x.dtype() == DType::F32 && x.is_contiguous() && x.dim() == 5,
               "rope_3axis_inplace: expected a contiguous F32 [B, T, H, W, C] tensor, got {} {}",
               dtype_name(x.dtype()), shape_str(x.shape()));
    const int64_t B = x.size(0), T = x.size(1), H = x.size(2), W = x.size(3), C = x.size(4);
    LTX2_CHECK(heads > 0 && C % heads == 0, "rope_3axis_inplace: {} channels do not split into {} heads", C, heads);
    const int64_t D = C / heads;
    LTX2_CHECK(split[0] % 2 == 0 && split[1] % 2 == 0 && split[2] % 2 == 0 && split[0] + split[1] + split[2] == D,
               "rope_3axis_inplace: split ({}, {}, {}) must be even and sum to head_dim {}", split[0], split[1],
               split[2], D);
    const AxisTable tt = axis_table(0, T, split[0], theta), th = axis_table(0, H, split[1], theta),
                    tw = axis_table(w_position0, W, split[2], theta);
    float* p = x.f32();
    const int64_t rows = B * T * H;
#pragma omp parallel for schedule(static) if (rows * W * C >= (1 << 15) && !omp_in_parallel())
    for (int64_t row = 0; row < rows; ++row) {
        const int64_t t = (row / H) % T, h = row % H;
        for (int64_t w = 0; w < W; ++w) {
            float* token = p + (row * W + w) * C;
            for (int64_t head = 0; head < heads; ++head) {
                float* hx = token + head * D;
                rotate(hx, &tt.cos[size_t(t * tt.half)], &tt.sin[size_t(t * tt.half)], tt.half);
                rotate(hx + split[0], &th.cos[size_t(h * th.half)], &th.sin[size_t(h * th.half)], th.half);
                rotate(hx + split[0] + split[1], &tw.cos[size_t(w * tw.half)], &tw.sin[size_t(w * tw.half)],
                       tw.half);
            }
        }
    }
}

}  // namespace ltx2::cpu
