// LTX-2 video VAE: golden fixtures (plain and timestep-conditioned decoder, encoder), input
// checks, config errors and the full-size checkpoint layout.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"
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

const std::string kGolden = LTX2_GOLDEN_DIR;
const std::string kDecoderModel = kGolden + "/video_vae/decoder.model.safetensors";
const std::string kTcondModel = kGolden + "/video_vae/decoder_tcond.model.safetensors";
const std::string kEncoderModel = kGolden + "/video_vae/encoder.model.safetensors";

TEST(VideoVaeParity, Decoder) {
    ltx2::test::expect_fixture_passes("video_vae", "decoder.io.safetensors", parity_video_vae_decode, 13);
}
TEST(VideoVaeParity, DecoderTimestepConditioned) {
    ltx2::test::expect_fixture_passes("video_vae", "decoder_tcond.io.safetensors", parity_video_vae_decode, 18);
}
TEST(VideoVaeParity, DecoderTimestepConditionedCausal) {
    ltx2::test::expect_fixture_passes("video_vae", "decoder_tcond_causal.io.safetensors", parity_video_vae_decode, 17);
}
TEST(VideoVaeParity, Encoder) {
    ltx2::test::expect_fixture_passes("video_vae", "encoder.io.safetensors", parity_video_vae_encode, 15);
}

TEST(VideoVaeDecoder, WrongLatentShapeIsAClearError) {
    const WeightStore store = WeightStore::open(kDecoderModel, "vae.");
    const VideoDecoder d = VideoDecoder::load(store);
    expect_error([&] { d.decode(Tensor::zeros({1, 128, 2, 2, 2})); },
                 {"video_vae decoder", "latent", "(1, 128, 2, 2, 2)", "4 channels"});
    expect_error([&] { d.decode(Tensor::zeros({4, 2, 2, 2})); }, {"video_vae decoder", "latent", "5 dims"});
    expect_error([&] { d.decode(Tensor::zeros({1, 4, 2, 1, 2})); }, {"video_vae decoder", "reflect", ">= 2"});
}

TEST(VideoVaeDecoder, ConditionedDecoderNeedsNoiseAndMatchingTimesteps) {
    const WeightStore store = WeightStore::open(kTcondModel, "vae.");
    const VideoDecoder d = VideoDecoder::load(store);
    EXPECT_TRUE(d.config().timestep_conditioning);
    expect_error([&] { d.decode(Tensor::zeros({1, 4, 1, 2, 2})); }, {"video_vae decoder", "generator", "noise"});
    DecodeOptions opt;
    opt.noise = Tensor::zeros({1, 4, 1, 2, 3});
    expect_error([&] { d.decode(Tensor::zeros({1, 4, 1, 2, 2}), opt); }, {"noise", "(1, 4, 1, 2, 3)"});
    TorchGenerator gen(1);
    DecodeOptions opt2;
    opt2.generator = &gen;
    opt2.timestep = {0.1f, 0.2f, 0.3f};
    expect_error([&] { d.decode(Tensor::zeros({2, 4, 1, 2, 2}), opt2); }, {"3 timesteps", "batch of 2"});
    // Injected noise reproduces the generator's draw.
    TorchGenerator g1(7);
    DecodeOptions a;
    a.generator = &g1;
    const Tensor latent = Tensor::from_f32({1, 4, 1, 2, 2}, std::vector<float>(16, 0.3f));
    const Tensor va = d.decode(latent, a);
    DecodeOptions b;
    b.noise = TorchGenerator(7).randn({1, 4, 1, 2, 2}, DType::F32);
    const Tensor vb = d.decode(latent, b);
    EXPECT_EQ(va.to_vector(), vb.to_vector());
    EXPECT_EQ(va.shape(), (Shape{1, 3, 1, 64, 64}));
}

TEST(VideoVaeEncoder, BadVideoIsAClearError) {
    const WeightStore store = WeightStore::open(kEncoderModel, "vae.");
    const VideoEncoder e = VideoEncoder::load(store);
    expect_error([&] { e.encode(Tensor::zeros({1, 4, 9, 32, 32})); },
                 {"video_vae encoder", "video", "(1, 4, 9, 32, 32)", "3 channels"});
    expect_error([&] { e.encode(Tensor::zeros({1, 3, 9, 48, 32})); }, {"video_vae encoder", "multiples of 32"});
    expect_error([&] { e.encode(Tensor::zeros({3, 9, 32, 32})); }, {"video_vae encoder", "5 dims"});
    // Frame counts that are not 1+8k: an error by default, the reference's crop on request.
    expect_error([&] { e.encode(Tensor::zeros({1, 3, 12, 32, 32})); },
                 {"video_vae encoder", "12 frames", "1 + 8k", "9 or 17"});
    const auto crop = VideoEncoder::FrameCount::CropLikeReference;
    EXPECT_EQ(e.encode(Tensor::zeros({1, 3, 8, 32, 32}), {}, crop).shape(), (Shape{1, 4, 1, 1, 1}));
    EXPECT_EQ(e.encode(Tensor::zeros({1, 3, 12, 32, 32}), {}, crop).shape(), (Shape{1, 4, 2, 1, 1}));
    EXPECT_EQ(e.encode(Tensor::zeros({1, 3, 17, 32, 32})).shape(), (Shape{1, 4, 3, 1, 1}));
}

TEST(VideoVaeFrames, Uint8Conversion) {
    const Tensor v = Tensor::from_f32({1, 3, 1, 1, 2}, {-1.f, 1.f, 0.f, 2.f, 0.5f, -3.f});
    const Tensor u = frames_to_uint8(v);
    EXPECT_EQ(u.dtype(), DType::U8);
    EXPECT_EQ(u.shape(), (Shape{1, 1, 2, 3}));
    // pixel 0: (-1, 0, 0.5) -> (0, 127, 191); pixel 1: (1, 2, -3) -> (255, 255, 0).
    EXPECT_EQ(u.to_vector(), (std::vector<float>{0, 127, 191, 255, 255, 0}));
    expect_error([&] { frames_to_uint8(Tensor::zeros({1, 4, 1, 2, 2})); }, {"frames_to_uint8", "(1, 4, 1, 2, 2)"});
}

json tiny_vae() {
    return json::parse(R"({"vae": {"latent_channels": 4, "timestep_conditioning": false,
        "encoder_blocks": [["res_x", {"num_layers": 1}], ["compress_all_res", {"multiplier": 2}]],
        "decoder_blocks": [["res_x", {"num_layers": 1, "inject_noise": false}], ["compress_all", {"residual": true, "multiplier": 2}]]}})");
}

TEST(VideoVaeConfig, ParsesDefaultsAndReversesDecoderBlocks) {
    const VideoVaeConfig c = parse_video_vae_config(tiny_vae(), "x.safetensors");
    EXPECT_EQ(c.patch_size, 4);
    EXPECT_FALSE(c.causal_decoder);
    EXPECT_FALSE(c.timestep_conditioning);
    EXPECT_EQ(c.decoder_padding, PadMode::Reflect);
    EXPECT_EQ(c.encoder_padding, PadMode::Constant);
    ASSERT_EQ(c.decoder_blocks.size(), 2u);
    EXPECT_EQ(c.decoder_blocks[0].kind, VaeBlockKind::CompressAll);
    EXPECT_EQ(c.decoder_first_channels(), 8);
    json j = tiny_vae();
    j["vae"].erase("timestep_conditioning");
    EXPECT_TRUE(parse_video_vae_config(j, "x").timestep_conditioning);  // the reference default
}

TEST(VideoVaeConfig, BadConfigsAreClearErrors) {
    expect_error([] { parse_video_vae_config(json::object(), "x.safetensors"); }, {"x.safetensors", "'vae'"});
    auto with = [](const std::string& key, const json& value) {
        json j = tiny_vae();
        j["vae"][key] = value;
        return j;
    };
    expect_error([&] { parse_video_vae_config(with("norm_layer", "group_norm"), "x"); }, {"vae.norm_layer", "group_norm"});
    expect_error([&] { parse_video_vae_config(with("dims", 2), "x"); }, {"vae.dims"});
    expect_error([&] { parse_video_vae_config(with("latent_log_var", "per_channel"), "x"); }, {"vae.latent_log_var"});
    expect_error([&] { parse_video_vae_config(with("decoder_spatial_padding_mode", "circular"), "x"); },
                 {"vae.decoder_spatial_padding_mode", "circular"});
    expect_error([&] { parse_video_vae_config(with("latent_channels", "4"), "x"); }, {"vae.latent_channels", "integer"});
    expect_error([&] { parse_video_vae_config(with("decoder_blocks", json::parse(R"([["attn_res_x", 2]])")), "x"); },
                 {"vae.decoder_blocks[0]", "attn_res_x"});
    expect_error([&] { parse_video_vae_config(with("decoder_blocks", json::parse(R"([["res_x", {"num_layers": 1, "inject_noise": true}]])")), "x"); },
                 {"vae.decoder_blocks[0]", "inject_noise"});
    expect_error([&] { parse_video_vae_config(with("encoder_blocks", json::parse(R"([["res_x"]])")), "x"); },
                 {"vae.encoder_blocks[0]"});
    expect_error([&] { parse_video_vae_config(with("encoder_blocks", json::array()), "x"); }, {"vae.encoder_blocks"});
}

TEST(VideoVaeWeights, MissingTensorIsAClearError) {
    const WeightStore store = WeightStore::open(kDecoderModel, "vae.");
    VideoVaeConfig c = video_vae_config(store);
    c.timestep_conditioning = true;  // this file has no conditioning tensors
    expect_error([&] { VideoDecoder::load(store, c); }, {"scale_shift_table"});
}

// The real LTX-2 layout (from the manifest) as a sparse BF16 file: decoder + encoder use every tensor.
TEST(VideoVaeWeights, FullSizeManifest) {
    TempDir dir("ltx2-vvae");
    const auto [path, count] = ltx2::test::write_manifest_checkpoint("video_vae.json", dir);
    ASSERT_EQ(count, 187u);
    const WeightStore store = WeightStore::open(path, "vae.");
    const VideoDecoder d = VideoDecoder::load(store);
    const VideoEncoder e = VideoEncoder::load(store);
    EXPECT_FALSE(d.config().timestep_conditioning);
    EXPECT_EQ(d.config().latent_channels, 128);
    EXPECT_EQ(d.config().decoder_first_channels(), 1024);
    const std::vector<std::string> unused = store.unused_names();
    EXPECT_TRUE(unused.empty()) << unused.size() << " unused, first: " << unused.front();
}

// The same with the timestep-conditioning tensors added, loaded as a conditioned decoder.
TEST(VideoVaeWeights, FullSizeManifestTimestepConditioned) {
    TempDir dir("ltx2-vvae");
    const auto [path, count] =
        ltx2::test::write_manifest_checkpoint("video_vae.json", dir, {"/timestep_conditioning_variant_extra_tensors"});
    const WeightStore store = WeightStore::open(path, "vae.");
    VideoVaeConfig c = video_vae_config(store);
    c.timestep_conditioning = true;
    const VideoDecoder d = VideoDecoder::load(store, c);
    const VideoEncoder e = VideoEncoder::load(store, c);
    EXPECT_GT(count, 187u);
    const std::vector<std::string> unused = store.unused_names();
    EXPECT_TRUE(unused.empty()) << unused.size() << " unused, first: " << unused.front();
}

}  // namespace
