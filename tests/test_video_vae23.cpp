// LTX-2.3 video VAE: golden fixtures, its configuration (read from the `vae` section only),
// refused configs and files, and the full-size layout.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "io/safetensors.h"
#include "io/weight_store.h"
#include "models/video_vae/config.h"
#include "models/video_vae/model.h"
#include "parity/kinds.h"
#include "test_util.h"

namespace {

using namespace ltx2;
using ltx2::test::expect_error;
using ltx2::test::TempDir;
using nlohmann::json;

const std::string kArea = "ltx23/video_vae";
const std::string kDir = std::string(LTX2_GOLDEN_DIR) + "/" + kArea;

json real_config() {
    std::ifstream in(kDir + "/manifest.json");
    return json::parse(in).at("config_metadata");
}

TEST(VideoVae23Parity, Decoder) {
    ltx2::test::expect_fixture_passes(kArea, "decoder.io.safetensors", parity_video_vae_decode, 18);
}
TEST(VideoVae23Parity, Encoder) {
    ltx2::test::expect_fixture_passes(kArea, "encoder.io.safetensors", parity_video_vae_encode, 15);
}

TEST(VideoVae23Config, RealSection) {
    const VideoVaeConfig c = parse_video_vae_config(real_config(), "ltx-2.3.safetensors");
    EXPECT_FALSE(c.timestep_conditioning);
    EXPECT_EQ(c.decoder_padding, PadMode::Constant);
    EXPECT_EQ(c.encoder_padding, PadMode::Constant);
    EXPECT_EQ(c.decoder_base_channels, 128);
    EXPECT_EQ(c.decoder_first_channels(), 1024);  // 128 · 2 · 2 · 1 · 2
    ASSERT_EQ(c.decoder_blocks.size(), 9u);
    // Execution order: compress_all ×2, compress_all ×1, compress_time, compress_space.
    EXPECT_EQ(c.decoder_blocks[1].kind, VaeBlockKind::CompressAll);
    EXPECT_EQ(c.decoder_blocks[3].multiplier, 1);
    EXPECT_EQ(c.decoder_blocks[5].kind, VaeBlockKind::CompressTime);
    EXPECT_EQ(c.decoder_blocks[7].kind, VaeBlockKind::CompressSpace);
    EXPECT_EQ(c.decoder_blocks[7].time_stride(), 1);
    EXPECT_EQ(c.decoder_blocks[7].space_stride(), 2);
    EXPECT_FALSE(c.decoder_blocks[1].residual);
    EXPECT_EQ(c.encoder_blocks[7].kind, VaeBlockKind::CompressAllRes);
    EXPECT_EQ(c.encoder_blocks[7].multiplier, 1);
}

TEST(VideoVae23Config, Ltx2SectionKeepsItsReading) {
    std::ifstream in(std::string(LTX2_GOLDEN_DIR) + "/manifest/video_vae.json");
    const VideoVaeConfig c = parse_video_vae_config(json::parse(in).at("config_metadata"), "ltx-2-19b.safetensors");
    EXPECT_EQ(c.decoder_padding, PadMode::Reflect);
    EXPECT_EQ(c.encoder_padding, PadMode::Constant);
    EXPECT_EQ(c.decoder_first_channels(), 1024);  // latent_channels 128 · 2 · 2 · 2
    EXPECT_TRUE(c.decoder_blocks[1].residual);
}

TEST(VideoVae23Config, RefusesWhatItCannotRun) {
    auto with = [](const std::string& key, const json& v) {
        json j = real_config();
        j["vae"][key] = v;
        return j;
    };
    expect_error([&] { parse_video_vae_config(with("frobnicate", 1), "x.safetensors"); },
                 {"x.safetensors", "vae.frobnicate"});
    expect_error([&] { parse_video_vae_config(with("_class_name", "CausalDiffusionVAE"), "x.safetensors"); },
                 {"x.safetensors", "vae._class_name", "CausalDiffusionVAE", "CausalVideoAutoencoder"});
    expect_error([&] { parse_video_vae_config(with("decoder_spatial_padding_mode", "reflect"), "x.safetensors"); },
                 {"x.safetensors", "vae.spatial_padding_mode", "vae.decoder_spatial_padding_mode", "disagree"});
    expect_error([&] { parse_video_vae_config(with("spatial_padding_mode", "circular"), "x.safetensors"); },
                 {"vae.spatial_padding_mode", "circular"});
    expect_error(
        [&] {
            parse_video_vae_config(
                with("decoder_blocks", json::parse(R"([["compress_space", {"multiplier": 2, "stride": 3}]])")), "x");
        },
        {"vae.decoder_blocks[0].stride"});
    expect_error(
        [&] { parse_video_vae_config(with("decoder_blocks", json::parse(R"([["compress_time", {"multiplier": 3}]])")), "x"); },
        {"vae.decoder_blocks[0]", "multiplier 3", "divisor of 2"});
    // The harmless metadata keys pass.
    json ok = with("use_quant_conv", true);
    ok["vae"]["scaling_factor"] = 0.5;
    EXPECT_NO_THROW(parse_video_vae_config(ok, "x"));
}

// The tiny decoder's tensors rewritten to `path` with `extra` added.
void write_decoder_with(const std::string& path, const std::vector<std::pair<std::string, Tensor>>& extra) {
    const WeightStore src = WeightStore::open(kDir + "/decoder.model.safetensors");
    std::vector<std::pair<std::string, Tensor>> tensors;
    for (const std::string& name : src.names()) tensors.emplace_back(name, src.get(name));
    for (const auto& e : extra) tensors.push_back(e);
    write_safetensors(path, tensors, {{"config", src.config().dump()}, {"model_version", "2.3.0"}});
}

TEST(VideoVae23Weights, UnusedTensorsAreRefusedNamingThem) {
    TempDir dir("ltx2-vvae23");
    const std::string bad = dir.file("extra.safetensors");
    write_decoder_with(bad, {{"vae.decoder.up_blocks.9.conv.conv.weight", Tensor::zeros({2})},
                             {"vae.decoder.last_scale_shift_table", Tensor::zeros({2, 4})}});
    expect_error([&] { VideoDecoder::load(WeightStore::open(bad, "vae.")); },
                 {"extra.safetensors", "2 unexpected tensor(s)", "video VAE decoder", "up_blocks.9.conv.conv.weight",
                  "last_scale_shift_table"});
    // Statistics other than std-of-means / mean-of-means are ignored, as by the reference.
    const std::string ok = dir.file("stats.safetensors");
    write_decoder_with(ok, {{"vae.per_channel_statistics.mean-of-stds", Tensor::zeros({4})}});
    const WeightStore store = WeightStore::open(ok, "vae.");
    EXPECT_NO_THROW(VideoDecoder::load(store));
}

TEST(VideoVae23Weights, OtherModelVersionsAreRefused) {
    TempDir dir("ltx2-vvae23");
    const WeightStore src = WeightStore::open(kDir + "/decoder.model.safetensors");
    std::vector<std::pair<std::string, Tensor>> tensors;
    for (const std::string& name : src.names()) tensors.emplace_back(name, src.get(name));
    const std::string path = dir.file("v26.safetensors");
    write_safetensors(path, tensors, {{"config", src.config().dump()}, {"model_version", "2.6.0"}});
    expect_error([&] { VideoDecoder::load(WeightStore::open(path, "vae.")); }, {"v26.safetensors", "2.6.0"});
    // LTX-2.5's conv VAE file has the 2.3 structure and decodes through the 2.3 decoder.
    const std::string conv25 = dir.file("ltx-2.5-video-vae-conv.safetensors");
    write_safetensors(conv25, tensors, {{"config", src.config().dump()}, {"model_version", "2.5.0"}});
    EXPECT_NO_THROW(VideoDecoder::load(WeightStore::open(conv25, "vae.")));
}

}  // namespace
