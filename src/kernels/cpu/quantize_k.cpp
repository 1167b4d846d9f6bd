// K-quant encoders (256-value super-blocks). Each sub-block gets a scale (and for Q4_K / Q5_K a
// min) fitted by a small search that minimises weighted squared error; the scales themselves
// are then quantized against one f16 super-scale, and the values re-quantized with the scales
// as stored. Float expression order follows ggml's reference so the bytes come out identical.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/dtype.h"
#include "kernels/cpu/quantize.h"

namespace ltx2::cpu::quant {

namespace {

constexpr int kSuper = 256;
constexpr float kAllZero = 1e-15f;  // a group whose max |x| is below this quantizes to zeros

// Round half to even (ggml's nearest_int for |v| < 2^22).
int nearest_int(float v) { return int(std::lrintf(v)); }

void store_half(uint8_t* p, float v) {
    const uint16_t h = f32_to_f16(v);
    std::memcpy(p, &h, 2);
}
float stored_half(const uint8_t* p) {
    uint16_t h;
    std::memcpy(&h, p, 2);
    return f16_to_f32(h);
}

// Fits x ≈ scale·L + min with L in [0, nmax] and min <= 0, minimising Σ w·(scale·L + min − x)².
// Starts from the plain min/max grid, then tries nstep + 1 stretched grids ((nmax + rmin +
// rdelta·k) levels over [min, hi]), each refined by weighted least squares for scale and min.
// As in ggml, a grid is laid from the best min found so far, not from the data's minimum.
// Returns scale; *neg_min = −min.
float fit_scale_min(int n, int nmax, const float* x, const float* w, uint8_t* L, float* neg_min, float rmin,
                    float rdelta, int nstep) {
    float min = x[0], hi = x[0];
    float sum_w = w[0], sum_x = w[0] * x[0];
    for (int i = 1; i < n; ++i) {
        if (x[i] < min) min = x[i];
        if (x[i] > hi) hi = x[i];
        sum_w += w[i];
        sum_x += w[i] * x[i];
    }
    if (min > 0) min = 0;
    if (hi == min) {
        std::fill(L, L + n, uint8_t(0));
        *neg_min = -min;
        return 0.0f;
    }
    float inv_scale = float(nmax) / (hi - min);
    float scale = 1 / inv_scale;
    float best_err = 0;
    for (int i = 0; i < n; ++i) {
        L[i] = uint8_t(std::clamp(nearest_int(inv_scale * (x[i] - min)), 0, nmax));
        const float diff = scale * L[i] + min - x[i];
        best_err += w[i] * (diff * diff);
    }
    uint8_t trial[32];
    for (int step = 0; step <= nstep; ++step) {
        inv_scale = (rmin + rdelta * step + nmax) / (hi - min);
        float sum_l = 0, sum_l2 = 0, sum_xl = 0;
        for (int i = 0; i < n; ++i) {
            const int l = std::clamp(nearest_int(inv_scale * (x[i] - min)), 0, nmax);
            trial[i] = uint8_t(l);
            sum_l += w[i] * l;
            sum_l2 += w[i] * l * l;
            sum_xl += w[i] * l * x[i];
        }
        const float det = sum_w * sum_l2 - sum_l * sum_l;
        if (!(det > 0)) continue;
        float trial_scale = (sum_w * sum_xl - sum_x * sum_l) / det;
        float trial_min = (sum_l2 * sum_x - sum_l * sum_xl) / det;
        if (trial_min > 0) {
            trial_min = 0;
            trial_scale = sum_xl / sum_l2;
        }
        float err = 0;
        for (int i = 0; i < n; ++i) {
            const float diff = trial_scale * trial[i] + trial_min - x[i];
            err += w[i] * (diff * diff);
        }
        if (err < best_err) {
            std::copy(trial, trial + n, L);
            best_err = err;
            scale = trial_scale;
            min = trial_min;
        }
    }
    *neg_min = -min;
    return scale;
}

// Symmetric fit x ≈ scale·(L − nmax), L in [0, 2·nmax), weights x², trying 19 grids around nmax
// levels over the signed extreme and keeping the least-squares best.
float fit_scale_symmetric(int n, int nmax, const float* x, int8_t* L) {
    float amax = 0, extreme = 0;
    for (int i = 0; i < n; ++i) {
        if (std::fabs(x[i]) > amax) {
            amax = std::fabs(x[i]);
            extreme = x[i];
        }
    }
    if (amax < kAllZero) {
        std::fill(L, L + n, int8_t(0));
        return 0.0f;
    }
    auto level = [&](float inv_scale, int i) { return std::clamp(nearest_int(inv_scale * x[i]), -nmax, nmax - 1); };
    auto sums = [&](float inv_scale, float& sum_lx, float& sum_l2) {
        sum_lx = sum_l2 = 0;
        for (int i = 0; i < n; ++i) {
            const int l = level(inv_scale, i);
            const float w = x[i] * x[i];
            sum_lx += w * x[i] * l;
            sum_l2 += w * l * l;
        }
    };
    float inv_scale = -nmax / extreme;
    float sum_lx, sum_l2;
    sums(inv_scale, sum_lx, sum_l2);
    for (int i = 0; i < n; ++i) L[i] = int8_t(level(inv_scale, i) + nmax);
    float scale = sum_l2 != 0 ? sum_lx / sum_l2 : 0.0f;
    float best = scale * sum_lx;
    for (int k = -9; k <= 9; ++k) {
        if (k == 0) continue;
        inv_scale = -(nmax + 0.1f * k) / extreme;
        sums(inv_scale, sum_lx, sum_l2);
        if (sum_l2 > 0 && sum_lx * sum_lx > best * sum_l2) {
            for (int i = 0; i < n; ++i) L[i] = int8_t(level(inv_scale, i) + nmax);
            scale = sum_lx / sum_l2;
            best = scale * sum_lx;
        }
    }
    return scale;
}

// Q4_K / Q5_K share everything but the level count: 8 sub-blocks of 32, each with a 6-bit scale
// and min against the block's f16 d and dmin. Writes d, dmin and the 12 packed scale bytes at
// block[0..16) and the final levels (0..nmax) into L.
void encode_scale_min_block(const float* x, int nmax, float rmin, int nstep, uint8_t* block, uint8_t* L) {
    float scales[8], mins[8], weights[32];
    float max_scale = 0, max_min = 0;
    for (int j = 0; j < 8; ++j) {
        const float* xs = x + 32 * j;
        float sum_x2 = 0;
        for (int l = 0; l < 32; ++l) sum_x2 += xs[l] * xs[l];
        const float rms = std::sqrt(sum_x2 / 32);
        for (int l = 0; l < 32; ++l) weights[l] = rms + std::fabs(xs[l]);
        scales[j] = fit_scale_min(32, nmax, xs, weights, L + 32 * j, &mins[j], rmin, 0.1f, nstep);
        if (scales[j] > max_scale) max_scale = scales[j];
        if (mins[j] > max_min) max_min = mins[j];
    }
    const float inv_scale = max_scale > 0 ? 63.f / max_scale : 0.f;
    const float inv_min = max_min > 0 ? 63.f / max_min : 0.f;
    uint8_t* packed = block + 4;
    std::memset(packed, 0, 12);
    uint8_t sc[8], mn[8];
    for (int j = 0; j < 8; ++j) {
        sc[j] = std::min<uint8_t>(63, uint8_t(nearest_int(inv_scale * scales[j])));
        mn[j] = std::min<uint8_t>(63, uint8_t(nearest_int(inv_min * mins[j])));
        if (j < 4) {
            packed[j] = sc[j];
            packed[j + 4] = mn[j];
        } else {  // low 4 bits in bytes 8..11, high 2 bits in the top of bytes 0..7
            packed[j + 4] = uint8_t((sc[j] & 0xF) | ((mn[j] & 0xF) << 4));
            packed[j - 4] |= uint8_t((sc[j] >> 4) << 6);
            packed[j] |= uint8_t((mn[j] >> 4) << 6);
        }
    }
    store_half(block, max_scale / 63.f);
    store_half(block + 2, max_min / 63.f);
    const float d = stored_half(block), dmin = stored_half(block + 2);
    for (int j = 0; j < 8; ++j) {
        const float dj = d * sc[j];
        if (dj == 0) continue;  // keep the fitted levels: they decode to −dmin·m anyway
        const float mj = dmin * mn[j];
        for (int l = 0; l < 32; ++l)
            L[32 * j + l] = uint8_t(std::clamp(nearest_int((x[32 * j + l] + mj) / dj), 0, nmax));
    }
}

}  // namespace

// Q4_K: d, dmin, 12 scale bytes, then 128 bytes of nibbles: each 64-value chunk stores values
// 0..31 in the low nibbles and 32..63 in the high nibbles of its 32 bytes.
void encode_q4_k(const float* x, uint8_t* block) {
    uint8_t L[kSuper];
    encode_scale_min_block(x, 15, -1.0f, 20, block, L);
    uint8_t* q = block + 16;
    for (int c = 0; c < kSuper; c += 64, q += 32)
        for (int l = 0; l < 32; ++l) q[l] = uint8_t(L[c + l] | (L[c + l + 32] << 4));
}

// Q5_K: as Q4_K with 5-bit levels; the fifth bits go to 32 bytes qh (bit 2k / 2k+1 of qh[l] for
// values l / l + 32 of chunk k) before the 128 nibble bytes.
void encode_q5_k(const float* x, uint8_t* block) {
    uint8_t L[kSuper];
    encode_scale_min_block(x, 31, -0.5f, 15, block, L);
    uint8_t* qh = block + 16;
    uint8_t* q = block + 48;
    std::memset(qh, 0, 32);
    for (int c = 0, bit = 0; c < kSuper; c += 64, bit += 2, q += 32) {
        for (int l = 0; l < 32; ++l) {
            const int lo = L[c + l], hi = L[c + l + 32];
            qh[l] |= uint8_t(((lo >> 4) << bit) | ((hi >> 4) << (bit + 1)));
            q[l] = uint8_t((lo & 0xF) | ((hi & 0xF) << 4));
        }
    }
}

// Q6_K: 128 bytes low nibbles, 64 bytes high bit pairs, 16 int8 scales, f16 d. 16 sub-blocks
// of 16 values, levels −32..31 stored offset by 32.
void encode_q6_k(const float* x, uint8_t* block) {
    uint8_t* ql = block;
    uint8_t* qh = block + 128;
    auto* scales = reinterpret_cast<int8_t*>(block + 192);
    int8_t L[kSuper];
    float sub_scales[16];
    float max_scale = 0, max_abs_scale = 0;
    for (int j = 0; j < 16; ++j) {
        sub_scales[j] = fit_scale_symmetric(16, 32, x + 16 * j, L + 16 * j);
        if (std::fabs(sub_scales[j]) > max_abs_scale) {
            max_abs_scale = std::fabs(sub_scales[j]);
            max_scale = sub_scales[j];
        }
    }
    if (max_abs_scale < kAllZero) {
        std::memset(block, 0, 210);
        return;
    }
    const float inv_scale = -128.f / max_scale;
    store_half(block + 208, 1 / inv_scale);
    for (int j = 0; j < 16; ++j) scales[j] = int8_t(std::min(127, nearest_int(inv_scale * sub_scales[j])));
    const float d = stored_half(block + 208);
    for (int j = 0; j < 16; ++j) {
        const float dj = d * scales[j];
        if (dj == 0) continue;
        for (int l = 0; l < 16; ++l) L[16 * j + l] = int8_t(std::clamp(nearest_int(x[16 * j + l] / dj), -32, 31) + 32);
    }
    for (int c = 0; c < kSuper; c += 128, ql += 64, qh += 32) {
        for (int l = 0; l < 32; ++l) {
            const int q0 = L[c + l], q1 = L[c + l + 32], q2 = L[c + l + 64], q3 = L[c + l + 96];
            ql[l] = uint8_t((q0 & 0xF) | ((q2 & 0xF) << 4));
            ql[l + 32] = uint8_t((q1 & 0xF) | ((q3 & 0xF) << 4));
            qh[l] = uint8_t((q0 >> 4) | ((q1 >> 4) << 2) | ((q2 >> 4) << 4) | ((q3 >> 4) << 6));
        }
    }
}

}  // namespace ltx2::cpu::quant
