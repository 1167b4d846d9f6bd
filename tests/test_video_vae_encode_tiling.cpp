// Tiled video-VAE encode (the reference's TileSizeConfig.default() tiles of a retake source): the
// tile layout, and a fake encoder whose every latent depends only on its own pixels, so that the
// tiled result must equal the untiled one wherever the blend puts weight.
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "core/random_tensor.h"
#include "models/video_vae/encode_tiling.h"
#include "test_util.h"

namespace ltx2 {
namespace {

using namespace vae_tiling;

// [B, 3, F, H, W] → [B, 2, 1 + (F − 1)/8, H/32, W/32]: latent frame 0 is pixel frame 0 (the causal
// first frame), latent k >= 1 averages pixel frames 8k − 7 .. 8k; 32×32 blocks averaged; channel 1
// weights the colour channels differently from channel 0.
Tensor fake_encode(const Tensor& video) {
    const int64_t B = video.size(0), F = video.size(2), H = video.size(3), W = video.size(4);
    const int64_t f = (F - 1) / 8 + 1, h = H / 32, w = W / 32;
    Tensor out = Tensor::zeros({B, 2, f, h, w});
    const Tensor v = video.contiguous();
    for (int64_t b = 0; b < B; ++b)
        for (int64_t k = 0; k < f; ++k) {
            const int64_t first = k == 0 ? 0 : 8 * k - 7, last = k == 0 ? 0 : 8 * k;
            for (int64_t y = 0; y < h; ++y)
                for (int64_t x = 0; x < w; ++x) {
                    double sum[2] = {0, 0};
                    for (int64_t c = 0; c < 3; ++c)
                        for (int64_t fr = first; fr <= last; ++fr)
                            for (int64_t yy = 32 * y; yy < 32 * y + 32; ++yy)
                                for (int64_t xx = 32 * x; xx < 32 * x + 32; ++xx) {
                                    const double p = v.f32()[(((b * 3 + c) * F + fr) * H + yy) * W + xx];
                                    sum[0] += p;
                                    sum[1] += p * double(c + 1);
                                }
                    const double n = double(3 * (last - first + 1) * 32 * 32);
                    for (int64_t o = 0; o < 2; ++o)
                        out.f32()[(((b * 2 + o) * f + k) * h + y) * w + x] = float(sum[o] / n);
                }
        }
    return out;
}

void expect_intervals(const AxisIntervals& a, const std::vector<std::vector<int64_t>>& want) {
    ASSERT_EQ(a.size(), want.size());
    for (size_t i = 0; i < want.size(); ++i) {
        SCOPED_TRACE(i);
        EXPECT_EQ(a.starts[i], want[i][0]);
        EXPECT_EQ(a.ends[i], want[i][1]);
        EXPECT_EQ(a.left_ramps[i], want[i][2]);
        EXPECT_EQ(a.right_ramps[i], want[i][3]);
    }
}

// 121 frames of 1024 × 1536: latent 16 × 32 × 48. Time: tiles of 10 latents overlapping by 3, the
// second moved one latent earlier with a ramp of 4. Space: 24-latent tiles overlapping by 2 on
// each axis independently (no aspect coupling).
TEST(VideoVaeEncodeTiling, ReferenceDefaultLayout) {
    const EncodeTilePlan plan = plan_encode_tiles(121, 1024, 1536);
    expect_intervals(plan.t, {{0, 10, 0, 3}, {6, 16, 4, 0}});
    expect_intervals(plan.h, {{0, 24, 0, 2}, {22, 32, 2, 0}});
    expect_intervals(plan.w, {{0, 24, 0, 2}, {22, 46, 2, 2}, {44, 48, 2, 0}});
    EXPECT_EQ(plan.num_tiles(), 12u);
    // Up to 80 frames and 768 px: one tile.
    EXPECT_EQ(plan_encode_tiles(73, 768, 768).num_tiles(), 1u);
    EXPECT_EQ(plan_encode_tiles(81, 768, 512).num_tiles(), 2u);  // 11 latent frames > 10
}

TEST(VideoVaeEncodeTiling, OneTileIsTheUntiledEncode) {
    const Tensor video = random_uniform_tensor({1, 3, 17, 64, 96}, DType::F32, 1.0f, 5);
    int calls = 0;
    const Tensor tiled = tiled_encode(video, [&](const Tensor& tile) {
        ++calls;
        EXPECT_EQ(tile.shape(), video.shape());
        return fake_encode(tile);
    });
    EXPECT_EQ(calls, 1);
    EXPECT_EQ(test::max_abs_diff(tiled, fake_encode(video)), 0.0);
}

// Small tiles (4 latents, overlap 2 on every axis) over 41 frames of 256 × 192 (latent 6 × 8 × 6): 2 × 3 × 2 tiles.
TEST(VideoVaeEncodeTiling, TiledEqualsUntiledForALocalEncoder) {
    const Tensor video = random_uniform_tensor({1, 3, 41, 256, 192}, DType::F32, 1.0f, 7);
    EncodeTiling small;
    small.spatial = {128, 64};
    small.temporal = {32, 16};
    const EncodeTilePlan plan = plan_encode_tiles(41, 256, 192, small);
    EXPECT_EQ(plan.num_tiles(), 2u * 3u * 2u);
    int calls = 0;
    const Tensor tiled = tiled_encode(
        video,
        [&](const Tensor& tile) {
            ++calls;
            EXPECT_EQ((tile.size(2) - 1) % 8, 0);
            return fake_encode(tile);
        },
        small);
    EXPECT_EQ(calls, 12);
    const Tensor full = fake_encode(video);
    ASSERT_EQ(tiled.shape(), full.shape());
    EXPECT_LT(test::max_abs_diff(tiled, full), 1e-6);
}

TEST(VideoVaeEncodeTiling, Errors) {
    test::expect_error([] { plan_encode_tiles(10, 64, 64); }, {"10 frames", "8k + 1"});
    test::expect_error([] { plan_encode_tiles(9, 48, 64); }, {"64x48", "multiples of 32"});
    EncodeTiling thin;
    thin.spatial = {128, 32};
    test::expect_error([&] { plan_encode_tiles(9, 64, 64, thin); }, {"overlap 32 px", "64 <= overlap"});
    const Tensor video = random_uniform_tensor({1, 3, 41, 256, 192}, DType::F32, 1.0f, 7);
    EncodeTiling small;
    small.spatial = {128, 64};
    small.temporal = {32, 16};
    test::expect_error(
        [&] { tiled_encode(video, [](const Tensor&) { return Tensor::zeros({1, 2, 1, 1, 1}); }, small); },
        {"tile 0", "encoded to (1, 2, 1, 1, 1)", "expected [1, C, 4, 4, 4]"});
}

}  // namespace
}  // namespace ltx2
