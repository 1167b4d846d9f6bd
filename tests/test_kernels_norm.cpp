// Normalisations against double references.
#include <gtest/gtest.h>

#include "kernels/cpu/norm.h"
#include "test_kernels_util.h"

using namespace ltx2;
using namespace ltx2::ktest;

TEST(KernelsNorm, RmsNormWithAndWithoutWeight) {
    uint32_t seed = 3;
    for (int64_t D : {1, 5, 16, 37, 130, 4096})
        for (int wmode = 0; wmode < 3; ++wmode) {  // none, F32, BF16
            Tensor x = random_tensor({2, 7, D}, seed++, 3.0f);
            Tensor w = wmode == 0 ? Tensor() : random_tensor({D}, seed++, 1.0f, wmode == 1 ? DType::F32 : DType::BF16);
            std::vector<double> ref;
            for (int64_t r = 0; r < 14; ++r) {
                double ss = 0;
                for (int64_t j = 0; j < D; ++j) ss += x.at({r / 7, r % 7, j}) * x.at({r / 7, r % 7, j});
                double rs = 1.0 / std::sqrt(ss / double(D) + 1e-6);
                for (int64_t j = 0; j < D; ++j) ref.push_back(x.at({r / 7, r % 7, j}) * rs * (w.defined() ? w.at({j}) : 1.0));
            }
            Tensor y = rms_norm(x, w, 1e-6f);
            EXPECT_LT(rel_error(y.to_vector(), ref), 2e-6) << "D " << D << " w " << wmode;
            Tensor xi = x.clone();
            rms_norm_inplace(xi, w, 1e-6f);
            EXPECT_EQ(xi.to_vector(), y.to_vector());
        }
}

TEST(KernelsNorm, LayerNormNoAffine) {
    uint32_t seed = 30;
    for (int64_t D : {1, 3, 17, 64, 2048}) {
        Tensor x = random_tensor({3, 5, D}, seed++, 2.0f);
        // Offset rows so the mean matters.
        for (int64_t i = 0; i < x.numel(); ++i) x.f32()[i] += 4.0f;
        std::vector<double> ref;
        for (int64_t r = 0; r < 15; ++r) {
            double m = 0, v = 0;
            for (int64_t j = 0; j < D; ++j) m += x.at({r / 5, r % 5, j});
            m /= double(D);
            for (int64_t j = 0; j < D; ++j) v += (x.at({r / 5, r % 5, j}) - m) * (x.at({r / 5, r % 5, j}) - m);
            v /= double(D);
            for (int64_t j = 0; j < D; ++j) ref.push_back((x.at({r / 5, r % 5, j}) - m) / std::sqrt(v + 1e-6));
        }
        Tensor y = layer_norm(x, 1e-6f);
        EXPECT_LT(rel_error(y.to_vector(), ref), 1e-5) << "D " << D;
    }
}
