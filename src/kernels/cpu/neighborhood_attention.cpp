#include "kernels/cpu/neighborhood_attention.h"

#include <omp.h>

#include <algorithm>
#include <cmath>

#include <hwy/aligned_allocator.h>

#include "core/error.h"

#ifndef LTX2_NEIGHBORHOOD_ATTENTION_SHARED
#define LTX2_NEIGHBORHOOD_ATTENTION_SHARED  // once, not per target
namespace ltx2::cpu {
// The geometry shared by every tile.
struct NeighborhoodVolume {
    int64_t T, H, W, C, D;
    int64_t kt, kh, kw;
    bool bf16;
};
}  // namespace ltx2::cpu
#endif

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/cpu/neighborhood_attention.cpp"
#include <hwy/foreach_target.h>

#include "kernels/cpu/simd.h"

HWY_BEFORE_NAMESPACE();
namespace ltx2::cpu::HWY_NAMESPACE {
namespace {

namespace hn = hwy::HWY_NAMESPACE;
using VecTag = hn::ScalableTag<float>;
using Vec = hn::Vec<VecTag>;
using Volume = NeighborhoodVolume;

constexpr int kKeyBlock = 8;  // keys whose scores are accumulated together (registers)
constexpr int kDimBlock = 8;  // head channels whose outputs are accumulated together

// Rounds each lane to the nearest bf16 value (ties to even), kept as f32.
Vec round_to_bf16(VecTag d, Vec v) {
    const hn::RebindToUnsigned<VecTag> du;
    const auto bits = hn::BitCast(du, v);
    const auto odd = hn::And(hn::ShiftRight<16>(bits), hn::Set(du, 1u));
    const auto rounded = hn::Add(bits, hn::Add(hn::Set(du, 0x7FFFu), odd));
    return hn::BitCast(d, hn::And(rounded, hn::Set(du, 0xFFFF0000u)));
}

// One thread's working set for a tile of L queries (one vector lane each) and one head, all
// stored lane-minor: entry [x][lane].
struct TileScratch {
    hwy::AlignedFreeUniquePtr<float[]> q_t;     // [D][L] the queries, transposed
    hwy::AlignedFreeUniquePtr<float[]> out_t;   // [D][L] unnormalised outputs
    hwy::AlignedFreeUniquePtr<float[]> scores;  // [span + kKeyBlock][L] scores, then weights, of one key row
    hwy::AlignedFreeUniquePtr<float[]> mask;    // [span][L] 0 where the lane's window sees the key, −inf elsewhere
    size_t out_size;
    TileScratch(int64_t D, int64_t max_span, int64_t L)
        : q_t(hwy::AllocateAligned<float>(size_t(D * L))),
          out_t(hwy::AllocateAligned<float>(size_t(D * L))),
          scores(hwy::AllocateAligned<float>(size_t((max_span + kKeyBlock) * L))),
          mask(hwy::AllocateAligned<float>(size_t(max_span * L))),
          out_size(size_t(D * L)) {}
};

// Scores of the lanes' queries against the keys in columns [lo, lo + span) of one key row,
// given channel-major (column w's channel c at row_t[c·W + w]): scores[j] = Σ_c q_t[c] ·
// k_{lo+j}[c] + mask[j]. Keys go in blocks of kKeyBlock columns with one accumulator each,
// stored unconditionally into slots the caller ignores, so that they stay in registers; a block
// that would leave the row is moved back inside it (narrow rows repeat their last column).
void key_row_scores(VecTag d, const float* q_t, const float* row_t, int64_t lo, int64_t span, int64_t D, int64_t W,
                    const float* mask, float* scores) {
    const int64_t L = int64_t(hn::Lanes(d));
    for (int64_t j = 0; j < span; j += kKeyBlock) {
        const int64_t col0 = std::max<int64_t>(std::min(lo + j, W - kKeyBlock), 0);
        int64_t column[kKeyBlock];
        for (int b = 0; b < kKeyBlock; ++b) column[b] = std::min<int64_t>(col0 + b, W - 1) - col0;
        Vec acc[kKeyBlock];
        for (int b = 0; b < kKeyBlock; ++b) acc[b] = hn::Zero(d);
        const float* k = row_t + col0;
        if (W >= kKeyBlock) {
            for (int64_t c = 0; c < D; ++c, k += W) {
                const Vec q = hn::Load(d, q_t + c * L);
                for (int b = 0; b < kKeyBlock; ++b) acc[b] = hn::MulAdd(q, hn::Set(d, k[b]), acc[b]);
            }
        } else {
            for (int64_t c = 0; c < D; ++c, k += W) {
                const Vec q = hn::Load(d, q_t + c * L);
                for (int b = 0; b < kKeyBlock; ++b) acc[b] = hn::MulAdd(q, hn::Set(d, k[column[b]]), acc[b]);
            }
        }
        // Slot b is column col0 + b: keep the new ones of the span.
        for (int b = 0; b < kKeyBlock; ++b) {
            const int64_t jb = col0 + b - lo;
            if (jb >= j && jb < span) hn::Store(hn::Add(acc[b], hn::Load(d, mask + jb * L)), d, scores + jb * L);
        }
    }
}

// out_t[c] = out_t[c] · rescale + Σ_j weights[j] · v_j[c] for the `span` values at `values`.
void accumulate_values(VecTag d, const float* weights, const float* values, int64_t span, int64_t D, int64_t C,
                       Vec rescale, float* out_t) {
    const int64_t L = int64_t(hn::Lanes(d));
    int64_t c = 0;
    for (; c + kDimBlock <= D; c += kDimBlock) {
        Vec acc[kDimBlock];
        for (int b = 0; b < kDimBlock; ++b) acc[b] = hn::Mul(hn::Load(d, out_t + (c + b) * L), rescale);
        for (int64_t j = 0; j < span; ++j) {
            const Vec w = hn::Load(d, weights + j * L);
            for (int b = 0; b < kDimBlock; ++b) acc[b] = hn::MulAdd(w, hn::Set(d, values[j * C + c + b]), acc[b]);
        }
        for (int b = 0; b < kDimBlock; ++b) hn::Store(acc[b], d, out_t + (c + b) * L);
    }
    for (; c < D; ++c) {
        Vec acc = hn::Mul(hn::Load(d, out_t + c * L), rescale);
        for (int64_t j = 0; j < span; ++j) acc = hn::MulAdd(hn::Load(d, weights + j * L), hn::Set(d, values[j * C + c]), acc);
        hn::Store(acc, d, out_t + c * L);
    }
}

// The L queries from (b, t, h, wq0) along W (m of them real; the others repeat the last one and
// are not written), one head, online softmax over the key rows of the window box. keys_t holds
// the head's keys channel-major per row: [B·T·H][D][W].
void attend_tile(VecTag d, const Volume& g, const float* q, const float* keys_t, const float* v, float* out, int64_t b,
                 int64_t t, int64_t h, int64_t wq0, int64_t m, int64_t head, TileScratch& s) {
    const int64_t L = int64_t(hn::Lanes(d)), D = g.D, C = g.C;
    const int64_t t0 = neighborhood_window_start(t, g.T, g.kt), h0 = neighborhood_window_start(h, g.H, g.kh);
    const int64_t lo = neighborhood_window_start(wq0, g.W, g.kw);
    const int64_t span = neighborhood_window_start(wq0 + m - 1, g.W, g.kw) + g.kw - lo;
    const int64_t row0 = ((b * g.T + t) * g.H + h) * g.W + wq0;

    for (int64_t i = 0; i < L; ++i) {
        const int64_t qi = std::min(i, m - 1);
        const float* src = q + (row0 + qi) * C + head * D;
        for (int64_t c = 0; c < D; ++c) s.q_t[size_t(c * L + i)] = src[c];
        const int64_t first = neighborhood_window_start(wq0 + qi, g.W, g.kw) - lo;
        for (int64_t j = 0; j < span; ++j)
            s.mask[size_t(j * L + i)] = j >= first && j < first + g.kw ? 0.f : -INFINITY;
    }
    std::fill(s.out_t.get(), s.out_t.get() + s.out_size, 0.f);
    Vec running_max = hn::Set(d, -INFINITY), running_sum = hn::Zero(d);

    for (int64_t dt = 0; dt < g.kt; ++dt)
        for (int64_t dh = 0; dh < g.kh; ++dh) {
            const int64_t key_row = (b * g.T + t0 + dt) * g.H + h0 + dh, key0 = key_row * g.W + lo;
            key_row_scores(d, s.q_t.get(), keys_t + key_row * D * g.W, lo, span, D, g.W, s.mask.get(),
                           s.scores.get());
            Vec row_max = running_max;
            for (int64_t j = 0; j < span; ++j) row_max = hn::Max(row_max, hn::Load(d, s.scores.get() + j * L));
            const Vec rescale = hn::Exp(d, hn::Sub(running_max, row_max));
            Vec sum = hn::Zero(d);
            for (int64_t j = 0; j < span; ++j) {
                float* p = s.scores.get() + j * L;
                const Vec e = hn::Exp(d, hn::Sub(hn::Load(d, p), row_max));
                sum = hn::Add(sum, e);
                hn::Store(g.bf16 ? round_to_bf16(d, e) : e, d, p);
            }
            running_sum = hn::MulAdd(running_sum, rescale, sum);
            running_max = row_max;
            accumulate_values(d, s.scores.get(), v + key0 * C + head * D, span, D, C, rescale, s.out_t.get());
        }

    alignas(64) float inv[64];
    hn::StoreU(hn::Div(hn::Set(d, 1.f), running_sum), d, inv);
    for (int64_t i = 0; i < m; ++i) {
        float* dst = out + (row0 + i) * C + head * D;
        for (int64_t c = 0; c < D; ++c) dst[c] = s.out_t[size_t(c * L + i)] * inv[i];
    }
}

// Every head of the attention over the volume (B batches): tiles of L queries, one per lane.
void AttendHeads(const Volume& g, int64_t B, int heads, const float* qp, const float* kp, const float* vp, float* op) {
    const int64_t T = g.T, H = g.H, W = g.W, C = g.C;
    const VecTag d;
    const int64_t L = int64_t(hn::Lanes(d));
    LTX2_CHECK(L <= 64, "neighborhood_attention_3d: vectors of {} floats are wider than supported", L);
    const int64_t rows = B * T * H, tiles = (W + L - 1) / L, items = rows * tiles;
    const int64_t max_span = std::min(W, L + g.kw - 1);
    // One head at a time, its keys transposed to channel-major rows (a quarter of k for 4 heads).
    auto keys_t = hwy::AllocateAligned<float>(size_t(rows * g.D * W));

    for (int64_t head = 0; head < heads; ++head) {
#pragma omp parallel for schedule(static) if (rows > 1 && !omp_in_parallel())
        for (int64_t r = 0; r < rows; ++r) {
            const float* src = kp + r * W * C + head * g.D;
            float* dst = keys_t.get() + r * g.D * W;
            for (int64_t w = 0; w < W; ++w)
                for (int64_t c = 0; c < g.D; ++c) dst[c * W + w] = src[w * C + c];
        }
#pragma omp parallel if (items > 1 && !omp_in_parallel())
        {
            TileScratch scratch(g.D, max_span, L);
#pragma omp for schedule(dynamic)
            for (int64_t item = 0; item < items; ++item) {
                const int64_t tile = item % tiles, row = item / tiles;
                const int64_t b = row / (T * H), t = (row / H) % T, h = row % H;
                const int64_t wq0 = tile * L;
                attend_tile(d, g, qp, keys_t.get(), vp, op, b, t, h, wq0, std::min(L, W - wq0), head, scratch);
            }
        }
    }
}

}  // namespace
}  // namespace ltx2::cpu::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace ltx2::cpu {

HWY_EXPORT(AttendHeads);

namespace {

void check_input(const Tensor& t, const char* what, const Shape& shape) {
    LTX2_CHECK(t.dtype() == DType::F32 && t.is_contiguous() && t.dim() == 5,
               "neighborhood_attention_3d: {} must be a contiguous F32 [B, T, H, W, C] tensor, got {} {}", what,
               dtype_name(t.dtype()), shape_str(t.shape()));
    LTX2_CHECK(t.shape() == shape, "neighborhood_attention_3d: {} has shape {}, expected {}", what,
               shape_str(t.shape()), shape_str(shape));
}

}  // namespace

// Each work item is a tile of L consecutive queries along W (L = the vector width, one query
// per lane) sharing their (t, h) windows: the key rows of the window box are read in place, the
// scores of all lanes against one row's keys come from broadcast FMAs, keys outside a lane's W
// window are masked, and the softmax runs online over the key rows.
Tensor neighborhood_attention_3d(const Tensor& q_in, const Tensor& k_in, const Tensor& v_in, int heads,
                                 const std::array<int, 3>& kernel, Precision precision) {
    const Shape shape = q_in.shape();
    check_input(q_in, "q", shape);
    check_input(k_in, "k", shape);
    check_input(v_in, "v", shape);
    const int64_t B = shape[0], T = shape[1], H = shape[2], W = shape[3], C = shape[4];
    LTX2_CHECK(heads > 0 && C % heads == 0, "neighborhood_attention_3d: {} channels do not split into {} heads", C,
               heads);
    for (int a = 0; a < 3; ++a)
        LTX2_CHECK(kernel[size_t(a)] > 0, "neighborhood_attention_3d: kernel size {} must be positive",
                   kernel[size_t(a)]);
    Tensor out = Tensor::empty(shape);
    if (out.numel() == 0) return out;
    // bf16: the inputs of both products are rounded (q, k, v here; the weights in the tile).
    const bool bf16 = precision == Precision::BF16;
    auto rounded = [&](const Tensor& x) { return bf16 ? x.to(DType::BF16).to(DType::F32) : x; };
    const Tensor q = rounded(q_in), k = rounded(k_in), v = rounded(v_in);
    const NeighborhoodVolume g{T,
                               H,
                               W,
                               C,
                               C / heads,
                               std::min<int64_t>(kernel[0], T),
                               std::min<int64_t>(kernel[1], H),
                               std::min<int64_t>(kernel[2], W),
                               bf16};

    LTX2_SIMD_DISPATCH(AttendHeads)(g, B, heads, q.f32(), k.f32(), v.f32(), out.f32());
    return out;
}

}  // namespace ltx2::cpu
#endif  // HWY_ONCE
