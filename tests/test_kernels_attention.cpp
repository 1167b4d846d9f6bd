// Multi-head attention against a double-precision softmax reference.
#include <gtest/gtest.h>

#include <cfloat>

#include "kernels/cpu/attention.h"
#include "test_kernels_util.h"

using namespace ltx2;
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
