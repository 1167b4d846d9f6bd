// Pointwise kernels against double references.
#include <gtest/gtest.h>

#include <bit>
#include <cstring>
#include <string>

#include "core/error.h"
#include "kernels/cpu/elementwise.h"
#include "kernels/cpu/rows.h"
#include "test_kernels_util.h"
#include "test_util.h"

using namespace ltx2;
using namespace ltx2::cpu;
using namespace ltx2::ktest;

TEST(KernelsElementwise, GeluTanhAndSilu) {
    for (int64_t n : {1, 15, 16, 33, 100003}) {
        Tensor x = random_tensor({n}, uint32_t(n), 3.0f);
        x.f32()[0] = -30.f;  // saturated tails
        if (n > 1) x.f32()[1] = 30.f;
        std::vector<double> g, s;
        for (float v : x.to_vector()) {
            double d = v;
            g.push_back(0.5 * d * (1.0 + std::tanh(std::sqrt(2.0 / M_PI) * (d + 0.044715 * d * d * d))));
            s.push_back(d / (1.0 + std::exp(-d)));
        }
        Tensor xg = x.clone(), xs = x.clone();
        gelu_tanh_inplace(xg);
        silu_inplace(xs);
        auto gv = xg.to_vector(), sv = xs.to_vector();
        for (size_t i = 0; i < g.size(); ++i) {
            ASSERT_NEAR(gv[i], g[i], 1e-6 * std::max(1.0, std::fabs(g[i]))) << "gelu x=" << x.f32()[i];
            ASSERT_NEAR(sv[i], s[i], 1e-6 * std::max(1.0, std::fabs(s[i]))) << "silu x=" << x.f32()[i];
        }
    }
}

TEST(KernelsElementwise, LeakyReluIsExactIncludingSignedZero) {
    for (int64_t n : {1, 15, 16, 33, 100003}) {
        Tensor x = random_tensor({n}, uint32_t(n + 5), 3.0f);
        x.f32()[0] = -0.0f;
        if (n > 2) x.f32()[2] = 0.0f;
        const std::vector<float> in = x.to_vector();
        leaky_relu_inplace(x, 0.1f);
        const std::vector<float> out = x.to_vector();
        for (size_t i = 0; i < in.size(); ++i) {
            const float want = in[i] >= 0.f ? in[i] : in[i] * 0.1f;
            ASSERT_EQ(std::bit_cast<uint32_t>(out[i]), std::bit_cast<uint32_t>(want)) << "x=" << in[i] << " at " << i;
        }
    }
    Tensor half = Tensor::from_f32({2}, {1.f, 2.f}).to(DType::BF16);
    try {
        leaky_relu_inplace(half, 0.1f);
        FAIL() << "a BF16 tensor was accepted";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("leaky_relu: expected F32"), std::string::npos) << e.what();
    }
}

TEST(KernelsElementwise, AddModulateAddGated) {
    const int64_t B = 2, T = 9, D = 37;
    Tensor x = random_tensor({B, T, D}, 1), y = random_tensor({B, T, D}, 2);
    // Modulation tensor [B, T, 6, D]: scale/shift/gate are strided slices of it.
    Tensor mod = random_tensor({B, T, 6, D}, 3, 0.5f);
    Tensor scale = mod.select(2, 1), shift = mod.select(2, 0), gate = mod.select(2, 2);
    Tensor modb = random_tensor({B, 1, 6, D}, 4, 0.5f);  // broadcast over tokens
    Tensor scale_b = modb.select(2, 4), shift_b = modb.select(2, 3), gate_b = modb.select(2, 5);
    for (bool broadcast : {false, true}) {
        const Tensor& sc = broadcast ? scale_b : scale;
        const Tensor& sh = broadcast ? shift_b : shift;
        const Tensor& gt = broadcast ? gate_b : gate;
        std::vector<double> rmod, rgated;
        for (int64_t b = 0; b < B; ++b)
            for (int64_t t = 0; t < T; ++t)
                for (int64_t j = 0; j < D; ++j) {
                    const int64_t tt = broadcast ? 0 : t;
                    double xv = x.at({b, t, j});
                    rmod.push_back(xv * (1.0 + sc.at({b, tt, j})) + sh.at({b, tt, j}));
                    rgated.push_back(xv + y.at({b, t, j}) * gt.at({b, tt, j}));
                }
        Tensor xm = x.clone();
        modulate_inplace(xm, sc, sh);
        EXPECT_LT(rel_error(xm.to_vector(), rmod), 1e-6);
        Tensor xgated = x.clone();
        add_gated_inplace(xgated, y, gt);
        EXPECT_LT(rel_error(xgated.to_vector(), rgated), 1e-6);
    }
    Tensor xa = x.clone();
    add_inplace(xa, y);
    auto xv = x.to_vector(), yv = y.to_vector(), av = xa.to_vector();
    for (size_t i = 0; i < av.size(); ++i) ASSERT_EQ(av[i], xv[i] + yv[i]);
}

TEST(KernelsElementwise, LargeParallelModulate) {
    const int64_t B = 1, T = 300, D = 256;
    Tensor x = random_tensor({B, T, D}, 9);
    Tensor sc = random_tensor({B, 1, D}, 10), sh = random_tensor({B, T, D}, 11);
    Tensor xm = x.clone();
    modulate_inplace(xm, sc, sh);
    std::vector<double> ref;
    for (int64_t t = 0; t < T; ++t)
        for (int64_t j = 0; j < D; ++j)
            ref.push_back(x.at({0, t, j}) * (1.0 + sc.at({0, 0, j})) + sh.at({0, t, j}));
    EXPECT_LT(rel_error(xm.to_vector(), ref), 1e-6);
}

namespace {

// Same shape and the same bits (not merely equal values: -0 and +0 differ).
void expect_same_bits(const Tensor& got, const Tensor& want, const char* what) {
    ASSERT_EQ(got.shape(), want.shape()) << what;
    const int64_t n = got.numel();
    int64_t differing = 0, first = -1;
    for (int64_t i = 0; i < n; ++i)
        if (std::memcmp(got.f32() + i, want.f32() + i, sizeof(float)) != 0 && differing++ == 0) first = i;
    EXPECT_EQ(differing, 0) << what << ": " << differing << " of " << n << " values differ, the first at " << first
                            << ": " << (first >= 0 ? got.f32()[first] : 0.f) << " vs "
                            << (first >= 0 ? want.f32()[first] : 0.f);
}

}  // namespace

// The AdaLN-value forms against the two steps they replace: the value materialised by add_row
// (table[row] widened to F32, plus the contiguous modulation chunk), then the tensor form. Bit
// for bit, per-token (Tt = T) and broadcast (Tt = 1) modulations, F32 and BF16 tables, the
// modulation a strided view; odd T and D (SIMD tails), and one size past the parallel threshold.
TEST(KernelsElementwise, AdaValuesMatchTheMaterialisedValuesBitForBit) {
    const int64_t B = 2, chunks = 3;
    uint32_t seed = 100;
    for (const auto& [T, D] : {std::pair<int64_t, int64_t>{9, 37}, {301, 131}})
        for (const int64_t Tt : {int64_t(1), T})
            for (const DType dtype : {DType::F32, DType::BF16}) {
                SCOPED_TRACE(testing::Message() << "T " << T << " D " << D << " Tt " << Tt << " table "
                                                << dtype_name(dtype));
                const Tensor table = random_tensor({6, D}, ++seed, 0.3f, dtype);
                // Wider than chunks·D, so each chunk is a strided view of it, read in place.
                const Tensor mod = random_tensor({B, Tt, chunks * D + 5}, ++seed, 0.5f).slice(2, 0, chunks * D);
                ASSERT_FALSE(mod.is_contiguous());
                const Tensor x = random_tensor({B, T, D}, ++seed, 2.0f), y = random_tensor({B, T, D}, ++seed);
                auto materialised = [&](int row, int chunk) {
                    return add_row(mod.contiguous().slice(2, chunk * D, (chunk + 1) * D),
                                   table.select(0, row).to(DType::F32));
                };
                Tensor want = x.clone(), got = x.clone();
                modulate_inplace(want, materialised(1, 2), materialised(4, 0));
                modulate_inplace(got, AdaValue{table, 1, mod, 2}, AdaValue{table, 4, mod, 0});
                expect_same_bits(got, want, "modulate");
                want = x.clone();
                got = x.clone();
                add_gated_inplace(want, y, materialised(5, 1));
                add_gated_inplace(got, y, AdaValue{table, 5, mod, 1});
                expect_same_bits(got, want, "add_gated");
            }
}

TEST(KernelsElementwise, AdaValueErrorsNameTheExpectedShape) {
    Tensor x = random_tensor({2, 5, 8}, 1);
    const Tensor y = random_tensor({2, 5, 8}, 2), table = random_tensor({6, 8}, 3);
    const Tensor mod = random_tensor({2, 5, 24}, 4), mod_tokens = random_tensor({2, 4, 24}, 5);
    const Tensor narrow_table = random_tensor({6, 7}, 6), bf16_mod = mod.to(DType::BF16);
    const AdaValue ok{table, 0, mod, 0};
    test::expect_error([&] { modulate_inplace(x, AdaValue{table, 1, mod, 3}, ok); },
                       {"modulate scale", "modulation (2, 5, 24) has no chunk 3 of width 8", "at least 32"});
    test::expect_error([&] { modulate_inplace(x, ok, AdaValue{table, 1, mod_tokens, 0}); },
                       {"modulate shift", "modulation (2, 4, 24) does not broadcast to (2, 5, n·8)"});
    test::expect_error([&] { add_gated_inplace(x, y, AdaValue{narrow_table, 0, mod, 0}); },
                       {"add_gated gate", "table (6, 7) must be F32 or BF16 of shape (rows, 8)"});
    test::expect_error([&] { add_gated_inplace(x, y, AdaValue{table, 6, mod, 0}); },
                       {"add_gated gate", "row 6 is outside the AdaLN table (6, 8)"});
    test::expect_error([&] { add_gated_inplace(x, y, AdaValue{table, 0, bf16_mod, 0}); },
                       {"add_gated gate", "modulation (2, 5, 24) must be F32 of shape (2 or 1, 5 or 1, n·8)"});
    test::expect_error([&] { add_gated_inplace(x, random_tensor({2, 5, 7}, 7), ok); },
                       {"add_gated: y (2, 5, 7) must be F32 of shape (2, 5, 8)"});
}
