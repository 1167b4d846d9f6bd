// Tiled video-VAE decode: split, blend weights and chunk stitching (with a fake decoder that is an
// exact, position-independent nearest-neighbour upsampler), automatic tile choice, error cases.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "core/error.h"
#include "models/video_vae/tiling.h"
#include "parity/kinds.h"
#include "test_util.h"

namespace ltx2 {
namespace {

using namespace vae_tiling;

constexpr int64_t kOutChannels = 2;

// Nearest-neighbour decoder: latent [B, C, f, h, w] -> [B, 2, 1 + t(f-1), s h, s w]. Output frame 0
// comes from latent frame 0 (the causal first frame), frame T >= 1 from latent 1 + (T-1)/t. The
// value also depends on the sub-pixel / sub-frame phase, which tiles share with the full decode.
Tensor fake_decode(const Tensor& latent, int s, int t) {
    const Tensor lat = latent.to(DType::F32);
    const int64_t B = lat.size(0), C = lat.size(1), f = lat.size(2), h = lat.size(3), w = lat.size(4);
    const int64_t F = 1 + t * (f - 1), H = s * h, W = s * w;
    Tensor out = Tensor::zeros({B, kOutChannels, F, H, W});
    const float* src = lat.f32();
    float* dst = out.f32();
    for (int64_t b = 0; b < B; ++b)
        for (int64_t co = 0; co < kOutChannels; ++co)
            for (int64_t T = 0; T < F; ++T) {
                const int64_t lf = T == 0 ? 0 : 1 + (T - 1) / t;
                const int64_t phase = T == 0 ? 0 : (T - 1) % t;
                for (int64_t y = 0; y < H; ++y)
                    for (int64_t x = 0; x < W; ++x) {
                        const float v = src[(((b * C + co % C) * f + lf) * h + y / s) * w + x / s];
                        dst[(((b * kOutChannels + co) * F + T) * H + y) * W + x] =
                            v * (1.0f + 0.5f * float(co)) + 0.01f * float(y % s) - 0.02f * float(x % s) +
                            0.03f * float(phase);
                    }
            }
    return out;
}

Tensor random_latent(const Shape& shape, uint32_t seed) {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    std::vector<float> v(static_cast<size_t>(n));
    uint32_t x = seed * 2654435761u + 12345u;
    for (auto& e : v) {
        x = x * 1664525u + 1013904223u;
        e = float(int((x >> 8) % 2001u) - 1000) / 500.0f;
    }
    return Tensor::from_f32(shape, v);
}

void expect_tiled_equals_untiled(const Shape& shape, const TilingConfig& cfg, int s, int t, size_t min_tiles) {
    SCOPED_TRACE(shape_str(shape) + " " + cfg.str() + " s=" + std::to_string(s) + " t=" + std::to_string(t));
    const Tensor latent = random_latent(shape, uint32_t(shape[2] * 100 + shape[3] * 10 + shape[4]));
    const TilePlan plan = plan_tiles(shape, cfg, s, t);
    EXPECT_GE(plan.num_tiles(), min_tiles);
    size_t calls = 0;
    const Tensor tiled = tiled_decode(
        latent, cfg,
        [&](const Tensor& piece) {
            ++calls;
            return fake_decode(piece, s, t);
        },
        s, t);
    EXPECT_EQ(calls, plan.num_tiles());
    const Tensor full = fake_decode(latent, s, t);
    ASSERT_EQ(tiled.shape(), full.shape());
    const std::vector<float> a = tiled.to_vector(), b = full.to_vector();
    double max_err = 0;
    for (size_t i = 0; i < a.size(); ++i) max_err = std::max(max_err, double(std::fabs(a[i] - b[i])));
    // Identical values blended with weights that are normalised: equal up to float rounding.
    EXPECT_LE(max_err, 2e-6) << "tiles " << plan.num_tiles();
}

TilingConfig make(std::optional<SpatialTiling> sp, std::optional<TemporalTiling> tp) {
    TilingConfig c;
    c.spatial = sp;
    c.temporal = tp;
    return c;
}

TEST(VideoVaeTiling, TiledEqualsUntiledRealScales) {
    // Scales 32 / 8 with the reference's smallest legal tiles.
    expect_tiled_equals_untiled({1, 3, 4, 2, 3}, make(SpatialTiling{64, 32}, TemporalTiling{24, 8}), 32, 8, 4);
    expect_tiled_equals_untiled({1, 2, 6, 3, 4}, make(SpatialTiling{64, 32}, TemporalTiling{16, 8}), 32, 8, 10);
    expect_tiled_equals_untiled({2, 2, 7, 4, 3}, make(SpatialTiling{96, 32}, TemporalTiling{32, 16}), 32, 8, 4);
    expect_tiled_equals_untiled({1, 2, 5, 5, 2}, make(SpatialTiling{128, 64}, std::nullopt), 32, 8, 2);
    expect_tiled_equals_untiled({1, 2, 9, 1, 2}, make(std::nullopt, TemporalTiling{24, 0}), 32, 8, 3);
    expect_tiled_equals_untiled({1, 2, 3, 2, 2}, make(std::nullopt, std::nullopt), 32, 8, 1);
}

TEST(VideoVaeTiling, TiledEqualsUntiledManyShapesSmallScales) {
    // The same arithmetic at scales 4 / 2 (tiles must then be multiples of 4 px / 2 frames).
    size_t cases = 0;
    for (int64_t F : {1, 2, 5, 8})
        for (int64_t H : {1, 3, 6})
            for (int64_t W : {2, 7})
                for (int64_t sp_tile : {8, 12, 20})
                    for (int64_t sp_ov : {0, 4, 8})
                        for (int64_t tp_tile : {4, 6})
                            for (int64_t tp_ov : {0, 2}) {
                                if (sp_ov >= sp_tile || tp_ov >= tp_tile) continue;
                                expect_tiled_equals_untiled({1, 2, F, H, W},
                                                            make(SpatialTiling{sp_tile, sp_ov},
                                                                 TemporalTiling{tp_tile, tp_ov}),
                                                            4, 2, 1);
                                ++cases;
                            }
    EXPECT_GT(cases, 200u);
}

TEST(VideoVaeTiling, FixtureSplitMatchesReferenceTable) {
    // decoder_tiled fixture: latent [1,4,4,2,3], spatial 64/32 px, temporal 24/8 frames.
    const TilePlan p = plan_tiles({1, 4, 4, 2, 3}, make(SpatialTiling{64, 32}, TemporalTiling{24, 8}));
    ASSERT_EQ(p.t.size(), 2u);
    ASSERT_EQ(p.h.size(), 1u);
    ASSERT_EQ(p.w.size(), 2u);
    EXPECT_EQ(p.t[0].in_start, 0);
    EXPECT_EQ(p.t[0].in_end, 3);
    EXPECT_EQ(p.t[0].out_start, 0);
    EXPECT_EQ(p.t[0].out_end, 17);
    EXPECT_EQ(p.t[1].in_start, 1);
    EXPECT_EQ(p.t[1].in_end, 4);
    EXPECT_EQ(p.t[1].out_start, 8);
    EXPECT_EQ(p.t[1].out_end, 25);
    EXPECT_EQ(p.h[0].out_end, 64);
    EXPECT_EQ(p.w[0].in_end, 2);
    EXPECT_EQ(p.w[1].in_start, 1);
    EXPECT_EQ(p.w[1].out_start, 32);
    EXPECT_EQ(p.w[1].out_end, 96);
    EXPECT_EQ(p.out_frames, 25);
    // Chunks as the reference yields them: 8 then 17 frames.
    std::vector<std::pair<int64_t, int64_t>> chunks;
    tiled_decode_chunks(
        random_latent({1, 4, 4, 2, 3}, 7), make(SpatialTiling{64, 32}, TemporalTiling{24, 8}),
        [](const Tensor& x) { return fake_decode(x, 32, 8); },
        [&](const Tensor& c, int64_t first) { chunks.emplace_back(first, c.size(2)); });
    ASSERT_EQ(chunks.size(), 2u);
    EXPECT_EQ(chunks[0], std::make_pair(int64_t(0), int64_t(8)));
    EXPECT_EQ(chunks[1], std::make_pair(int64_t(8), int64_t(17)));
}

void expect_mask(const std::vector<float>& got, const std::vector<double>& want) {
    ASSERT_EQ(got.size(), want.size());
    for (size_t i = 0; i < got.size(); ++i) EXPECT_NEAR(got[i], want[i], 1e-7) << "index " << i;
}

TEST(VideoVaeTiling, SpatialBlendProfileHandComputed) {
    // One axis of 5 latents at scale 2, tile 4 px (2 latents), overlap 2 px (1 latent):
    // intervals [0,2) [1,3) [2,4) [3,5), pixels [0,4) [2,6) [4,8) [6,10), ramps of 2 px = 1/3, 2/3.
    const TilePlan p = plan_tiles({1, 1, 1, 1, 5}, make(SpatialTiling{4, 2}, std::nullopt), 2, 2);
    ASSERT_EQ(p.h.size(), 1u);
    ASSERT_EQ(p.w.size(), 4u);
    const double a = 1.0 / 3, b = 2.0 / 3;
    expect_mask(p.w[0].mask, {1, 1, b, a});
    expect_mask(p.w[1].mask, {a, b, b, a});
    expect_mask(p.w[2].mask, {a, b, b, a});
    expect_mask(p.w[3].mask, {a, b, 1, 1});
    for (int i = 0; i < 4; ++i) {
        EXPECT_EQ(p.w[size_t(i)].out_start, 2 * i);
        EXPECT_EQ(p.w[size_t(i)].out_end, 2 * i + 4);
    }
    // Weights sum to one at every pixel.
    std::vector<double> sum(10, 0.0);
    for (const auto& t : p.w)
        for (int64_t i = t.out_start; i < t.out_end; ++i) sum[size_t(i)] += t.mask[size_t(i - t.out_start)];
    for (double v : sum) EXPECT_NEAR(v, 1.0, 1e-6);
    expect_mask(trapezoid_mask(6, 2, 3, false), {a, b, 1, 0.75, 0.5, 0.25});
    expect_mask(trapezoid_mask(3, 5, 0, false), {0.25, 0.5, 0.75});  // ramp clipped to the length
}

TEST(VideoVaeTiling, TemporalBlendProfileHandComputed) {
    // 4 latent frames, tile 24 frames (3 latents), overlap 8 (1): causal split [0,3) [1,4),
    // frames [0,17) [8,25); tile 0 falls over its last 8 frames (8/9 .. 1/9), tile 1 rises over
    // its first 9 frames from exactly 0 (0, 1/9 .. 8/9).
    const TilePlan p = plan_tiles({1, 1, 4, 1, 1}, make(std::nullopt, TemporalTiling{24, 8}));
    ASSERT_EQ(p.t.size(), 2u);
    std::vector<double> m0(17, 1.0), m1(17, 1.0);
    for (int k = 0; k < 8; ++k) m0[size_t(9 + k)] = (8.0 - k) / 9.0;
    for (int k = 0; k < 9; ++k) m1[size_t(k)] = k / 9.0;
    expect_mask(p.t[0].mask, m0);
    expect_mask(p.t[1].mask, m1);
    EXPECT_EQ(p.t[1].mask[0], 0.0f);
    std::vector<double> sum(25, 0.0);
    for (const auto& t : p.t)
        for (int64_t i = t.out_start; i < t.out_end; ++i) sum[size_t(i)] += t.mask[size_t(i - t.out_start)];
    for (double v : sum) EXPECT_NEAR(v, 1.0, 1e-6);
    // Split arithmetic (reference docstring example, 56 latents, tile 24, overlap 8).
    const AxisIntervals iv = split_temporal_causal(56, 24, 8);
    EXPECT_EQ(iv.starts, (std::vector<int64_t>{0, 15, 31}));
    EXPECT_EQ(iv.ends, (std::vector<int64_t>{24, 40, 56}));
    EXPECT_EQ(iv.left_ramps, (std::vector<int64_t>{0, 9, 9}));
    EXPECT_EQ(iv.right_ramps, (std::vector<int64_t>{8, 8, 0}));
}

TEST(VideoVaeTiling, SpatialTileScaledByAspectWithHalfEvenRounding) {
    // tile 4 latents (128 px at 32), long side 8: H = 3 -> round(1.5) = 2 (ties to even), W = 8 -> 4.
    const TilePlan p = plan_tiles({1, 1, 1, 3, 8}, make(SpatialTiling{128, 32}, std::nullopt));
    ASSERT_EQ(p.h.size(), 2u);  // tile 2, overlap 1 on length 3: [0,2) [1,3)
    EXPECT_EQ(p.h[1].in_start, 1);
    ASSERT_EQ(p.w.size(), 3u);  // tile 4, overlap 1 on length 8: n = (8+4-2-1)/3 = 3 -> [0,4) [3,7) [6,8)
    EXPECT_EQ(p.w[0].in_end, 4);
    EXPECT_EQ(p.w[1].in_start, 3);
    EXPECT_EQ(p.w[2].in_start, 6);
    EXPECT_EQ(p.w.back().in_end, 8);
    // H = 5 -> round(2.5) = 2 (even), not 3.
    const TilePlan q = plan_tiles({1, 1, 1, 5, 8}, make(SpatialTiling{128, 32}, std::nullopt));
    EXPECT_EQ(q.h[0].in_end - q.h[0].in_start, 2);
}

TEST(VideoVaeTiling, ChooseTilingRespectsBudget) {
    const Shape shape{1, 128, 16, 24, 40};  // 121 frames, 768 x 1280
    const double cost = 200.0;
    TilingRequest r;
    r.bytes_per_output_voxel = cost;
    r.resident_bytes = 5e8;
    // Held whatever the tiling: resident + the F32 video (121·768·1280·3·4 bytes) twice.
    const double fixed = 5e8 + 2.0 * 121.0 * 768.0 * 1280.0 * 3.0 * 4.0;
    // Everything fits: no tiling.
    r.budget_bytes = 1e15;
    TilingConfig c = choose_tiling(shape, r);
    EXPECT_FALSE(c.spatial.has_value());
    EXPECT_FALSE(c.temporal.has_value());
    for (double budget : {12e9, 6e9, 4e9, 3.6e9}) {
        r.budget_bytes = budget;
        c = choose_tiling(shape, r);
        c.validate();
        const TilePlan p = plan_tiles(shape, c);
        EXPECT_LE(fixed + cost * double(p.max_tile_voxels()), budget) << c.str();
        EXPECT_GT(p.num_tiles(), 1u) << c.str();
    }
    // Smaller budget -> at least as many tiles.
    r.budget_bytes = 6e9;
    const size_t n_big = plan_tiles(shape, choose_tiling(shape, r)).num_tiles();
    r.budget_bytes = 3.6e9;
    const size_t n_small = plan_tiles(shape, choose_tiling(shape, r)).num_tiles();
    EXPECT_GE(n_small, n_big);
    // Overrides are used as given.
    r.budget_bytes = 1e15;
    r.spatial_tile_px = 512;
    r.temporal_tile_frames = 64;
    c = choose_tiling(shape, r);
    ASSERT_TRUE(c.spatial && c.temporal);
    EXPECT_EQ(c.spatial->tile_px, 512);
    EXPECT_EQ(c.spatial->overlap_px, 64);
    EXPECT_EQ(c.temporal->tile_frames, 64);
    EXPECT_EQ(c.temporal->overlap_frames, 24);
}

TEST(VideoVaeTiling, Errors) {
    using test::expect_error;
    auto check = [](TilingConfig c) { c.validate(); };
    expect_error([&] { check(make(SpatialTiling{32, 0}, std::nullopt)); }, {"spatial tile", "at least 64", "32"});
    expect_error([&] { check(make(SpatialTiling{80, 0}, std::nullopt)); }, {"multiple of 32", "80"});
    expect_error([&] { check(make(SpatialTiling{128, 40}, std::nullopt)); }, {"spatial overlap", "multiple of 32"});
    expect_error([&] { check(make(SpatialTiling{128, 128}, std::nullopt)); }, {"less than the tile size"});
    expect_error([&] { check(make(std::nullopt, TemporalTiling{8, 0})); }, {"temporal tile", "at least 16"});
    expect_error([&] { check(make(std::nullopt, TemporalTiling{20, 0})); }, {"multiple of 8", "20"});
    expect_error([&] { check(make(std::nullopt, TemporalTiling{24, 4})); }, {"temporal overlap", "multiple of 8"});
    expect_error([&] { check(make(std::nullopt, TemporalTiling{24, 24})); }, {"less than the tile size"});
    expect_error([&] { plan_tiles({1, 4, 2, 2}, TilingConfig::reference_default()); }, {"[B, C, F, H, W]"});
    // A decoder that returns the wrong size is reported with the tile.
    expect_error(
        [&] {
            tiled_decode(random_latent({1, 2, 2, 2, 2}, 1), make(SpatialTiling{64, 32}, std::nullopt),
                         [](const Tensor& x) { return fake_decode(x, 16, 8); });
        },
        {"tile 0", "decoded to"});
    // Budget too small for the decoded video itself (2.85 GB for 121 x 768 x 1280).
    TilingRequest r;
    r.bytes_per_output_voxel = 100;
    r.budget_bytes = 1000;
    expect_error([&] { choose_tiling({1, 128, 16, 24, 40}, r); }, {"cannot hold", "decoded video"});
    r.resident_bytes = 3e9;
    r.budget_bytes = 5e9;
    expect_error([&] { choose_tiling({1, 128, 16, 24, 40}, r); }, {"cannot hold", "resident 2.79 GiB"});
    // Room for the video but not for any legal tile.
    r.resident_bytes = 0;
    r.bytes_per_output_voxel = 1e4;
    r.budget_bytes = 2.86e9;
    expect_error([&] { choose_tiling({1, 128, 16, 24, 40}, r); }, {"cannot be decoded within", "bytes"});
    // Overrides that do not fit, or are invalid.
    r.bytes_per_output_voxel = 100;
    r.budget_bytes = 4e9;
    r.spatial_tile_px = 1024;
    r.temporal_tile_frames = 128;
    expect_error([&] { choose_tiling({1, 128, 16, 24, 40}, r); }, {"cannot be decoded within"});
    r.spatial_tile_px = 96;
    r.spatial_overlap_px = 96;
    expect_error([&] { choose_tiling({1, 128, 16, 24, 40}, r); }, {"less than the tile size"});
    r = TilingRequest{};
    expect_error([&] { choose_tiling({1, 128, 16, 24, 40}, r); }, {"budget must be positive"});
}

}  // namespace
}  // namespace ltx2

namespace ltx2 {

namespace {
TEST(VideoVaeTiling, GoldenTiledDecodeFixture) {
    // Split (`tiles`), 12 per-axis masks, chunk lengths and out.video against the reference.
    const std::string path = std::string(LTX2_GOLDEN_DIR) + "/video_vae/decoder_tiled.io.safetensors";
    ASSERT_TRUE(std::filesystem::exists(path)) << path;
    ParityRun run(path, std::nullopt, "");
    parity_video_vae_tiled_decode(run);
    for (const auto& c : run.checks())
        EXPECT_TRUE(c.pass) << c.name << " abs " << c.max_abs_err << " rel " << c.rel_err << " tol " << c.tolerance;
    EXPECT_EQ(run.checks().size(), 13u);  // 12 per-axis masks + out.video
    const auto& video = run.checks().back();
    EXPECT_EQ(video.name, "out.video");
    std::printf("decoder_tiled out.video: max abs %.3g, rel %.3g (tol %.3g)\n", video.max_abs_err, video.rel_err,
                video.tolerance);
}
}  // namespace
}  // namespace ltx2

#include "io/weight_store.h"
#include "models/video_vae/model.h"

namespace ltx2 {
namespace {

using namespace vae_tiling;

double max_abs(const std::vector<float>& v) {
    double m = 0;
    for (float x : v) m = std::max(m, double(std::fabs(x)));
    return m;
}

// The tiny LTX-2.3 decoder (zero padding, compress_time / compress_space upsamplers) decoding a
// latent big enough for several tiles at the tile size choose_tiling picks for a budget.
TEST(VideoVaeTiling, Ltx23DecoderTiledWithinBudgetStaysCloseToUntiled) {
    const WeightStore store =
        WeightStore::open(std::string(LTX2_GOLDEN_DIR) + "/ltx23/video_vae/decoder.model.safetensors", "vae.");
    const VideoDecoder decoder = VideoDecoder::load(store);
    const Shape shape{1, 4, 5, 5, 6};  // -> 33 frames of 160x192
    const Tensor latent = random_latent(shape, 23);
    const Tensor full = decoder.decode(latent);

    // One tile is the untiled decode, bit for bit.
    const Tensor one = tiled_decode(latent, TilingConfig{}, [&](const Tensor& t) { return decoder.decode(t); });
    EXPECT_EQ(one.to_vector(), full.to_vector());

    // A budget of a third of what the untiled decode would need.
    TilingRequest req;
    req.bytes_per_output_voxel = 100;
    req.budget_bytes = 100.0 * double(full.numel() / 3) / 3;
    req.spatial_overlap_px = 32;
    req.temporal_overlap_frames = 8;
    const TilingConfig cfg = choose_tiling(shape, req);
    const TilePlan plan = plan_tiles(shape, cfg);
    EXPECT_GE(plan.num_tiles(), 4u) << cfg.str();
    EXPECT_LE(req.bytes_per_output_voxel * double(plan.max_tile_voxels()), req.budget_bytes) << cfg.str();
    size_t calls = 0;
    const Tensor tiled = tiled_decode(latent, cfg, [&](const Tensor& t) {
        ++calls;
        return decoder.decode(t);
    });
    EXPECT_EQ(calls, plan.num_tiles());
    ASSERT_EQ(tiled.shape(), full.shape());

    const std::vector<float> a = tiled.to_vector(), b = full.to_vector();
    double max_err = 0, sum_err = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        const double e = std::fabs(double(a[i]) - double(b[i]));
        max_err = std::max(max_err, e);
        sum_err += e;
    }
    const double scale = max_abs(b), mean_rel = sum_err / double(a.size()) / scale, max_rel = max_err / scale;
    std::printf("LTX-2.3 tiny decoder, %s, %zu tiles: tiled vs untiled max %.3g, mean %.3g (of max |x| %.3g)\n",
                cfg.str().c_str(), plan.num_tiles(), max_rel, mean_rel, scale);
    // Tiling is not exact: a tile's convolutions see zero padding where the untiled decode sees
    // the neighbouring latents, and the 1-latent overlaps blend the two seams away only in part.
    // With the smallest legal tiles (2 latents, 1 overlapping) nearly every voxel is near a seam:
    // measured max 0.976, mean 0.134 of max |x| (2.74), 80 tiles. Bounds at ~1.5x that (max 1.5,
    // mean 0.2) catch a broken stitch (misplaced tiles, unnormalised weights), not small drifts.
    EXPECT_LT(max_rel, 1.5);
    EXPECT_LT(mean_rel, 0.2);
}

}  // namespace
}  // namespace ltx2
