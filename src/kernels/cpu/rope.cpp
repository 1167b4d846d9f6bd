#include "kernels/cpu/rope.h"

#include <omp.h>

#include <cmath>
#include <numbers>

#include "core/error.h"

namespace ltx2::cpu {

std::vector<float> rope_frequency_grid(const RopeSpec& spec, int n_axes) {
    LTX2_CHECK(n_axes > 0, "rope: need at least one position axis");
    const int n = spec.dim / (2 * n_axes);
    LTX2_CHECK(n > 0, "rope: dim {} too small for {} axes", spec.dim, n_axes);
    std::vector<float> g(static_cast<size_t>(n));
    const double theta = spec.theta;
    if (spec.float64_frequencies) {
        // numpy: linspace(log(1)/log(θ), log(θ)/log(θ), n) in float64; θ**that; ·π/2; one float32 rounding.
        const double start = std::log(1.0) / std::log(theta), stop = std::log(theta) / std::log(theta);
        const double step = n > 1 ? (stop - start) / double(n - 1) : 0.0;
        for (int j = 0; j < n; ++j) {
            double e = (n > 1 && j == n - 1) ? stop : double(j) * step + start;
            double p = std::pow(theta, e);
            g[size_t(j)] = float(p * std::numbers::pi / 2.0);
        }
    } else {
        // torch: linspace in float32 (symmetric fill from both ends), θ ** x in float32, ·π then /2 in float32.
        const float start = float(std::log(1.0) / std::log(theta)), stop = float(std::log(theta) / std::log(theta));
        const float step = n > 1 ? (stop - start) / float(n - 1) : 0.f;
        const int half = n / 2;
        for (int j = 0; j < n; ++j) {
            float e = j < half ? start + step * float(j) : stop - step * float(n - 1 - j);
            float p = std::pow(float(theta), e);
            g[size_t(j)] = (p * float(std::numbers::pi)) / 2.0f;
        }
    }
    return g;
}

namespace {

// Fractional positions x[b, axis, t] = (mid / max_pos)·2 − 1 in the positions' arithmetic.
std::vector<float> fractional_positions(const Tensor& positions, const RopeSpec& spec, int64_t& B, int& n_axes,
                                        int64_t& T) {
    LTX2_CHECK(positions.defined() && (positions.dim() == 4 || positions.dim() == 3),
               "rope: positions must be [B, n_axes, T, 2] (or [B, n_axes, T]), got {}",
               positions.defined() ? shape_str(positions.shape()) : "undefined");
    LTX2_CHECK(positions.dtype() == DType::F32 || positions.dtype() == DType::BF16,
               "rope: positions must be F32 or BF16, got {}", dtype_name(positions.dtype()));
    B = positions.size(0);
    n_axes = int(positions.size(1));
    T = positions.size(2);
    LTX2_CHECK(size_t(n_axes) == spec.max_pos.size(), "rope: {} position axes but {} max_pos values", n_axes,
               spec.max_pos.size());
    const bool four = positions.dim() == 4;
    if (four) LTX2_CHECK(positions.size(3) == 2, "rope: positions last dimension must be 2 ([start, end))");
    if (spec.middle_indices) LTX2_CHECK(four, "rope: middle positions need [start, end) bounds");
    const bool bf16 = positions.dtype() == DType::BF16;
    std::vector<float> x(size_t(B * n_axes * T));
    for (int64_t b = 0; b < B; ++b)
        for (int a = 0; a < n_axes; ++a) {
            const float mp = float(spec.max_pos[size_t(a)]);
            for (int64_t t = 0; t < T; ++t) {
                float s = four ? float(positions.at({b, a, t, 0})) : float(positions.at({b, a, t}));
                float v;
                if (spec.middle_indices) {
                    float e = float(positions.at({b, a, t, 1}));
                    if (bf16) {
                        v = round_to_bf16(round_to_bf16(s + e) / 2.0f);
                    } else {
                        v = (s + e) / 2.0f;
                    }
                } else {
                    v = s;
                }
                if (bf16) {
                    v = round_to_bf16(v / mp);
                    v = round_to_bf16(v * 2.0f);
                    v = round_to_bf16(v - 1.0f);
                } else {
                    v = v / mp;
                    v = v * 2.0f;
                    v = v - 1.0f;
                }
                x[size_t((b * n_axes + a) * T + t)] = v;
            }
        }
    return x;
}

}  // namespace

Tensor rope_angles(const Tensor& positions, const RopeSpec& spec) {
    int64_t B, T;
    int n_axes;
    std::vector<float> x = fractional_positions(positions, spec, B, n_axes, T);
    std::vector<float> g = rope_frequency_grid(spec, n_axes);
    const int64_t nf = int64_t(g.size()), W = nf * n_axes;
    Tensor out = Tensor::empty({B, T, W}, DType::F32);
    float* o = out.f32();
    for (int64_t b = 0; b < B; ++b)
        for (int64_t t = 0; t < T; ++t) {
            float* row = o + (b * T + t) * W;
            for (int64_t j = 0; j < nf; ++j)
                for (int a = 0; a < n_axes; ++a) row[j * n_axes + a] = g[size_t(j)] * x[size_t((b * n_axes + a) * T + t)];
        }
    return out;
}

RopeTable rope_table(const Tensor& positions, const RopeSpec& spec) {
    LTX2_CHECK(spec.dim > 0 && spec.dim % 2 == 0, "rope: dim {} must be positive and even", spec.dim);
    LTX2_CHECK(spec.heads > 0, "rope: heads must be positive");
    Tensor ang = rope_angles(positions, spec);
    const int64_t B = ang.size(0), T = ang.size(1), W = ang.size(2);
    const float* a = ang.f32();
    RopeTable tab;
    tab.layout = spec.layout;
    tab.heads = spec.heads;
    const int64_t n_axes = int64_t(spec.max_pos.size());
    // Split: one entry per angle, padded at the front to dim/2 (divided among the heads).
    // Interleaved: each angle twice (a rotation pair), padded at the front to dim.
    const bool split = spec.layout == RopeLayout::Split;
    const int64_t repeat = split ? 1 : 2;
    const int64_t width = split ? spec.dim / 2 : spec.dim;
    const int64_t pad = width - repeat * W;
    if (split) {
        LTX2_CHECK(width % spec.heads == 0, "rope: dim/2 = {} not divisible by {} heads", width, spec.heads);
        LTX2_CHECK(pad >= 0, "rope: {} angles exceed dim/2 = {}", W, width);
    } else {
        LTX2_CHECK(pad == spec.dim % (2 * n_axes), "rope: interleaved table of {} angles does not fit dim {}", W,
                   spec.dim);
    }
    tab.cos = Tensor::empty({B, T, width}, DType::F32);
    tab.sin = Tensor::empty({B, T, width}, DType::F32);
    float* c = tab.cos.f32();
    float* s = tab.sin.f32();
#pragma omp parallel for schedule(static) if (B * T * width >= 65536)
    for (int64_t bt = 0; bt < B * T; ++bt) {
        float* cr = c + bt * width;
        float* sr = s + bt * width;
        const float* ar = a + bt * W;
        for (int64_t i = 0; i < pad; ++i) {
            cr[i] = 1.f;
            sr[i] = 0.f;
        }
        for (int64_t i = 0; i < W; ++i) {
            const double v = double(ar[i]);
            const float cv = float(std::cos(v)), sv = float(std::sin(v));
            for (int64_t r = 0; r < repeat; ++r) {
                cr[pad + repeat * i + r] = cv;
                sr[pad + repeat * i + r] = sv;
            }
        }
    }
    return tab;
}

void rope_apply_inplace(Tensor& x, const RopeTable& table) {
    LTX2_CHECK(x.dtype() == DType::F32 && x.dim() == 3, "rope: x must be F32 [B, T, dim], got {}",
               shape_str(x.shape()));
    LTX2_CHECK(x.stride(2) == 1, "rope: rows of x must be contiguous");
    LTX2_CHECK(x.storage()->writable(), "rope: x is read-only");
    const int64_t B = x.size(0), T = x.size(1), dim = x.size(2);
    const Tensor& ct = table.cos;
    const Tensor& st = table.sin;
    LTX2_CHECK(ct.defined() && st.defined() && ct.dim() == 3 && ct.shape() == st.shape() && ct.is_contiguous() &&
                   st.is_contiguous() && ct.dtype() == DType::F32 && st.dtype() == DType::F32,
               "rope: table must be contiguous F32 cos/sin [B, T, W]");
    const int64_t TB = ct.size(0), W = ct.size(2);
    LTX2_CHECK((TB == B || TB == 1) && ct.size(1) == T, "rope: table {} does not match x {}", shape_str(ct.shape()),
               shape_str(x.shape()));
    const float* cd = ct.f32();
    const float* sd = st.f32();
    float* xd = x.data<float>();
    if (table.layout == RopeLayout::Split) {
        LTX2_CHECK(W * 2 == dim, "rope: split table width {} does not match x width {}", W, dim);
        const int64_t H = table.heads;
        LTX2_CHECK(H > 0 && dim % (2 * H) == 0, "rope: width {} not divisible into {} heads of even size", dim, H);
        const int64_t hd = dim / H, half = hd / 2;
#pragma omp parallel for schedule(static) if (B * T * dim >= 65536 && !omp_in_parallel())
        for (int64_t bt = 0; bt < B * T; ++bt) {
            const int64_t b = bt / T, t = bt % T;
            float* row = xd + b * x.stride(0) + t * x.stride(1);
            const float* c = cd + ((TB == 1 ? 0 : b) * T + t) * W;
            const float* s = sd + ((TB == 1 ? 0 : b) * T + t) * W;
            for (int64_t h = 0; h < H; ++h) {
                float* u = row + h * hd;
                float* w = u + half;
                const float* ch = c + h * half;
                const float* sh = s + h * half;
#pragma omp simd
                for (int64_t i = 0; i < half; ++i) {
                    const float uu = u[i], ww = w[i];
                    u[i] = uu * ch[i] + (-sh[i]) * ww;
                    w[i] = ww * ch[i] + sh[i] * uu;
                }
            }
        }
    } else {
        LTX2_CHECK(W == dim && dim % 2 == 0, "rope: interleaved table width {} does not match x width {}", W, dim);
#pragma omp parallel for schedule(static) if (B * T * dim >= 65536 && !omp_in_parallel())
        for (int64_t bt = 0; bt < B * T; ++bt) {
            const int64_t b = bt / T, t = bt % T;
            float* row = xd + b * x.stride(0) + t * x.stride(1);
            const float* c = cd + ((TB == 1 ? 0 : b) * T + t) * W;
            const float* s = sd + ((TB == 1 ? 0 : b) * T + t) * W;
            for (int64_t p = 0; p < dim; p += 2) {
                const float x0 = row[p], x1 = row[p + 1];
                row[p] = x0 * c[p] + (-x1) * s[p];
                row[p + 1] = x1 * c[p + 1] + x0 * s[p + 1];
            }
        }
    }
}

}  // namespace ltx2::cpu
