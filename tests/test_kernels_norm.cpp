// Normalisations against double references.
#include <gtest/gtest.h>

#include "core/error.h"
#include "kernels/cpu/norm.h"
#include "test_kernels_util.h"

using namespace ltx2;
using namespace ltx2::cpu;
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

TEST(KernelsNorm, PixelNormOverTheChannelDimension) {
    uint32_t seed = 50;
    for (const Shape& shape : {Shape{2, 3, 4, 5}, Shape{1, 8, 2, 3, 3}, Shape{3, 1, 7}}) {
        Tensor x = random_tensor(shape, seed++, 2.0f);
        const int64_t B = shape[0], C = shape[1], S = x.numel() / (B * C);
        for (double eps : {1e-6, 1e-8}) {
            std::vector<double> ref(size_t(x.numel()));
            const std::vector<float> v = x.to_vector();
            for (int64_t b = 0; b < B; ++b)
                for (int64_t s = 0; s < S; ++s) {
                    double ss = 0;
                    for (int64_t c = 0; c < C; ++c) ss += double(v[size_t((b * C + c) * S + s)]) * v[size_t((b * C + c) * S + s)];
                    const double rms = std::sqrt(ss / double(C) + eps);
                    for (int64_t c = 0; c < C; ++c)
                        ref[size_t((b * C + c) * S + s)] = v[size_t((b * C + c) * S + s)] / rms;
                }
            const Tensor y = pixel_norm(x, eps);
            EXPECT_EQ(y.shape(), x.shape());
            EXPECT_LT(rel_error(y.to_vector(), ref), 2e-7) << shape_str(shape) << " eps " << eps;
        }
    }
    EXPECT_THROW((void)pixel_norm(Tensor::zeros({4}), 1e-6), Error);
}
