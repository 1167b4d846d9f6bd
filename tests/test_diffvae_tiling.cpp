// The DiffVAE tile schedule and the budget-driven tile choice: pure geometry, against values
// derived by hand from the reference's rules (diffusion_tiling.py / tiling.py at 400fd31).
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "models/diffvae/config.h"
#include "models/diffvae/tiling.h"
#include "models/diffvae/tiling_budget.h"
#include "test_util.h"

namespace {

using namespace ltx2;
using ltx2::test::expect_error;

DiffVaeConfig real_config() {
    std::ifstream in(std::string(LTX2_GOLDEN_DIR) + "/ltx25/manifest/diffvae_decoder.json");
    return parse_diffvae_config(nlohmann::json::parse(in).at("config_metadata"), "diffvae_decoder.json");
}

void expect_interval(const DiffVaeInterval& iv, int64_t start, int64_t end, int64_t left, int64_t right) {
    EXPECT_EQ(iv.start, start);
    EXPECT_EQ(iv.end, end);
    EXPECT_EQ(iv.left_ramp, left);
    EXPECT_EQ(iv.right_ramp, right);
}

DiffVaeTileSizes sizes(DiffVaeAxisTiling t, DiffVaeAxisTiling h, DiffVaeAxisTiling w) { return {t, h, w}; }

TEST(DiffVaeTiling, GeometryOfTheRealDecoder) {
    // Stage 4: kernel (3, 5, 5), depth 2; stage 5: kernel 11, depth 8; stage-4 upsample (2, 2, 2), patch 4.
    const DiffVaeTileGeometry g = diffvae_tile_geometry(real_config());
    EXPECT_EQ(g.pixel_scale, (Int3{2, 8, 8}));
    EXPECT_EQ(g.min_tile, (Int3{6, 6, 6}));       // max(kernel 4, ceil(11 / 2))
    EXPECT_EQ(g.halo4, (Int3{2, 4, 4}));          // 2 · (kernel / 2)
    EXPECT_EQ(g.halo5, (Int3{20, 20, 20}));       // ceil(8 · 5 / 2)
    EXPECT_EQ(g.min_overlap_frames, 40);          // round_up(20 · 2, 8)
    EXPECT_EQ(g.min_overlap_px, 160);             // round_up(20 · 8, 32)
    EXPECT_EQ(diffvae_stage4_extent(real_config(), {16, 16, 24}), (Int3{61, 64, 96}));  // 4T − 3, 4H, 4W
}

TEST(DiffVaeTiling, SplitOfOneAxis) {
    auto a = diffvae_split_axis(28, 24, 20, 6);  // n = (28 + 24 − 41) / 4 = 2
    ASSERT_EQ(a.size(), 2u);
    expect_interval(a[0], 0, 24, 0, 20);
    expect_interval(a[1], 4, 28, 20, 0);
    a = diffvae_split_axis(22, 8, 2, 6);  // [0,8) [6,14) [12,20) [18,22): the last grows to [16,22)
    ASSERT_EQ(a.size(), 4u);
    expect_interval(a[1], 6, 14, 2, 2);
    expect_interval(a[2], 12, 20, 2, 4);
    expect_interval(a[3], 16, 22, 4, 0);
    a = diffvae_split_axis(5, 3, 1, 6);  // under the minimum tile: one interval
    ASSERT_EQ(a.size(), 1u);
    expect_interval(a[0], 0, 5, 0, 0);
    a = diffvae_split_axis(24, 24, 20, 6);  // fits one tile
    ASSERT_EQ(a.size(), 1u);
    expect_interval(a[0], 0, 24, 0, 0);
    expect_error([] { diffvae_split_axis(30, 5, 1, 6); }, {"below the minimum of 6"});
}

TEST(DiffVaeTiling, ScheduleOnTheStage4Grid) {
    // Stage-4 grid (29, 28, 28) = a latent of 8 x 7 x 7. Frames: tiles of 24 cells overlapping by
    // 20 -> [0,24) [4,28) [8,29); pixels [0,47) [7,55) [15,57) (the causal doubling drops the
    // first frame of the first tile and one frame at every end). Rows: [0,24) [4,28) -> pixels
    // [0,192) [32,224) with 160-px ramps. Columns untiled.
    const DiffVaeTileSchedule s =
        diffvae_tile_schedule(real_config(), {29, 28, 28}, sizes({48, 40}, {192, 160}, {}));
    ASSERT_EQ(s.t.size(), 3u);
    ASSERT_EQ(s.h.size(), 2u);
    ASSERT_EQ(s.w.size(), 1u);
    EXPECT_EQ(s.num_tiles(), 6u);
    EXPECT_EQ(s.out_frames, 57);
    EXPECT_EQ(s.out_height, 224);
    EXPECT_EQ(s.out_width, 224);
    const int64_t t_out[3][2] = {{0, 47}, {7, 55}, {15, 57}};
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(s.t[size_t(i)].out_start, t_out[i][0]);
        EXPECT_EQ(s.t[size_t(i)].out_end, t_out[i][1]);
    }
    EXPECT_EQ(s.t[2].in_start, 8);
    EXPECT_EQ(s.t[2].in_end, 29);
    EXPECT_EQ(s.h[1].in_start, 4);
    EXPECT_EQ(s.h[1].out_start, 32);
    EXPECT_EQ(s.h[1].out_end, 224);
    // Masks: ramps k / (r + 1) that never reach 0 or 1.
    ASSERT_EQ(s.t[0].mask.size(), 47u);
    EXPECT_FLOAT_EQ(s.t[0].mask[6], 1.0f);
    EXPECT_NEAR(s.t[0].mask[7], 40.0 / 41.0, 1e-6);
    EXPECT_NEAR(s.t[0].mask[46], 1.0 / 41.0, 1e-6);
    ASSERT_EQ(s.h[1].mask.size(), 192u);
    EXPECT_NEAR(s.h[1].mask[0], 1.0 / 161.0, 1e-6);
    EXPECT_FLOAT_EQ(s.h[1].mask[160], 1.0f);
    EXPECT_EQ(s.w[0].mask, std::vector<float>(224, 1.0f));
    // The middle temporal tile carries two 40-frame ramps on 48 frames: they overlap, so the
    // masks do not partition unity and the blend divides by the summed weights.
    EXPECT_FALSE(s.complementary());
}

TEST(DiffVaeTiling, MasksSumToOneOnComplementarySchedules) {
    // Tiles at least twice the overlap: every axis partitions unity.
    const DiffVaeTileSchedule s =
        diffvae_tile_schedule(real_config(), {61, 64, 96}, sizes({80, 40}, {320, 160}, {320, 160}));
    EXPECT_TRUE(s.complementary());
    EXPECT_GT(s.t.size(), 1u);
    EXPECT_GT(s.h.size(), 1u);
    EXPECT_GT(s.w.size(), 1u);
    const std::vector<DiffVaeAxisTile>* axes[3] = {&s.t, &s.h, &s.w};
    const int64_t lengths[3] = {s.out_frames, s.out_height, s.out_width};
    for (int a = 0; a < 3; ++a) {
        std::vector<double> sum(size_t(lengths[a]), 0.0);
        for (const DiffVaeAxisTile& t : *axes[a])
            for (int64_t i = t.out_start; i < t.out_end; ++i) sum[size_t(i)] += t.mask[size_t(i - t.out_start)];
        for (size_t i = 0; i < sum.size(); ++i) ASSERT_NEAR(sum[i], 1.0, 1e-5) << "axis " << a << " index " << i;
    }
}

TEST(DiffVaeTiling, RefusesIllegalSizes) {
    const DiffVaeConfig c = real_config();
    const Int3 grid{29, 28, 28};
    expect_error([&] { diffvae_tile_schedule(c, grid, sizes({}, {192, 128}, {})); },
                 {"height overlap 128 px is below the required 160 px"});
    expect_error([&] { diffvae_tile_schedule(c, grid, sizes({}, {}, {196, 160})); },
                 {"width tile 196 px must be a multiple of 8"});
    expect_error([&] { diffvae_tile_schedule(c, grid, sizes({46, 41}, {}, {})); },
                 {"frames overlap 41 frames must be a multiple of 2"});
    expect_error([&] { diffvae_tile_schedule(c, grid, sizes({40, 40}, {}, {})); },
                 {"frames overlap 40 frames must be less than the tile 40 frames"});
    expect_error([&] { diffvae_tile_schedule(c, grid, sizes({0, 8}, {}, {})); }, {"untiled axis"});
}

TEST(DiffVaeTilingBudget, Stage5Estimate) {
    // 121 frames of 256 x 384 (latent 16 x 8 x 12): 743,424 stage-5 tokens (121 x 64 x 96). In the
    // blocks: 743,424 x (256 + 256 + 48) + 121 x 64 x (34 x (7 x 256 + 64) + 24 x 256) (slabs of
    // 24 + 2 x 5 columns, one head's keys copied) + 8192 x (2 x 256 + 2 x 1024) floats; before them
    // 743,424 x (256 + 512 + 96) is less.
    EXPECT_DOUBLE_EQ(diffvae_tile_stage5_bytes(real_config(), 121, 256, 384),
                     4.0 * (743424.0 * 560 + 7744.0 * (34.0 * (7 * 256 + 64) + 24 * 256) + 8192.0 * 2560));
    EXPECT_DOUBLE_EQ(diffvae_stage4_feature_bytes(real_config(), {1, 128, 16, 8, 12}), 4.0 * 69 * 32 * 48 * 512);
}

TEST(DiffVaeTilingBudget, PicksTheLeastWastefulTileThatFits) {
    const DiffVaeConfig c = real_config();
    const Shape latent{1, 128, 16, 16, 24};  // 121 frames of 512 x 768
    // Ample memory: one tile on the grid (frames rounded up to 128; rows and columns exact).
    const DiffVaeTileSizes all = diffvae_tiling_for_budget(c, latent, 1e13, 0);
    EXPECT_EQ(all.frames.tile, 128);
    EXPECT_EQ(all.height.tile, 512);
    EXPECT_EQ(all.width.tile, 768);
    EXPECT_EQ(all.frames.overlap, 40);
    EXPECT_EQ(all.height.overlap, 160);

    // A tighter budget: smaller tiles, still on the grid and above the floors, whose estimate fits.
    const double resident = 2.0 * (1 << 30), budget = 8.0 * (1 << 30);
    const DiffVaeTileSizes s = diffvae_tiling_for_budget(c, latent, budget, resident);
    EXPECT_LT(double(s.frames.tile) * s.height.tile * s.width.tile, 128.0 * 512 * 768);
    EXPECT_EQ(s.frames.tile % 8, 0);
    EXPECT_EQ(s.height.tile % 32, 0);
    EXPECT_GE(s.frames.tile, 80);
    EXPECT_GE(s.height.tile, 320);
    EXPECT_GE(s.width.tile, 320);
    // (A tile longer than the video counts at the video's length.)
    const int64_t frames = std::min<int64_t>(s.frames.tile, 121);
    const double group = 4.0 * 3 * double(frames) * 512 * 768;
    const double fixed = resident + diffvae_stage4_feature_bytes(c, latent) + 4.0 * 3 * 121 * 512 * 768;
    EXPECT_LE(fixed + group + diffvae_tile_stage5_bytes(c, frames, std::min<int64_t>(s.height.tile, 512),
                                                        std::min<int64_t>(s.width.tile, 768)),
              budget);

    expect_error([&] { diffvae_tiling_for_budget(c, latent, 3.0 * (1 << 30), resident); },
                 {"no tile fits a memory budget of 3.00 GiB", "80 frames x 320 x 320 px"});
}

}  // namespace
