#include "kernels/cpu/attention.h"

#include <omp.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "core/error.h"
#include "kernels/cpu/avx512_bf16.h"
#include "kernels/cpu/cpu_common.h"

#undef HWY_TARGET_INCLUDE
#define HWY_TARGET_INCLUDE "kernels/cpu/attention.cpp"
#include <hwy/foreach_target.h>

#include "kernels/cpu/simd.h"

HWY_BEFORE_NAMESPACE();
namespace ltx2::cpu::HWY_NAMESPACE {
namespace {

namespace hn = hwy::HWY_NAMESPACE;

// Row max of s·scale + bias.
float RowMax(const float* s, const float* bias, int64_t n, float scale) {
    const hn::ScalableTag<float> d;
    const int64_t L = int64_t(hn::Lanes(d));
    const auto vs = hn::Set(d, scale);
    auto m0 = hn::Set(d, -FLT_MAX), m1 = m0;
    int64_t j = 0;
    if (bias) {
        for (; j + 2 * L <= n; j += 2 * L) {
            m0 = hn::Max(m0, hn::MulAdd(hn::LoadU(d, s + j), vs, hn::LoadU(d, bias + j)));
            m1 = hn::Max(m1, hn::MulAdd(hn::LoadU(d, s + j + L), vs, hn::LoadU(d, bias + j + L)));
        }
    } else {
        for (; j + 2 * L <= n; j += 2 * L) {
            m0 = hn::Max(m0, hn::Mul(hn::LoadU(d, s + j), vs));
            m1 = hn::Max(m1, hn::Mul(hn::LoadU(d, s + j + L), vs));
        }
    }
    float m = hn::GetLane(hn::MaxOfLanes(d, hn::Max(m0, m1)));
    for (; j < n; ++j) m = std::max(m, s[j] * scale + (bias ? bias[j] : 0.f));
    return m;
}

// e = exp(s·scale + bias − m); returns Σe. Writes f32 (out32) or bf16 (out16).
float RowExp(const float* s, const float* bias, int64_t n, float scale, float m, float* out32, uint16_t* out16) {
    const hn::ScalableTag<float> d;
    const int64_t L = int64_t(hn::Lanes(d));
    const auto vs = hn::Set(d, scale);
    const auto vm = hn::Set(d, -m);
    auto sum0 = hn::Zero(d), sum1 = hn::Zero(d);
    int64_t j = 0;
    for (; j + 2 * L <= n; j += 2 * L) {
        hn::Vec<decltype(d)> t0, t1;
        if (bias) {
            // (s·scale + bias) − m, in the reference's order: scores then bias then max.
            t0 = hn::Add(hn::Mul(hn::LoadU(d, s + j), vs), hn::LoadU(d, bias + j));
            t1 = hn::Add(hn::Mul(hn::LoadU(d, s + j + L), vs), hn::LoadU(d, bias + j + L));
            t0 = hn::Add(t0, vm);
            t1 = hn::Add(t1, vm);
        } else {
            t0 = hn::Add(hn::Mul(hn::LoadU(d, s + j), vs), vm);
            t1 = hn::Add(hn::Mul(hn::LoadU(d, s + j + L), vs), vm);
        }
        auto e0 = hn::Exp(d, t0), e1 = hn::Exp(d, t1);
        sum0 = hn::Add(sum0, e0);
        sum1 = hn::Add(sum1, e1);
        if (out16) {
            alignas(64) float tmp[2 * 64];
            hn::StoreU(e0, d, tmp);
            hn::StoreU(e1, d, tmp + L);
            for (int64_t i = 0; i < 2 * L; ++i) out16[j + i] = f32_to_bf16(tmp[i]);
        } else {
            hn::StoreU(e0, d, out32 + j);
            hn::StoreU(e1, d, out32 + j + L);
        }
    }
    float sum = hn::GetLane(hn::SumOfLanes(d, hn::Add(sum0, sum1)));
    for (; j < n; ++j) {
        float e = std::exp((s[j] * scale + (bias ? bias[j] : 0.f)) - m);
        sum += e;
        if (out16)
            out16[j] = f32_to_bf16(e);
        else
            out32[j] = e;
    }
    return sum;
}

}  // namespace
}  // namespace ltx2::cpu::HWY_NAMESPACE
HWY_AFTER_NAMESPACE();

#if HWY_ONCE
namespace ltx2::cpu {

HWY_EXPORT(RowMax);
HWY_EXPORT(RowExp);

using dt = dnnl::memory::data_type;

namespace {

int g_block_rows = 0;  // 0: automatic

int block_rows(int64_t tq) {
    int mb = g_block_rows;
    if (mb <= 0) {
        static int env = [] {
            const char* e = std::getenv("LTX2_ATTN_BLOCK");
            return e ? std::atoi(e) : 0;
        }();
        mb = env > 0 ? env : 64;
    }
    if (tq < mb) mb = int((tq + 15) / 16 * 16);
    return std::max(mb, 1);
}

// The keys query row i may see by position alone: [lo, hi).
struct KeyRange {
    int64_t lo = 0, hi = 0;
};

KeyRange positional_keys(const AttentionOptions& o, int64_t i, int64_t Tk) {
    const int64_t rel = o.q_position0 + i - o.k_position0;  // query position in key-row units
    KeyRange r{0, Tk};
    if (o.causal) r.hi = std::clamp<int64_t>(rel + 1, 0, Tk);
    if (o.window > 0) r.lo = std::clamp<int64_t>(rel - o.window + 1, 0, Tk);
    r.hi = std::max(r.lo, r.hi);
    return r;
}

// Per-key additive terms and, with a key mask, prefix counts of visible keys (to find rows
// that see none).
struct KeyVisibility {
    Tensor key_bias;                 // F32 [B, Tk] or undefined
    std::vector<float> masked_bias;  // key_bias with −inf on masked keys; empty without a mask
    std::vector<int32_t> count;      // [B, Tk + 1]; empty: every key visible

    const float* bias() const {  // [B, Tk] or null
        return !masked_bias.empty() ? masked_bias.data() : key_bias.defined() ? key_bias.f32() : nullptr;
    }

    bool any_visible(int64_t b, int64_t Tk, const KeyRange& r) const {
        if (r.hi <= r.lo) return false;
        if (count.empty()) return true;
        const int32_t* c = count.data() + b * (Tk + 1);
        return c[r.hi] > c[r.lo];
    }
};

KeyVisibility key_visibility(const AttentionOptions& o, int64_t B, int64_t Tk) {
    KeyVisibility kv;
    if (o.key_bias.defined()) {
        LTX2_CHECK(o.key_bias.numel() == B * Tk, "attention: key_bias {} must hold [B={}, Tk={}]",
                   shape_str(o.key_bias.shape()), B, Tk);
        kv.key_bias = o.key_bias.to(DType::F32).contiguous();
    }
    if (!o.key_mask.defined()) return kv;
    LTX2_CHECK(o.key_mask.numel() == B * Tk, "attention: key_mask {} must hold [B={}, Tk={}]",
               shape_str(o.key_mask.shape()), B, Tk);
    const std::vector<float> mask = o.key_mask.to_vector();
    const float* bias = kv.bias();
    kv.masked_bias.resize(size_t(B * Tk));
    kv.count.resize(size_t(B * (Tk + 1)));
    for (int64_t b = 0; b < B; ++b) {
        int32_t* c = kv.count.data() + b * (Tk + 1);
        c[0] = 0;
        for (int64_t j = 0; j < Tk; ++j) {
            const size_t i = size_t(b * Tk + j);
            const bool visible = mask[i] != 0.f;
            // Masked keys score −inf: their softmax numerators are exactly 0.
            kv.masked_bias[i] = visible ? (bias ? bias[i] : 0.f) : -INFINITY;
            c[j + 1] = c[j] + (visible ? 1 : 0);
        }
    }
    return kv;
}

// Causal / windowed attention packs K and V in tiles of this many keys; a query block multiplies
// only the tiles its rows can see. Scores are stored tile by tile with dense rows: oneDNN picks
// its fastest (AMX) kernels only for dense operands, and they need tiles this wide to pay off.
constexpr int64_t kKeyTile = 256;

// K (as Kᵀ: [D, tile]) and V ([tile, D]) of every (batch, kv head) and key tile, in the layouts
// the two matmul primitives want. A last partial tile is zero-padded.
class PackedKV {
public:
    PackedKV(const Tensor& k, const Tensor& v, int64_t kv_heads, int64_t D, int64_t tile,
             const cpu::MatmulPrim& score, const cpu::MatmulPrim& value)
        : tiles_((k.size(1) + tile - 1) / tile) {
        const int64_t B = k.size(0), Tk = k.size(1);
        const dnnl::memory::desc kb_md = cpu::matmul_b_desc(score), vb_md = cpu::matmul_b_desc(value);
        kb_stride_ = (kb_md.get_size() + 63) / 64 * 64;
        vb_stride_ = (vb_md.get_size() + 63) / 64 * 64;
        const size_t count = size_t(B * kv_heads * tiles_);
        void* p = std::aligned_alloc(64, count * (kb_stride_ + vb_stride_));
        LTX2_CHECK(p != nullptr, "attention: out of memory packing K/V ({} bytes)", count * (kb_stride_ + vb_stride_));
        memory_.reset(p);
        k_ = static_cast<std::byte*>(p);
        v_ = k_ + count * kb_stride_;
#pragma omp parallel for schedule(dynamic)
        for (int64_t i = 0; i < int64_t(count); ++i) {
            const int64_t bk = i / tiles_, t = i % tiles_, b = bk / kv_heads, h = bk % kv_heads;
            const int64_t j0 = t * tile, rows = std::min(tile, Tk - j0);
            const float* kp = k.data<float>() + b * k.stride(0) + j0 * k.stride(1) + h * D;
            const float* vp = v.data<float>() + b * v.stride(0) + j0 * v.stride(1) + h * D;
            int64_t ldk = k.stride(1), ldv = v.stride(1);
            if (rows < tile) {  // zero-padded copies [tile, D]
                float* buf = cpu::thread_scratch().padded_kv.reserve_as<float>(size_t(2 * tile * D));
                std::fill(buf, buf + 2 * tile * D, 0.f);
                for (int64_t r = 0; r < rows; ++r) {
                    std::memcpy(buf + r * D, kp + r * ldk, size_t(D) * 4);
                    std::memcpy(buf + (tile + r) * D, vp + r * ldv, size_t(D) * 4);
                }
                kp = buf;
                vp = buf + tile * D;
                ldk = ldv = D;
            }
            cpu::reorder(dnnl::memory::desc({D, tile}, dt::f32, {1, ldk}), kp, kb_md, k_ + size_t(i) * kb_stride_);
            cpu::reorder(dnnl::memory::desc({tile, D}, dt::f32, {ldv, 1}), vp, vb_md, v_ + size_t(i) * vb_stride_);
        }
    }

    const void* k(int64_t bk, int64_t t) const { return k_ + size_t(bk * tiles_ + t) * kb_stride_; }
    const void* v(int64_t bk, int64_t t) const { return v_ + size_t(bk * tiles_ + t) * vb_stride_; }

private:
    int64_t tiles_;
    size_t kb_stride_ = 0, vb_stride_ = 0;
    std::unique_ptr<void, decltype(&std::free)> memory_{nullptr, &std::free};
    std::byte* k_ = nullptr;
    std::byte* v_ = nullptr;
};

}  // namespace

void set_attention_block_rows(int rows) { g_block_rows = rows; }

Tensor attention(const Tensor& q, const Tensor& k, const Tensor& v, const AttentionOptions& o) {
    for (const Tensor* t : {&q, &k, &v}) {
        LTX2_CHECK(t->defined() && t->dim() == 3 && t->dtype() == DType::F32,
                   "attention: q/k/v must be F32 [B, T, H·D], got {}", t->defined() ? shape_str(t->shape()) : "undefined");
        LTX2_CHECK(t->stride(2) == 1, "attention: q/k/v rows must be contiguous, got strides ({}, {}, {})",
                   t->stride(0), t->stride(1), t->stride(2));
    }
    const int heads = o.heads;
    const int64_t B = q.size(0), Tq = q.size(1), HD = q.size(2), Tk = k.size(1);
    LTX2_CHECK(heads > 0 && HD % heads == 0, "attention: width {} is not divisible by {} heads", HD, heads);
    const int64_t D = HD / heads;
    LTX2_CHECK(o.kv_heads >= 0, "attention: kv_heads {} must not be negative", o.kv_heads);
    const int kv_heads = o.kv_heads > 0 ? o.kv_heads : heads;
    LTX2_CHECK(heads % kv_heads == 0, "attention: {} query heads are not a multiple of {} kv heads", heads, kv_heads);
    const int64_t KVD = kv_heads * D;
    LTX2_CHECK(k.size(0) == B && v.size(0) == B && k.size(2) == KVD && v.size(2) == KVD && v.size(1) == Tk,
               "attention: q {} k {} v {} do not agree ({} heads, {} kv heads)", shape_str(q.shape()),
               shape_str(k.shape()), shape_str(v.shape()), heads, kv_heads);
    LTX2_CHECK(o.window >= 0, "attention: window {} must not be negative", o.window);
    LTX2_CHECK(std::isfinite(o.scale), "attention: scale {} is not finite", o.scale);
    const KeyVisibility vis = key_visibility(o, B, Tk);
    // Every (row, head) of the output is written once below, rows that see no key with zeros.
    Tensor out = Tensor::empty({B, Tq, HD}, DType::F32);
    if (B == 0 || Tq == 0 || HD == 0) return out;
    LTX2_CHECK(Tk > 0, "attention: no keys");

    const bool bf16 = o.precision == Precision::BF16;
    const bool bf16_hardware = bf16 && cpu_isa().avx512_bf16;
    const dt edt = bf16 ? dt::bf16 : dt::f32;
    const size_t esz = bf16 ? 2 : 4;
    const int Mb = block_rows(Tq);
    const float scale = o.scale != 0.f ? o.scale : float(1.0 / std::sqrt(double(D)));
    const int group = heads / kv_heads;
    // Plain attention: one tile of all keys, one product each way. Causal / windowed: key tiles,
    // a block multiplies only those its rows can see and accumulates E·V over them.
    const bool ranged = o.causal || o.window > 0;
    const int64_t KT = ranged ? std::min(kKeyTile, (Tk + 15) / 16 * 16) : Tk;
    const int64_t ntiles = (Tk + KT - 1) / KT;

    // Per tile: S = Qblk · K_tileᵀ (K = D, N = KT);  O (+)= E_tile · V_tile  (K = KT, N = D).
    cpu::MatmulDesc d1;
    d1.M = Mb; d1.N = KT; d1.K = D; d1.a_dt = edt; d1.b_dt = edt; d1.lda = D; d1.b_blocked = true; d1.ldc = KT;
    cpu::MatmulDesc d2;
    d2.M = Mb; d2.N = D; d2.K = KT; d2.a_dt = edt; d2.b_dt = edt; d2.lda = KT; d2.b_blocked = true; d2.ldc = D;
    d2.accumulate = ranged;
    const auto& p1 = cpu::matmul_primitive(d1);
    const auto& p2 = cpu::matmul_primitive(d2);
    const PackedKV packed(k, v, kv_heads, D, KT, p1, p2);

    const int64_t nblk = (Tq + Mb - 1) / Mb;
    const int64_t ntask = B * heads * nblk;
    const int64_t tile_elems = Mb * KT;  // one tile of S / E: [Mb, KT]
    const float* qd = q.data<float>();
    float* od = out.f32();

#pragma omp parallel for schedule(dynamic)
    for (int64_t task = 0; task < ntask; ++task) {
        const int64_t bh = task / nblk, blk = task % nblk;
        const int64_t b = bh / heads, h = bh % heads, bk = b * kv_heads + h / group;
        const int64_t r0 = blk * Mb, rows = std::min<int64_t>(Mb, Tq - r0);

        // Key tiles [t0, t0 + nt) cover every row of the block.
        int64_t t0 = 0, nt = ntiles;
        if (ranged) {
            const int64_t lo = positional_keys(o, r0, Tk).lo;  // both bounds grow with the row
            const int64_t hi = positional_keys(o, r0 + rows - 1, Tk).hi;
            if (hi <= lo) {  // no row sees a key: the block's output is 0
                for (int64_t r = 0; r < rows; ++r) std::fill_n(od + (b * Tq + r0 + r) * HD + h * D, D, 0.f);
                continue;
            }
            t0 = lo / KT;
            nt = (hi + KT - 1) / KT - t0;
        }
        const int64_t j0 = t0 * KT;

        // Q block, packed [Mb, D] (zero rows past Tq).
        void* qblk = cpu::thread_scratch().query_block.reserve(size_t(Mb) * D * esz);
        for (int64_t r = 0; r < Mb; ++r) {
            if (r < rows) {
                const float* src = qd + b * q.stride(0) + (r0 + r) * q.stride(1) + h * D;
                if (bf16)
                    f32_to_bf16_array(src, static_cast<uint16_t*>(qblk) + r * D, size_t(D));
                else
                    std::memcpy(static_cast<float*>(qblk) + r * D, src, size_t(D) * 4);
            } else {
                std::memset(static_cast<std::byte*>(qblk) + r * D * esz, 0, size_t(D) * esz);
            }
        }
        float* S = cpu::thread_scratch().scores.reserve_as<float>(size_t(nt * tile_elems));
        for (int64_t i = 0; i < nt; ++i) cpu::matmul_execute(p1, qblk, packed.k(bk, t0 + i), S + i * tile_elems);

        // Softmax numerators (E) and row sums over each row's visible keys; E is 0 elsewhere.
        // f32: in place over S; bf16: separate buffer. Same tiled layout as S.
        void* E = bf16 ? cpu::thread_scratch().softmax.reserve(size_t(nt * tile_elems) * 2) : static_cast<void*>(S);
        float inv_sum[1024];
        std::vector<float> inv_sum_big;
        float* inv = inv_sum;
        if (Mb > 1024) {
            inv_sum_big.resize(size_t(Mb));
            inv = inv_sum_big.data();
        }
        const float* bias_row = vis.bias() ? vis.bias() + b * Tk + j0 : nullptr;
        for (int64_t r = 0; r < rows; ++r) {
            const KeyRange keys = ranged ? positional_keys(o, r0 + r, Tk) : KeyRange{0, Tk};
            const bool any = vis.any_visible(b, Tk, keys);
            const int64_t lo = any ? keys.lo - j0 : 0, hi = any ? keys.hi - j0 : 0;  // block-relative
            // The row's part of tile i covers keys [i·KT, (i+1)·KT); visible within it: [begin, end).
            auto segment = [&](int64_t i) {
                return std::pair<int64_t, int64_t>{std::clamp(lo - i * KT, int64_t(0), KT),
                                                   std::clamp(hi - i * KT, int64_t(0), KT)};
            };
            for (int64_t i = 0; i < nt; ++i) {
                auto [begin, end] = segment(i);
                end = std::max(begin, end);
                if (bf16) {
                    uint16_t* e = static_cast<uint16_t*>(E) + i * tile_elems + r * KT;
                    std::fill(e, e + begin, uint16_t(0));
                    std::fill(e + end, e + KT, uint16_t(0));
                } else {
                    float* e = S + i * tile_elems + r * KT;
                    std::fill(e, e + begin, 0.f);
                    std::fill(e + end, e + KT, 0.f);
                }
            }
            if (!any) {
                inv[r] = 0.f;
                continue;
            }
            float m = -INFINITY;
            for (int64_t i = lo / KT; i * KT < hi; ++i) {
                const auto [begin, end] = segment(i);
                m = std::max(m, LTX2_SIMD_DISPATCH(RowMax)(S + i * tile_elems + r * KT + begin,
                                        bias_row ? bias_row + i * KT + begin : nullptr, end - begin, scale));
            }
            float sum = 0.f;
            for (int64_t i = lo / KT; i * KT < hi; ++i) {
                const auto [begin, end] = segment(i);
                const float* s = S + i * tile_elems + r * KT + begin;
                const float* brow = bias_row ? bias_row + i * KT + begin : nullptr;
                if (bf16) {
                    uint16_t* e = static_cast<uint16_t*>(E) + i * tile_elems + r * KT + begin;
                    sum += bf16_hardware ? softmax_numerators_bf16_avx512_bf16(s, brow, end - begin, scale, m, e)
                                         : LTX2_SIMD_DISPATCH(RowExp)(s, brow, end - begin, scale, m, nullptr, e);
                } else {
                    sum += LTX2_SIMD_DISPATCH(RowExp)(s, brow, end - begin, scale, m, S + i * tile_elems + r * KT + begin,
                                                      nullptr);
                }
            }
            inv[r] = 1.0f / sum;
        }

        float* O = cpu::thread_scratch().block_output.reserve_as<float>(size_t(Mb) * D);
        if (ranged) std::fill(O, O + Mb * D, 0.f);
        for (int64_t i = 0; i < nt; ++i)
            cpu::matmul_execute(p2, static_cast<const std::byte*>(E) + size_t(i * tile_elems) * esz, packed.v(bk, t0 + i), O);
        for (int64_t r = 0; r < rows; ++r) {
            const float f = inv[r];
            float* dst = od + (b * Tq + r0 + r) * HD + h * D;
            if (f == 0.f) {  // no visible key: the row is exactly 0
                std::fill_n(dst, D, 0.f);
                continue;
            }
            const float* src = O + r * D;
            for (int64_t j = 0; j < D; ++j) dst[j] = src[j] * f;
        }
    }
    return out;
}

}  // namespace ltx2::cpu
#endif  // HWY_ONCE
