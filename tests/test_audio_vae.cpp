// LTX-2 audio VAE: golden fixtures (decoder, encoder + mel front end), input checks, config
// errors and the full-size checkpoint layout.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "io/safetensors.h"
#include "io/weight_store.h"
#include "models/audio_vae/config.h"
#include "models/audio_vae/mel.h"
#include "models/audio_vae/model.h"
#include "parity/kinds.h"
#include "test_util.h"

namespace {

using namespace ltx2;
using ltx2::test::expect_error;
using ltx2::test::TempDir;
using nlohmann::json;

const std::string kGolden = LTX2_GOLDEN_DIR;
const std::string kDecoderModel = kGolden + "/audio_vae/decoder.model.safetensors";
const std::string kEncoderModel = kGolden + "/audio_vae/encoder.model.safetensors";

TEST(AudioVaeParity, Decoder) { ltx2::test::expect_fixture_passes("audio_vae", "decoder.io.safetensors", parity_audio_vae_decode, 9); }

TEST(AudioVaeParity, Encoder) { ltx2::test::expect_fixture_passes("audio_vae", "encoder.io.safetensors", parity_audio_vae_encode, 11); }

TEST(AudioVaeDecoder, WrongLatentShapeIsAClearError) {
    const WeightStore store = WeightStore::open(kDecoderModel, "audio_vae.");
    const AudioDecoder d = AudioDecoder::load(store);
    expect_error([&] { d.forward(Tensor::zeros({1, 3, 8, 4})); }, {"audio_vae decoder", "latent", "(1, 3, 8, 4)", "2 channels"});
    expect_error([&] { d.forward(Tensor::zeros({2, 8, 4})); }, {"audio_vae decoder", "latent", "4 dims"});
    // Right channels, wrong mel bins: the statistics do not fit.
    expect_error([&] { d.forward(Tensor::zeros({1, 2, 8, 5})); }, {"audio_vae decoder", "statistics", "10"});
}

TEST(AudioVaeDecoder, OutputLengthFollowsTheCausalRule) {
    const WeightStore store = WeightStore::open(kDecoderModel, "audio_vae.");
    const AudioDecoder d = AudioDecoder::load(store);
    EXPECT_EQ(d.forward(Tensor::zeros({1, 2, 1, 4})).shape(), (Shape{1, 2, 1, 16}));
    EXPECT_EQ(d.forward(Tensor::zeros({1, 2, 3, 4})).shape(), (Shape{1, 2, 9, 16}));
}

TEST(AudioVaeEncoder, WrongMelShapeIsAClearError) {
    const WeightStore store = WeightStore::open(kEncoderModel, "audio_vae.");
    const AudioEncoder e = AudioEncoder::load(store);
    expect_error([&] { e.forward(Tensor::zeros({1, 1, 29, 16})); }, {"audio_vae encoder", "2 channels"});
    expect_error([&] { e.forward(Tensor::zeros({1, 2, 29, 12})); }, {"audio_vae encoder", "16 mel bins"});
    expect_error([&] { waveform_to_mel(Tensor::zeros({1, 2}), 16000, MelFrontEnd{}); }, {"waveform", "(batch, channels, samples)"});
}

json tiny_config() {
    const auto f = SafetensorsFile::open(kDecoderModel);
    return json::parse(*f->metadata_value("config"));
}

TEST(AudioVaeConfig, ParsesTinyAndRejectsUnsupported) {
    const AudioVaeConfig c = parse_audio_vae_config(tiny_config(), "x.safetensors");
    EXPECT_EQ(c.ch, 8);
    EXPECT_EQ(c.z_channels, 2);
    EXPECT_EQ(c.mel_bins, 16);
    EXPECT_EQ(c.latent_mel_bins(), 4);
    EXPECT_EQ(c.decoded_frames(8), 29);

    json j = tiny_config();
    j["audio_vae"]["model"]["params"]["ddconfig"].erase("attn_resolutions");
    expect_error([&] { parse_audio_vae_config(j, "x.safetensors"); }, {"x.safetensors", "attn_resolutions"});
    j = tiny_config();
    j["audio_vae"]["model"]["params"]["ddconfig"]["norm_type"] = "group";
    expect_error([&] { parse_audio_vae_config(j, "x.safetensors"); }, {"norm_type", "group"});
    j = tiny_config();
    j["audio_vae"]["model"]["params"]["ddconfig"]["ch"] = "eight";
    expect_error([&] { parse_audio_vae_config(j, "x.safetensors"); }, {"audio_vae.model.params.ddconfig.ch", "integer"});
    j = tiny_config();
    j["audio_vae"]["model"]["params"]["ddconfig"]["ch"] = 16;
    expect_error([&] { parse_audio_vae_config(j, "x.safetensors"); }, {"ch 16", "z_channels"});
    expect_error([&] { parse_audio_vae_config(json{{"transformer", json::object()}}, "x.safetensors"); }, {"'audio_vae'"});
}

// Every section of the nested audio_vae config refuses a key this build does not know.
TEST(AudioVaeConfig, UnknownKeysAreRefusedNamingThem) {
    const std::vector<std::vector<std::string>> sections = {
        {}, {"model"}, {"model", "params"}, {"model", "params", "ddconfig"}, {"preprocessing"}, {"preprocessing", "stft"},
        {"preprocessing", "mel"}};
    for (const auto& path : sections) {
        json j = tiny_config();
        json* s = &j["audio_vae"];
        std::string key = "audio_vae";
        for (const std::string& p : path) {
            s = &(*s)[p];
            key += "." + p;
        }
        (*s)["use_flash_vae"] = true;
        expect_error([&] { parse_audio_vae_config(j, "x.safetensors"); },
                     {"x.safetensors", "unknown config key", "'" + key + ".use_flash_vae'"});
    }
    // The real 19B / LTX-2.3 sections parse.
    for (const char* manifest : {"/manifest/audio_vae.json", "/ltx23/manifest/audio_vae.json"}) {
        std::ifstream in(std::string(LTX2_GOLDEN_DIR) + manifest);
        ASSERT_TRUE(in) << manifest;
        const AudioVaeConfig c = parse_audio_vae_config(json::parse(in).at("config_metadata"), manifest);
        EXPECT_EQ(c.ch, 128);
        EXPECT_EQ(c.mel_bins, 64);
    }
}

TEST(AudioVaeWeights, WrongShapeNamesTheTensor) {
    const WeightStore store = WeightStore::open(kDecoderModel, "audio_vae.");
    AudioVaeConfig c = audio_vae_config(store);
    c.z_channels = 4;
    c.ch = 16;
    expect_error([&] { AudioDecoder::load(store, c); }, {"per_channel_statistics.std-of-means"});
}

// The real LTX-2 layout (from the manifest) as a sparse file: decoder + encoder use every tensor.
TEST(AudioVaeWeights, FullSizeManifest) {
    TempDir dir("ltx2-avae");
    const auto [path, count] = ltx2::test::write_manifest_checkpoint("audio_vae.json", dir);
    ASSERT_EQ(count, 102u);

    const WeightStore store = WeightStore::open(path, "audio_vae.");
    const AudioDecoder d = AudioDecoder::load(store);
    const AudioEncoder e = AudioEncoder::load(store);
    EXPECT_EQ(d.config().ch, 128);
    EXPECT_EQ(d.config().z_channels, 8);
    EXPECT_EQ(d.config().mel_bins, 64);
    EXPECT_EQ(d.config().latent_mel_bins(), 16);
    EXPECT_EQ(d.config().decoded_frames(126), 501);
    const std::vector<std::string> unused = store.unused_names();
    EXPECT_TRUE(unused.empty()) << unused.size() << " unused, first: " << unused.front();
}

}  // namespace
