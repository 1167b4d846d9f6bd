// Multi-head attention against a double-precision softmax reference.
#include <gtest/gtest.h>

#include <cfloat>

#include "kernels/cpu/attention.h"
#include "ops/attention.h"
#include "test_kernels_util.h"
#include "test_util.h"

using namespace ltx2;
using namespace ltx2::cpu;
using namespace ltx2::ktest;

namespace {

// softmax(q·kᵀ/√D + bias)·v per head in double; q/k/v optionally rounded to bf16.
std::vector<double> attention_ref(const Tensor& q, const Tensor& k, const Tensor& v, const Tensor& bias, int H,
                                  bool round) {
    const int64_t B = q.size(0), Tq = q.size(1), HD = q.size(2), Tk = k.size(1), D = HD / H;
    auto val = [round](const Tensor& t, int64_t b, int64_t i, int64_t j) {
        double x = t.at({b, i, j});
        return round ? bf16_round(x) : x;
    };
    std::vector<double> out(size_t(B * Tq * HD));
    std::vector<double> s(static_cast<size_t>(Tk));
    const double scale = 1.0 / std::sqrt(double(D));
    for (int64_t b = 0; b < B; ++b)
        for (int64_t h = 0; h < H; ++h)
            for (int64_t i = 0; i < Tq; ++i) {
                double m = -INFINITY;
                for (int64_t j = 0; j < Tk; ++j) {
                    double d = 0;
                    for (int64_t e = 0; e < D; ++e) d += val(q, b, i, h * D + e) * val(k, b, j, h * D + e);
                    s[size_t(j)] = d * scale + (bias.defined() ? bias.at({b, j}) : 0.0);
                    m = std::max(m, s[size_t(j)]);
                }
                double sum = 0;
                for (auto& x : s) sum += (x = std::exp(x - m));
                for (int64_t e = 0; e < D; ++e) {
                    double o = 0;
                    for (int64_t j = 0; j < Tk; ++j) o += s[size_t(j)] * val(v, b, j, h * D + e);
                    out[size_t((b * Tq + i) * HD + h * D + e)] = o / sum;
                }
            }
    return out;
}

struct AttnCase {
    int64_t B, Tq, Tk;
    int H;
    int64_t D;
    bool bias;
    int block;  // 0: automatic
};

}  // namespace

TEST(KernelsAttention, MatchesReferenceBothPrecisions) {
    const AttnCase cases[] = {
        {1, 1, 1, 1, 8, false, 0},     {2, 37, 53, 3, 16, true, 0},  {1, 130, 70, 2, 64, false, 0},
        {1, 100, 257, 4, 32, true, 16}, {2, 65, 31, 2, 24, true, 32}, {1, 40, 40, 1, 128, false, 0},
    };
    uint32_t seed = 7;
    for (const auto& c : cases) {
        set_attention_block_rows(c.block);
        const int64_t HD = c.H * c.D;
        Tensor q = random_tensor({c.B, c.Tq, HD}, seed++);
        Tensor k = random_tensor({c.B, c.Tk, HD}, seed++);
        Tensor v = random_tensor({c.B, c.Tk, HD}, seed++);
        Tensor bias;
        if (c.bias) {
            bias = Tensor::zeros({c.B, c.Tk});
            for (int64_t b = 0; b < c.B; ++b)
                for (int64_t j = 0; j < c.Tk; ++j)
                    bias.f32()[b * c.Tk + j] = (j % 3 == 1) ? -FLT_MAX : 0.f;  // masked keys
        }
        for (Precision p : {Precision::F32, Precision::BF16}) {
            Tensor o = attention(q, k, v, bias, c.H, p);
            ASSERT_EQ(o.shape(), q.shape());
            auto ref = attention_ref(q, k, v, bias, c.H, p == Precision::BF16);
            const double tol = p == Precision::F32 ? 2e-6 : 1.5e-2;
            EXPECT_LT(rel_error(o.to_vector(), ref), tol)
                << "B" << c.B << " Tq" << c.Tq << " Tk" << c.Tk << " H" << c.H << " D" << c.D
                << (p == Precision::F32 ? " f32" : " bf16");
        }
    }
    set_attention_block_rows(0);
}

TEST(KernelsAttention, FullyMaskedBatchIsUniformNotNaN) {
    const int64_t B = 2, T = 20, H = 2, D = 16;
    Tensor q = random_tensor({B, T, H * D}, 1), k = random_tensor({B, T, H * D}, 2), v = random_tensor({B, T, H * D}, 3);
    Tensor bias = Tensor::zeros({B, T});
    for (int64_t j = 0; j < T; ++j) bias.f32()[T + j] = -FLT_MAX;  // batch 1: every key masked
    for (Precision p : {Precision::F32, Precision::BF16}) {
        Tensor o = attention(q, k, v, bias, H, p);
        for (float x : o.to_vector()) ASSERT_FALSE(std::isnan(x));
        // Batch 1: all scores equal -FLT_MAX → uniform weights → mean of v (as torch).
        for (int64_t e = 0; e < H * D; ++e) {
            double mean = 0;
            for (int64_t j = 0; j < T; ++j) {
                double x = v.at({1, j, e});
                mean += p == Precision::BF16 ? bf16_round(x) : x;
            }
            mean /= double(T);
            EXPECT_NEAR(o.at({1, 3, e}), mean, p == Precision::F32 ? 1e-5 : 2e-2);
        }
    }
}

TEST(KernelsAttention, StridedInputs) {
    // q/k/v as slices of a fused [B, T, 3·HD] projection.
    const int64_t B = 1, T = 33, H = 2, D = 32, HD = H * D;
    Tensor qkv = random_tensor({B, T, 3 * HD}, 5);
    Tensor q = qkv.slice(2, 0, HD), k = qkv.slice(2, HD, 2 * HD), v = qkv.slice(2, 2 * HD, 3 * HD);
    Tensor o = attention(q, k, v, Tensor(), int(H), Precision::F32);
    EXPECT_LT(rel_error(o.to_vector(), attention_ref(q, k, v, Tensor(), int(H), false)), 2e-6);
}

// ---- options: grouped-query heads, custom scale, causal / window visibility, key mask ----------

namespace {

bool key_visible(const AttentionOptions& o, const Tensor& mask, int64_t b, int64_t i, int64_t j) {
    const int64_t pq = o.q_position0 + i, pk = o.k_position0 + j;
    if (mask.defined() && mask.at({b, j}) == 0) return false;
    if (o.causal && pk > pq) return false;
    if (o.window > 0 && pq - pk >= o.window) return false;
    return true;
}

// The options' semantics in double, one query at a time; a row that sees no key is 0.
std::vector<double> attention_ref(const Tensor& q, const Tensor& k, const Tensor& v, const AttentionOptions& o,
                                  bool round) {
    const int64_t B = q.size(0), Tq = q.size(1), HD = q.size(2), Tk = k.size(1);
    const int H = o.heads, KVH = o.kv_heads > 0 ? o.kv_heads : o.heads;
    const int64_t D = HD / H;
    const double scale = o.scale != 0.f ? double(o.scale) : 1.0 / std::sqrt(double(D));
    auto val = [round](const Tensor& t, int64_t b, int64_t i, int64_t j) {
        double x = t.at({b, i, j});
        return round ? bf16_round(x) : x;
    };
    std::vector<double> out(size_t(B * Tq * HD), 0.0);
    for (int64_t b = 0; b < B; ++b)
        for (int h = 0; h < H; ++h) {
            const int64_t kh = h / (H / KVH);
            for (int64_t i = 0; i < Tq; ++i) {
                std::vector<int64_t> keys;
                std::vector<double> s;
                double m = -INFINITY;
                for (int64_t j = 0; j < Tk; ++j) {
                    if (!key_visible(o, o.key_mask, b, i, j)) continue;
                    double d = 0;
                    for (int64_t e = 0; e < D; ++e) d += val(q, b, i, h * D + e) * val(k, b, j, kh * D + e);
                    keys.push_back(j);
                    s.push_back(d * scale + (o.key_bias.defined() ? o.key_bias.at({b, j}) : 0.0));
                    m = std::max(m, s.back());
                }
                if (keys.empty()) continue;
                double sum = 0;
                for (auto& x : s) sum += (x = std::exp(x - m));
                for (int64_t e = 0; e < D; ++e) {
                    double acc = 0;
                    for (size_t n = 0; n < keys.size(); ++n) acc += s[n] * val(v, b, keys[n], kh * D + e);
                    out[size_t((b * Tq + i) * HD + h * D + e)] = acc / sum;
                }
            }
        }
    return out;
}

struct OptCase {
    const char* name;
    int64_t B, Tq, Tk;
    int H, KVH;
    int64_t D;
    float scale;
    bool causal;
    int64_t window, q0, k0;
    int pad;       // left-padding keys masked in batch 0 (key_mask); -1: no mask
    bool bias;     // finite additive key_bias as well
    int block;     // 0: automatic
};

// Left padding of `pad` keys in batch 0, every key of the last batch masked when B > 1.
Tensor left_pad_mask(int64_t B, int64_t Tk, int pad, DType dtype) {
    Tensor m = Tensor::zeros({B, Tk}, DType::F32);
    for (int64_t b = 0; b < B; ++b)
        for (int64_t j = 0; j < Tk; ++j) m.f32()[b * Tk + j] = (b == 0 && j >= pad) || (b > 0 && b < B - 1) ? 1.f : 0.f;
    return m.to(dtype);
}

}  // namespace

TEST(KernelsAttention, OptionsMatchReferenceBothPrecisions) {
    const OptCase cases[] = {
        {"gqa 4/2", 1, 37, 53, 4, 2, 24, 0.f, false, 0, 0, 0, -1, false, 0},
        {"mqa 6/1 scale", 2, 29, 41, 6, 1, 16, 0.37f, false, 0, 0, 0, -1, true, 16},
        {"causal square", 1, 130, 130, 2, 2, 32, 0.f, true, 0, 0, 0, -1, false, 0},
        {"causal square block 16", 1, 200, 200, 4, 2, 8, 0.2f, true, 0, 0, 0, -1, false, 16},
        {"causal, last queries of the keys", 1, 45, 211, 3, 3, 16, 0.f, true, 0, 166, 0, -1, false, 0},
        {"causal with shared offset", 1, 77, 77, 2, 1, 24, 0.f, true, 0, 947, 947, -1, false, 0},
        {"window 4", 1, 70, 70, 4, 2, 8, 0.17677669f, true, 4, 0, 0, -1, false, 0},
        {"window 7 block 16", 2, 150, 150, 2, 2, 16, 0.f, true, 7, 0, 0, -1, true, 16},
        {"window 100 offsets", 1, 90, 300, 2, 1, 32, 0.f, true, 100, 200, -10, -1, false, 0},
        {"window only (not causal)", 1, 33, 90, 2, 2, 16, 0.f, false, 5, 40, 0, -1, false, 0},
        {"window 150 over many key tiles", 1, 700, 700, 2, 1, 16, 0.f, true, 150, 0, 0, 37, true, 64},
        {"causal left padding", 1, 100, 100, 4, 2, 8, 0.f, true, 0, 0, 0, 81, false, 0},
        {"causal window left padding", 1, 150, 150, 4, 2, 8, 0.f, true, 4, 0, 0, 117, false, 32},
        {"mask only, masked batch", 3, 40, 66, 2, 1, 16, 0.f, false, 0, 0, 0, 20, true, 0},
        {"causal mask bias masked batch", 3, 67, 67, 4, 4, 12, 0.f, true, 0, 0, 0, 30, true, 16},
        {"queries before every key", 1, 20, 30, 2, 2, 8, 0.f, true, 0, 0, 50, -1, false, 0},
        {"single row", 1, 1, 1, 1, 1, 8, 0.f, true, 1, 0, 0, -1, false, 0},
    };
    uint32_t seed = 101;
    for (const auto& c : cases) {
        set_attention_block_rows(c.block);
        Tensor q = random_tensor({c.B, c.Tq, c.H * c.D}, seed++);
        Tensor k = random_tensor({c.B, c.Tk, c.KVH * c.D}, seed++);
        Tensor v = random_tensor({c.B, c.Tk, c.KVH * c.D}, seed++);
        AttentionOptions o;
        o.heads = c.H;
        o.kv_heads = c.KVH;
        o.scale = c.scale;
        o.causal = c.causal;
        o.window = c.window;
        o.q_position0 = c.q0;
        o.k_position0 = c.k0;
        if (c.pad >= 0) o.key_mask = left_pad_mask(c.B, c.Tk, c.pad, seed % 2 ? DType::I64 : DType::U8);
        if (c.bias) o.key_bias = random_tensor({c.B, c.Tk}, seed++, 2.0f);
        for (Precision p : {Precision::F32, Precision::BF16}) {
            o.precision = p;
            Tensor out = cpu::attention(q, k, v, o);
            ASSERT_EQ(out.shape(), q.shape()) << c.name;
            const std::vector<double> ref = attention_ref(q, k, v, o, p == Precision::BF16);
            const std::vector<float> got = out.to_vector();
            const double tol = p == Precision::F32 ? 2e-6 : 1.5e-2;
            EXPECT_LT(rel_error(got, ref), tol) << c.name << (p == Precision::F32 ? " f32" : " bf16");
            // Rows that see no key are exactly 0; every other row is not.
            const int64_t HD = c.H * c.D;
            for (int64_t b = 0; b < c.B; ++b)
                for (int64_t i = 0; i < c.Tq; ++i) {
                    bool any = false;
                    for (int64_t j = 0; j < c.Tk && !any; ++j) any = key_visible(o, o.key_mask, b, i, j);
                    double absmax = 0;
                    for (int64_t e = 0; e < HD; ++e) absmax = std::max(absmax, std::fabs(double(got[size_t((b * c.Tq + i) * HD + e)])));
                    if (any)
                        EXPECT_GT(absmax, 0.0) << c.name << " b" << b << " row " << i;
                    else
                        ASSERT_EQ(absmax, 0.0) << c.name << " b" << b << " row " << i << " sees no key";
                }
        }
    }
    set_attention_block_rows(0);
}

TEST(KernelsAttention, DefaultOptionsEqualPlainAttention) {
    const int64_t B = 2, Tq = 70, Tk = 90, H = 3, D = 16;
    Tensor q = random_tensor({B, Tq, H * D}, 11), k = random_tensor({B, Tk, H * D}, 12), v = random_tensor({B, Tk, H * D}, 13);
    Tensor bias = random_tensor({B, Tk}, 14);
    for (Precision p : {Precision::F32, Precision::BF16}) {
        AttentionOptions o;
        o.heads = int(H);
        o.key_bias = bias;
        o.precision = p;
        const std::vector<float> a = cpu::attention(q, k, v, o).to_vector();
        const std::vector<float> b = attention(q, k, v, bias, int(H), p).to_vector();
        ASSERT_EQ(a, b);
    }
}

TEST(KernelsAttention, GroupedHeadsEqualRepeatedKeyValues) {
    // kv head g serves query heads [g·group, (g+1)·group): same as materialising the repeats.
    const int64_t T = 50, H = 6, KVH = 2, D = 8, group = H / KVH;
    Tensor q = random_tensor({1, T, H * D}, 21), k = random_tensor({1, T, KVH * D}, 22), v = random_tensor({1, T, KVH * D}, 23);
    Tensor kr = Tensor::zeros({1, T, H * D}), vr = Tensor::zeros({1, T, H * D});
    for (int64_t t = 0; t < T; ++t)
        for (int64_t h = 0; h < H; ++h)
            for (int64_t e = 0; e < D; ++e) {
                kr.f32()[t * H * D + h * D + e] = k.f32()[t * KVH * D + (h / group) * D + e];
                vr.f32()[t * H * D + h * D + e] = v.f32()[t * KVH * D + (h / group) * D + e];
            }
    AttentionOptions o;
    o.heads = int(H);
    o.causal = true;
    o.window = 9;
    const std::vector<float> grouped = (o.kv_heads = int(KVH), cpu::attention(q, k, v, o)).to_vector();
    const std::vector<float> repeated = (o.kv_heads = 0, cpu::attention(q, kr, vr, o)).to_vector();
    ASSERT_EQ(grouped.size(), repeated.size());
    for (size_t i = 0; i < grouped.size(); ++i) ASSERT_FLOAT_EQ(grouped[i], repeated[i]) << i;
}

TEST(KernelsAttention, OptionErrorsNameTheProblem) {
    Tensor q = random_tensor({1, 5, 32}, 1), k = random_tensor({1, 7, 16}, 2), v = random_tensor({1, 7, 16}, 3);
    AttentionOptions o;
    o.heads = 4;
    o.kv_heads = 3;
    test::expect_error([&] { cpu::attention(q, k, v, o); }, {"4 query heads", "3 kv heads"});
    o.kv_heads = 1;  // k/v must then be 8 wide
    test::expect_error([&] { cpu::attention(q, k, v, o); }, {"do not agree", "1 kv heads"});
    o.kv_heads = 2;
    o.window = -1;
    test::expect_error([&] { cpu::attention(q, k, v, o); }, {"window -1"});
    o.window = 0;
    o.key_mask = Tensor::zeros({1, 6}, DType::I64);
    test::expect_error([&] { cpu::attention(q, k, v, o); }, {"key_mask", "Tk=7"});
}
