// The LTX-2 latent upsampler: golden parity of every fixture (spatial x2, temporal x2, the
// rational x1.5 path, the blur downsample), config / weight / input errors, and the
// full-size spatial and temporal checkpoint layouts.
#include "test_util.h"
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/error.h"
#include "io/safetensors.h"
#include "io/weight_store.h"
#include "models/upsampler/config.h"
#include "models/upsampler/model.h"
#include "models/upsampler/ops.h"
#include "parity/kinds.h"

using namespace ltx2;
using ltx2::test::TempDir;
using ltx2::test::expect_error;
using ltx2::test::expect_fixture_passes;
using nlohmann::json;

namespace {

const std::string kGolden = LTX2_GOLDEN_DIR;

std::string tiny_model(const std::string& name) { return kGolden + "/upsampler/" + name + ".model.safetensors"; }

// The tiny spatial model rewritten with another config.
std::string with_config(const TempDir& dir, const std::string& model, const json& config) {
    auto f = SafetensorsFile::open(tiny_model(model));
    std::vector<std::pair<std::string, Tensor>> tensors;
    for (const auto& e : f->entries()) tensors.emplace_back(e.name, f->tensor(e.name));
    const std::string path = dir.file(model + "-edited.safetensors");
    write_safetensors(path, tensors, {{"config", config.dump()}});
    return path;
}

json tiny_config(const std::string& model) {
    auto f = SafetensorsFile::open(tiny_model(model));
    return json::parse(*f->metadata_value("config"));
}

// A full-size sparse checkpoint from a manifest loads with every tensor used, and runs shape-wise.
void check_manifest(const std::string& manifest_name, UpsamplerMode mode, const Shape& in, const Shape& out) {
    TempDir dir("ltx2-ups");
    const auto [path, count] = ltx2::test::write_manifest_checkpoint(manifest_name, dir);
    ASSERT_GT(count, 0u);
    const WeightStore store = WeightStore::open(path, "");
    const LatentUpsampler model = LatentUpsampler::load(store);
    EXPECT_EQ(model.config().mode, mode);
    EXPECT_EQ(model.weights().tensor_count, count);
    EXPECT_TRUE(store.unused_names().empty());
    for (const auto& n : store.unused_names()) ADD_FAILURE() << "unexpected tensor " << n;
    EXPECT_EQ(model.output_shape(in), out);
}

}  // namespace

TEST(UpsamplerParity, SpatialX2) {
    expect_fixture_passes("upsampler", "spatial_x2.io.safetensors", parity_upsampler_latent, 8);
}

TEST(UpsamplerParity, TemporalX2) {
    expect_fixture_passes("upsampler", "temporal_x2.io.safetensors", parity_upsampler_latent, 6);
}

TEST(UpsamplerParity, SpatialX1p5RationalWithBlur) {
    expect_fixture_passes("upsampler", "spatial_x1p5.io.safetensors", parity_upsampler_latent, 5);
}

TEST(UpsamplerParity, BlurDownsample) {
    expect_fixture_passes("upsampler", "blur_downsample.io.safetensors", parity_upsampler_blur_downsample, 2);
}

TEST(UpsamplerOps, BinomialKernel) {
    const Tensor k = binomial_blur_kernel(5);
    ASSERT_EQ(k.shape(), (Shape{1, 1, 5, 5}));
    EXPECT_FLOAT_EQ(float(k.at({0, 0, 2, 2})), 36.f / 256.f);
    EXPECT_FLOAT_EQ(float(k.at({0, 0, 0, 1})), 4.f / 256.f);
    // Stride 1 is the identity.
    const Tensor x = Tensor::from_f32({1, 1, 2, 2}, {1, 2, 3, 4});
    EXPECT_EQ(blur_downsample(x, 1, k).to_vector(), x.to_vector());
}

TEST(UpsamplerOps, PixelShuffleOrder) {
    // 4 channels = 1 × (2 × 2): channel i·2 + j goes to (2h + i, 2w + j).
    const Tensor x = Tensor::from_f32({1, 4, 1, 1, 1}, {0, 1, 2, 3});
    const Tensor y = pixel_shuffle_3d(x, 1, 2, 2);
    ASSERT_EQ(y.shape(), (Shape{1, 1, 1, 2, 2}));
    EXPECT_EQ(y.to_vector(), (std::vector<float>{0, 1, 2, 3}));
    const Tensor t = pixel_shuffle_3d(Tensor::from_f32({1, 4, 1, 1, 1}, {0, 1, 2, 3}), 2, 1, 1);
    ASSERT_EQ(t.shape(), (Shape{1, 2, 2, 1, 1}));
    EXPECT_EQ(t.to_vector(), (std::vector<float>{0, 1, 2, 3}));
}

TEST(UpsamplerWeights, AnUnusedTensorIsRefusedByName) {
    TempDir dir("ltx2-ups-unused");
    auto f = SafetensorsFile::open(tiny_model("spatial_x2"));
    std::vector<std::pair<std::string, Tensor>> tensors;
    for (const auto& e : f->entries()) tensors.emplace_back(e.name, f->tensor(e.name));
    tensors.emplace_back("upsampler.temporal_conv.weight", Tensor::zeros({4, 4}));
    const std::string path = dir.file("extra.safetensors");
    write_safetensors(path, tensors, {{"config", *f->metadata_value("config")}});
    expect_error([&] { (void)LatentUpsampler::load(WeightStore::open(path, "")); },
                 {path, "1 unexpected tensor", "'upsampler.temporal_conv.weight'", "latent upsampler"});
}

TEST(UpsamplerInput, WrongChannelsIsAClearError) {
    const WeightStore store = WeightStore::open(tiny_model("spatial_x2"), "");
    const LatentUpsampler model = LatentUpsampler::load(store);
    const Tensor bad = Tensor::zeros({1, 5, 2, 4, 4});
    expect_error([&] { model.forward(bad); }, {"5 channels", "in_channels = 4"});
    expect_error([&] { model.forward(Tensor::zeros({1, 4, 4, 4})); }, {"[B, C, F, H, W]"});
    const Tensor stats = Tensor::zeros({3});
    expect_error([&] { upsample_video(model, Tensor::zeros({1, 4, 1, 2, 2}), stats, stats); },
                 {"mean-of-means", "expected [4]"});
}

TEST(UpsamplerConfig, DefaultsAndDerivedScale) {
    const UpsamplerConfig d = parse_upsampler_config(json::object(), "x");
    EXPECT_EQ(d.in_channels, 128);
    EXPECT_EQ(d.mid_channels, 512);
    EXPECT_EQ(d.num_blocks_per_stage, 4);
    EXPECT_EQ(d.mode, UpsamplerMode::Spatial);
    const UpsamplerConfig r = parse_upsampler_config(json{{"rational_resampler", true}, {"spatial_scale", 0.75}}, "x");
    EXPECT_EQ(r.mode, UpsamplerMode::SpatialRational);
    EXPECT_EQ(r.scale_num, 3);
    EXPECT_EQ(r.scale_den, 4);
    const UpsamplerConfig t = parse_upsampler_config(json{{"spatial_upsample", false}, {"temporal_upsample", true}}, "x");
    EXPECT_EQ(t.mode, UpsamplerMode::Temporal);
}

TEST(UpsamplerConfig, InvalidValuesAreClearErrors) {
    expect_error([] { parse_upsampler_config(json{{"mid_channels", 48}}, "f.safetensors"); },
                 {"f.safetensors", "mid_channels", "multiple of 32"});
    expect_error([] { parse_upsampler_config(json{{"rational_resampler", true}, {"spatial_scale", 3.0}}, "f"); },
                 {"spatial_scale", "1.5"});
    expect_error([] { parse_upsampler_config(json{{"spatial_upsample", false}}, "f"); }, {"temporal_upsample"});
    expect_error([] { parse_upsampler_config(json{{"dims", 4}}, "f"); }, {"dims", "2 or 3"});
    expect_error([] { parse_upsampler_config(json{{"in_channels", "128"}}, "f"); }, {"in_channels", "integer"});
    expect_error([] { parse_upsampler_config(json{{"rational_resampler", 1}}, "f"); }, {"rational_resampler"});
    expect_error([] { parse_upsampler_config(json{{"spatial_scale", 2.0}, {"temporal_scale", 2}}, "up.safetensors"); },
                 {"up.safetensors", "unknown config key", "'temporal_scale'"});
    expect_error([] { parse_upsampler_config(json{{"_class_name", "LatentUpsamplerV2"}}, "f"); },
                 {"_class_name", "LatentUpsamplerV2"});
}

TEST(UpsamplerWeights, ShapeMismatchNamesTheTensor) {
    TempDir dir("ltx2-ups");
    json cfg = tiny_config("spatial_x2");
    cfg["mid_channels"] = 64;
    const std::string path = with_config(dir, "spatial_x2", cfg);
    const WeightStore store = WeightStore::open(path, "");
    expect_error([&] { LatentUpsampler::load(store); }, {"initial_conv.weight", "expected"});
    // A rational-resampler config on the temporal weights: `upsampler.conv` is missing.
    json t = tiny_config("temporal_x2");
    t["spatial_upsample"] = true;
    t["temporal_upsample"] = false;
    t["rational_resampler"] = true;
    const std::string path2 = with_config(dir, "temporal_x2", t);
    expect_error([&] { LatentUpsampler::load(WeightStore::open(path2, "")); }, {"upsampler.conv.weight"});
}

TEST(UpsamplerManifest, SpatialX2FullSize) {
    check_manifest("spatial_upscaler_x2.json", UpsamplerMode::SpatialRational, {1, 128, 4, 16, 24},
                   {1, 128, 4, 32, 48});
}

TEST(UpsamplerManifest, TemporalX2FullSize) {
    check_manifest("temporal_upscaler_x2.json", UpsamplerMode::Temporal, {1, 128, 4, 16, 24}, {1, 128, 7, 16, 24});
}
