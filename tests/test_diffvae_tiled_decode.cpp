// The DiffVAE decoder's tiled decode on the tiny golden decoder: the reference's tiled decode
// (two fixtures), one tile is the untiled decode bit for bit, a 2 x 2 spatial tiling matches the
// untiled decode where one tile alone covers the output, tiles from a budget.
#include <gtest/gtest.h>

#include <string>

#include "core/random_tensor.h"
#include "io/safetensors.h"
#include "io/weight_store.h"
#include "models/diffvae/decoder.h"
#include "ops/views.h"
#include "parity/kinds.h"
#include "test_util.h"

namespace {

using namespace ltx2;
using ltx2::test::max_abs_diff;

const std::string kArea = "ltx25/video_vae";
const std::string kDir = std::string(LTX2_GOLDEN_DIR) + "/" + kArea;

DiffVaeDecoder tiny_decoder() {
    return DiffVaeDecoder::load(WeightStore::open(kDir + "/diffvae_decoder.model.safetensors", "vae."));
}

double max_abs(const Tensor& t) {
    double m = 0;
    for (float v : t.to_vector()) m = std::max(m, double(std::fabs(v)));
    return m;
}

// Latent 7 x 4 x 5 (floored to 7 x 7 x 7; stage-4 grid 25 frames): two temporal tiles, 48 frames
// overlapping by 40 -> [0,24) and [4,25), the second keeping its leading frame; cropped back to
// 128 x 160 px.
TEST(DiffVaeParity, TiledAcrossFrames) {
    ltx2::test::expect_fixture_passes(kArea, "diffvae_decoder_tiled_time.io.safetensors",
                                      parity_ltx25_diffvae_decode_tiled, 1);
}

// Latent 3 x 7 x 7: columns in three tiles of 184 px overlapping by 160 (their ramps overlap
// inside the middle tile: the blend divides by the summed weights; each tile has its own
// attention slabs).
TEST(DiffVaeParity, TiledAcrossColumns) {
    ltx2::test::expect_fixture_passes(kArea, "diffvae_decoder_tiled_space.io.safetensors",
                                      parity_ltx25_diffvae_decode_tiled, 1);
}

TEST(DiffVaeTiledDecode, OneTileIsTheUntiledDecode) {
    const DiffVaeDecoder d = tiny_decoder();
    const auto io = SafetensorsFile::open(kDir + "/diffvae_decoder.io.safetensors");
    const Tensor latent = io->tensor("in.latent");  // (1, 128, 3, 4, 5): stage-4 grid 9 x 28 x 28
    // Tiled axes whose tiles exceed the grid: one tile, drawn and decoded through the tile path.
    const DiffVaeTileSizes big{{64, 40}, {320, 160}, {320, 160}};
    EXPECT_EQ(d.tile_schedule(latent.shape(), big).num_tiles(), 1u);
    TorchGenerator tiled_gen, untiled_gen;
    tiled_gen.manual_seed(42);
    untiled_gen.manual_seed(42);
    const Tensor tiled = d.decode(latent, tiled_gen, DiffVaeTiling::with_sizes(big));
    const Tensor untiled = d.decode(latent, untiled_gen);
    ASSERT_EQ(tiled.shape(), untiled.shape());
    EXPECT_EQ(max_abs_diff(tiled, untiled), 0.0);
    const ParityCheck golden = compare_tensors("out.video", tiled, io->tensor("out.video"), 5e-5);
    EXPECT_TRUE(golden.pass) << golden.rel_err;
    // Both generators consumed the same draws.
    EXPECT_EQ(tiled_gen.randn({4}, DType::F32).to_vector(), untiled_gen.randn({4}, DType::F32).to_vector());
}

// Latent 3 x 7 x 7 (stage-4 grid 9 x 28 x 28), tiles of 24 cells overlapping by 20 on rows and
// columns: tiles [0,24) and [4,28), pixels [0,192) and [32,224). Rows / columns [0, 32) belong to
// the first tile alone (mask 1), [192, 224) to the last. Every tile draws its own canvas, so the
// comparison decodes the untiled reference from the same draws: the tile canvases placed on a
// full canvas (the single-owner corners come from the tile that owns them).
TEST(DiffVaeTiledDecode, TwoByTwoTilesMatchUntiledWhereOneTileOwnsThePixels) {
    const DiffVaeDecoder d = tiny_decoder();
    const Tensor latent = random_uniform_tensor({1, 128, 3, 7, 7}, DType::F32, 1.5f, 31);
    const DiffVaeTileSizes tiles{{}, {192, 160}, {192, 160}};
    const DiffVaeTileSchedule s = d.tile_schedule(latent.shape(), tiles);
    ASSERT_EQ(s.num_tiles(), 4u);
    EXPECT_TRUE(s.complementary());

    TorchGenerator gen;
    gen.manual_seed(7);
    std::vector<Tensor> canvases;
    for (int i = 0; i < 4; ++i) canvases.push_back(gen.randn({1, 3, 17, 192, 192}, DType::F32));
    Tensor full = Tensor::zeros(d.noise_canvas_shape(latent.shape()));
    const int64_t starts[2] = {0, 32};
    for (int i = 3; i >= 0; --i)  // tile 0 last: it owns the top-left corner
        copy_into_view(full.slice(3, starts[i / 2], starts[i / 2] + 192).slice(4, starts[i % 2], starts[i % 2] + 192),
                       canvases[size_t(i)]);
    const Tensor untiled_first = d.decode(latent, full);
    copy_into_view(full.slice(3, 32, 224).slice(4, 32, 224), canvases[3]);
    const Tensor untiled_last = d.decode(latent, full);

    gen.manual_seed(7);
    const Tensor tiled = d.decode(latent, gen, DiffVaeTiling::with_sizes(tiles));
    ASSERT_EQ(tiled.shape(), (Shape{1, 3, 17, 224, 224}));
    const double scale = max_abs(untiled_first);
    auto corner = [](const Tensor& v, int64_t r0, int64_t c0) {
        return v.slice(3, r0, r0 + 32).slice(4, c0, c0 + 32).contiguous();
    };
    EXPECT_LE(max_abs_diff(corner(tiled, 0, 0), corner(untiled_first, 0, 0)), 5e-5 * scale);
    EXPECT_LE(max_abs_diff(corner(tiled, 192, 192), corner(untiled_last, 192, 192)), 5e-5 * scale);
    // Where tiles blend, the tiled decode differs from either untiled one (the test can fail).
    EXPECT_GT(max_abs_diff(tiled.slice(3, 96, 128).contiguous(), untiled_first.slice(3, 96, 128).contiguous()),
              1e-3 * scale);
}

TEST(DiffVaeTiledDecode, BudgetPicksTheSizes) {
    const DiffVaeDecoder d = tiny_decoder();
    const Shape latent{1, 128, 3, 4, 5};
    const DiffVaeTileSizes s = d.tile_sizes(latent, DiffVaeTiling::from_budget(1e10, 0));
    EXPECT_TRUE(s.tiled());
    EXPECT_EQ(d.tile_schedule(latent, s).num_tiles(), 1u);  // a small video is one tile
    const DiffVaeTileSizes explicit_sizes{{}, {192, 160}, {}};
    EXPECT_EQ(d.tile_sizes(latent, DiffVaeTiling::with_sizes(explicit_sizes)).height.tile, 192);
}

}  // namespace
