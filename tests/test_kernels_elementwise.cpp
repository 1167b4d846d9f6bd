// Pointwise kernels against double references.
#include <gtest/gtest.h>

#include <bit>
#include <string>

#include "core/error.h"
#include "kernels/cpu/elementwise.h"
#include "test_kernels_util.h"

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
