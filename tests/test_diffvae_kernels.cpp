// Kernels of the LTX-2.5 DiffVAE: 3-D neighborhood attention (natten na3d windows) and the
// 3-axis absolute RoPE.
#include <gtest/gtest.h>

#include <cmath>

#include "core/random_tensor.h"
#include "kernels/cpu/attention.h"
#include "kernels/cpu/neighborhood_attention.h"
#include "kernels/cpu/rope_axes.h"
#include "test_util.h"

namespace {

using namespace ltx2;
using namespace ltx2::cpu;
using ltx2::test::max_abs_diff;

TEST(NeighborhoodAttention, WindowStartsShiftInwardAtTheBorders) {
    // Length 6, kernel 3: windows [0,3) [0,3) [1,4) [2,5) [3,6) [3,6).
    const int64_t expected[6] = {0, 0, 1, 2, 3, 3};
    for (int64_t i = 0; i < 6; ++i) EXPECT_EQ(neighborhood_window_start(i, 6, 3), expected[i]) << i;
    // A kernel longer than the axis sees the whole axis.
    for (int64_t i = 0; i < 4; ++i) EXPECT_EQ(neighborhood_window_start(i, 4, 11), 0);
}

TEST(NeighborhoodAttention, WholeVolumeWindowIsPlainAttention) {
    const int heads = 2, D = 8;
    const Shape shape{1, 3, 4, 5, heads * D};
    const Tensor q = random_uniform_tensor(shape, DType::F32, 1.f, 1);
    const Tensor k = random_uniform_tensor(shape, DType::F32, 1.f, 2);
    const Tensor v = random_uniform_tensor(shape, DType::F32, 1.f, 3);
    Tensor q_scaled = q.clone();
    for (int64_t i = 0; i < q_scaled.numel(); ++i) q_scaled.f32()[i] /= std::sqrt(float(D));
    const Tensor got = neighborhood_attention_3d(q_scaled, k, v, heads, {3, 7, 5});
    const Shape rows{1, 3 * 4 * 5, heads * D};
    AttentionOptions plain;
    plain.heads = heads;
    const Tensor ref = attention(q.reshape(rows), k.reshape(rows), v.reshape(rows), plain);
    EXPECT_LT(max_abs_diff(got.reshape(rows), ref), 1e-5);
}

// The kernel against a direct double-precision loop over each window; q, k, v from `seed`.
Tensor direct_neighborhood_attention_check(int heads, int D, int64_t T, int64_t H, int64_t W,
                                           const std::array<int, 3>& kernel, uint64_t seed) {
    const int64_t C = heads * D;
    const Shape shape{1, T, H, W, C};
    const Tensor q = random_uniform_tensor(shape, DType::F32, 1.f, seed);
    const Tensor k = random_uniform_tensor(shape, DType::F32, 1.f, seed + 1);
    const Tensor v = random_uniform_tensor(shape, DType::F32, 1.f, seed + 2);
    const Tensor got = neighborhood_attention_3d(q, k, v, heads, kernel);
    Tensor ref = Tensor::zeros(shape);
    const int64_t dims[3] = {T, H, W};
    auto at = [&](const Tensor& x, int64_t t, int64_t h, int64_t w, int64_t c) {
        return double(x.f32()[((t * H + h) * W + w) * C + c]);
    };
    for (int64_t t = 0; t < T; ++t)
        for (int64_t h = 0; h < H; ++h)
            for (int64_t w = 0; w < W; ++w)
                for (int head = 0; head < heads; ++head) {
                    const int64_t pos[3] = {t, h, w};
                    int64_t s[3];
                    for (int a = 0; a < 3; ++a) s[a] = neighborhood_window_start(pos[a], dims[a], kernel[size_t(a)]);
                    std::vector<double> score;
                    double mx = -1e30;
                    for (int64_t a = s[0]; a < s[0] + kernel[0]; ++a)
                        for (int64_t b = s[1]; b < s[1] + kernel[1]; ++b)
                            for (int64_t c = s[2]; c < s[2] + kernel[2]; ++c) {
                                double dot = 0;
                                for (int d = 0; d < D; ++d) dot += at(q, t, h, w, head * D + d) * at(k, a, b, c, head * D + d);
                                score.push_back(dot);
                                mx = std::max(mx, dot);
                            }
                    double sum = 0;
                    for (double& e : score) sum += (e = std::exp(e - mx));
                    size_t i = 0;
                    for (int64_t a = s[0]; a < s[0] + kernel[0]; ++a)
                        for (int64_t b = s[1]; b < s[1] + kernel[1]; ++b)
                            for (int64_t c = s[2]; c < s[2] + kernel[2]; ++c, ++i)
                                for (int d = 0; d < D; ++d)
                                    ref.f32()[((t * H + h) * W + w) * C + head * D + d] +=
                                        float(score[i] / sum * at(v, a, b, c, head * D + d));
                }
    EXPECT_LT(max_abs_diff(got, ref), 1e-5) << "heads " << heads << ", D " << D << ", W " << W;
    return got;
}

// Query tiles along W (one query per vector lane) and windows crossing them: several tiles per
// row, odd sizes, a head width that is not a multiple of the kernel's channel block, rows
// narrower than its key block.
TEST(NeighborhoodAttention, MatchesADirectLoop) {
    (void)direct_neighborhood_attention_check(2, 12, 4, 5, 5, {3, 3, 5}, 17);
    (void)direct_neighborhood_attention_check(1, 20, 3, 4, 29, {3, 3, 7}, 27);
    const int heads = 3, D = 8;
    const int64_t T = 5, H = 6, W = 37;
    const std::array<int, 3> kernel{3, 5, 11};
    const Tensor got = direct_neighborhood_attention_check(heads, D, T, H, W, kernel, 7);
    const Shape shape{1, T, H, W, heads * D};
    const Tensor q = random_uniform_tensor(shape, DType::F32, 1.f, 7);
    const Tensor k = random_uniform_tensor(shape, DType::F32, 1.f, 8);
    const Tensor v = random_uniform_tensor(shape, DType::F32, 1.f, 9);
    // bf16 products: within bf16 rounding of the f32 result, and not identical to it.
    const Tensor bf16 = neighborhood_attention_3d(q, k, v, heads, kernel, Precision::BF16);
    const double diff = max_abs_diff(bf16, got);
    EXPECT_LT(diff, 2e-2);
    EXPECT_GT(diff, 0.0);
}

TEST(NeighborhoodAttention, EachQuerySeesItsWindowOnly) {
    // q = 0: uniform weights over the window, so the output is the mean of the window's values.
    // v holds each key's (t, h, w) index, so the output is the window's centre of mass.
    const int64_t T = 4, H = 6, W = 7;
    const Tensor q = Tensor::zeros({1, T, H, W, 3});
    const Tensor k = random_uniform_tensor({1, T, H, W, 3}, DType::F32, 1.f, 4);
    Tensor v = Tensor::zeros({1, T, H, W, 3});
    for (int64_t t = 0; t < T; ++t)
        for (int64_t h = 0; h < H; ++h)
            for (int64_t w = 0; w < W; ++w) {
                float* p = v.f32() + ((t * H + h) * W + w) * 3;
                p[0] = float(t), p[1] = float(h), p[2] = float(w);
            }
    const std::array<int, 3> kernel{3, 3, 5};
    const Tensor out = neighborhood_attention_3d(q, k, v, 1, kernel);
    const int64_t dims[3] = {T, H, W};
    for (int64_t t = 0; t < T; ++t)
        for (int64_t h = 0; h < H; ++h)
            for (int64_t w = 0; w < W; ++w) {
                const int64_t pos[3] = {t, h, w};
                for (int a = 0; a < 3; ++a) {
                    const double centre = double(neighborhood_window_start(pos[a], dims[a], kernel[size_t(a)])) +
                                          double(kernel[size_t(a)] - 1) / 2;
                    EXPECT_NEAR(out.f32()[((t * H + h) * W + w) * 3 + a], centre, 1e-5) << t << " " << h << " " << w;
                }
            }
}

TEST(RopeAxes, RotatesEachChunkByItsAxisPosition) {
    const int heads = 2, D = 16;
    const std::array<int, 3> split{4, 6, 6};
    const Tensor x = random_uniform_tensor({1, 3, 4, 5, heads * D}, DType::F32, 1.f, 5);
    Tensor y = x.clone();
    rope_3axis_inplace(y, heads, split, -2);
    for (int64_t t = 0; t < 3; ++t)
        for (int64_t h = 0; h < 4; ++h)
            for (int64_t w = 0; w < 5; ++w)
                for (int head = 0; head < heads; ++head) {
                    const int64_t base = (((t * 4 + h) * 5 + w) * heads + head) * D;
                    int c0 = 0;
                    for (int a = 0; a < 3; ++a) {
                        const int d = split[size_t(a)];
                        const double pos = a == 0 ? double(t) : a == 1 ? double(h) : double(w - 2);
                        for (int i = 0; i < d / 2; ++i) {
                            const double angle = pos * std::pow(10000.0, -2.0 * i / d);
                            const double xa = x.f32()[base + c0 + 2 * i], xb = x.f32()[base + c0 + 2 * i + 1];
                            EXPECT_NEAR(y.f32()[base + c0 + 2 * i], xa * std::cos(angle) - xb * std::sin(angle), 1e-5);
                            EXPECT_NEAR(y.f32()[base + c0 + 2 * i + 1], xa * std::sin(angle) + xb * std::cos(angle),
                                        1e-5);
                        }
                        c0 += d;
                    }
                }
}

TEST(RopeAxes, ColumnOffsetMatchesTheWholeVolume) {
    const Tensor x = random_uniform_tensor({1, 2, 3, 9, 16}, DType::F32, 1.f, 6);
    Tensor whole = x.clone();
    rope_3axis_inplace(whole, 1, {4, 6, 6}, 0);
    Tensor part = x.slice(3, 4, 9).contiguous().clone();
    rope_3axis_inplace(part, 1, {4, 6, 6}, 4);
    EXPECT_EQ(max_abs_diff(part, whole.slice(3, 4, 9).contiguous()), 0.0);
}

}  // namespace
