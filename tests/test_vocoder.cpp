// The LTX-2 vocoder: golden parity, config and input errors, and the full-size layout.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/error.h"
#include "io/safetensors.h"
#include "io/weight_store.h"
#include "models/vocoder/config.h"
#include "models/vocoder/model.h"
#include "parity/kinds.h"
#include "test_util.h"

using namespace ltx2;
using ltx2::test::expect_error;
using ltx2::test::TempDir;
using nlohmann::json;

namespace {

const std::string kGolden = LTX2_GOLDEN_DIR;
const std::string kModel = kGolden + "/vocoder/vocoder.model.safetensors";

json tiny_config() {
    return json::parse(R"({"vocoder": {"resblock_kernel_sizes": [3, 7, 11], "upsample_rates": [6, 5, 2, 2, 2],
        "upsample_kernel_sizes": [16, 15, 8, 4, 4], "resblock_dilation_sizes": [[1, 3, 5], [1, 3, 5], [1, 3, 5]],
        "upsample_initial_channel": 32, "stereo": true, "resblock": "1", "output_sample_rate": 24000}})");
}

}  // namespace

// out.waveform plus the 7 dbg tensors.
TEST(VocoderParity, Forward) {
    ltx2::test::expect_fixture_passes("vocoder", "vocoder.io.safetensors", parity_vocoder_forward, 8);
}

TEST(VocoderConfig, ParsesFixtureAndDefaults) {
    const WeightStore store = WeightStore::open(kModel, "vocoder.");
    const VocoderConfig c = parse_vocoder_config(store.config(), store.describe());
    EXPECT_FALSE(c.bwe.has_value());
    EXPECT_EQ(c.vocoder.upsample_initial_channel, 32);
    EXPECT_EQ(c.upsample_factor(), 240);
    EXPECT_EQ(c.output_sample_rate(), 24000);
    EXPECT_EQ(c.vocoder.in_channels(), 128);
    EXPECT_EQ(c.vocoder.stage_channels(5), 1);

    const VocoderConfig d = parse_vocoder_config(json::object(), "x");
    EXPECT_EQ(d.vocoder.upsample_initial_channel, 1024);
    EXPECT_EQ(d.output_sample_rate(), 24000);
    EXPECT_TRUE(d.vocoder.stereo);
    EXPECT_EQ(d.vocoder.resblock, VocoderResBlock::Type1);
    EXPECT_EQ(d.upsample_factor(), 240);
}

TEST(VocoderConfig, BadValuesNameTheKey) {
    auto with = [](const std::string& key, const json& value) {
        json c = tiny_config();
        c["vocoder"][key] = value;
        return c;
    };
    expect_error([&] { parse_vocoder_config(with("upsample_rates", json::array({6, 5})), "f.st"); },
                 {"f.st", "vocoder.upsample_rates", "vocoder.upsample_kernel_sizes", "same length"});
    expect_error([&] { parse_vocoder_config(with("resblock", "3"), "f.st"); }, {"f.st", "vocoder.resblock", "\"3\""});
    expect_error([&] { parse_vocoder_config(with("stereo", "yes"), "f.st"); }, {"vocoder.stereo", "true or false"});
    expect_error([&] { parse_vocoder_config(with("upsample_initial_channel", 2.5), "f.st"); },
                 {"vocoder.upsample_initial_channel", "integer"});
    expect_error([&] { parse_vocoder_config(with("upsample_initial_channel", 16), "f.st"); },
                 {"vocoder.upsample_initial_channel", "16"});
    expect_error([&] { parse_vocoder_config(with("resblock_dilation_sizes", json::parse("[[1,3],[1,3,5],[1,3,5]]")), "f"); },
                 {"vocoder.resblock_dilation_sizes[0]", "needs 3"});
    expect_error([&] { parse_vocoder_config(with("upsample_kernel_sizes", json::parse("[16,15,8,4,0]")), "f"); },
                 {"vocoder.upsample_kernel_sizes[4]", ">= 1"});
    expect_error([&] { parse_vocoder_config(json::parse(R"({"vocoder": 5})"), "f.st"); },
                 {"f.st", "'vocoder'", "an object"});
    expect_error([&] { parse_vocoder_config(with("upsample_scale", 2), "f.st"); },
                 {"f.st", "unknown config key", "'vocoder.upsample_scale'"});
}

TEST(VocoderForward, BadMelShapes) {
    const WeightStore store = WeightStore::open(kModel, "vocoder.");
    const Vocoder v = Vocoder::load(store);
    expect_error([&] { v.forward(Tensor::zeros({1, 2, 16, 80})); }, {"vocoder", "(1, 2, 16, 80)", "64"});
    expect_error([&] { v.forward(Tensor::zeros({1, 3, 16, 64})); }, {"vocoder", "(1, 3, 16, 64)", "(batch, 2, frames, 64)"});
    expect_error([&] { v.forward(Tensor::zeros({2, 16, 64})); }, {"vocoder", "(2, 16, 64)"});
    expect_error([&] { v.forward(Tensor::zeros({1, 2, 0, 64})); }, {"vocoder", "frame"});
    // A valid input of another length: 240 samples per frame, values in [-1, 1].
    const Tensor out = v.forward(Tensor::zeros({2, 2, 3, 64}));
    EXPECT_EQ(out.shape(), (Shape{2, 2, 720}));
}

TEST(VocoderWeights, WrongShapeNamesTensor) {
    const WeightStore store = WeightStore::open(kModel, "vocoder.");
    VocoderConfig c = parse_vocoder_config(store.config(), store.describe());
    c.vocoder.upsample_initial_channel = 64;
    expect_error([&] { Vocoder::load(store, c); }, {"conv_pre.weight", "(32, 128, 7)", "(64, 128, 7)"});
}

// The real LTX-2 19B layout (from the manifest) as a sparse file: every tensor is loaded.
TEST(VocoderWeights, FullSizeManifest) {
    TempDir dir("ltx2-voc");
    const auto [path, count] = ltx2::test::write_manifest_checkpoint("vocoder.json", dir);
    ASSERT_EQ(count, 194u);
    const WeightStore store = WeightStore::open(path, "vocoder.");
    const Vocoder v = Vocoder::load(store);
    EXPECT_EQ(v.config().vocoder.upsample_initial_channel, 1024);
    EXPECT_EQ(v.output_sample_rate(), 24000);  // absent: the reference default
    EXPECT_EQ(v.upsample_factor(), 240);
    EXPECT_EQ(v.weights().tensor_count, 194u);
    EXPECT_EQ(v.weights().vocoder.resblocks.size(), 15u);
    EXPECT_TRUE(v.weights().bf16);
    EXPECT_EQ(v.weights().vocoder.conv_pre.weight.shape(), (Shape{1024, 128, 7}));
    EXPECT_EQ(v.weights().vocoder.conv_post.weight.shape(), (Shape{2, 32, 7}));
    EXPECT_TRUE(store.unused_names().empty());
    EXPECT_EQ(store.names().size(), 194u);
}

// A copy of a model file with one more tensor than the model uses.
TEST(VocoderWeights, UnusedTensorIsRefused) {
    TempDir dir("ltx2-voc-extra");
    const auto f = SafetensorsFile::open(kModel);
    std::vector<std::pair<std::string, Tensor>> tensors;
    for (const TensorEntry& e : f->entries()) tensors.emplace_back(e.name, f->tensor(e.name));
    tensors.emplace_back("vocoder.resblocks.99.convs1.0.weight", Tensor::zeros({2, 2, 3}));
    const std::string path = dir.file("extra.safetensors");
    write_safetensors(path, tensors, {{"config", *f->metadata_value("config")}});
    expect_error([&] { Vocoder::load(WeightStore::open(path, "vocoder.")); },
                 {"extra.safetensors", "1 unexpected tensor", "resblocks.99.convs1.0.weight"});
}

// ---- LTX-2.3: BigVGAN v2 + bandwidth extension -------------------------------------------------

namespace {

const std::string kBweModel = kGolden + "/ltx23/vocoder/vocoder_bwe.model.safetensors";

json bwe_config() {
    const auto f = SafetensorsFile::open(kBweModel);
    return json::parse(*f->metadata_value("config"));
}

}  // namespace

// out.waveform, the 16 kHz waveform, the BWE mel / residual / skip / filter and both generators' taps.
TEST(VocoderBweParity, Forward) {
    ltx2::test::expect_fixture_passes("ltx23/vocoder", "vocoder_bwe.io.safetensors", parity_vocoder_forward, 23);
}

TEST(VocoderBweConfig, ParsesNestedSections) {
    const VocoderConfig c = parse_vocoder_config(bwe_config(), "f");
    ASSERT_TRUE(c.bwe.has_value());
    EXPECT_EQ(c.vocoder.resblock, VocoderResBlock::Amp1);
    EXPECT_EQ(c.vocoder.upsample_factor(), 160);
    EXPECT_EQ(c.vocoder.output_sample_rate, 16000);
    EXPECT_TRUE(c.vocoder.apply_final_activation);
    EXPECT_FALSE(c.vocoder.use_tanh_at_final);
    EXPECT_FALSE(c.vocoder.use_bias_at_final);
    EXPECT_FALSE(c.bwe->generator.apply_final_activation);
    EXPECT_EQ(c.bwe->generator.upsample_factor(), 240);
    EXPECT_EQ(c.bwe->ratio(), 3);
    EXPECT_EQ(c.upsample_factor(), 480);
    EXPECT_EQ(c.output_sample_rate(), 48000);
}

TEST(VocoderBweConfig, UnknownKeysAreRefusedNamingThem) {
    for (const char* where : {"", "vocoder", "bwe"}) {
        json c = bwe_config();
        json& section = std::string(where).empty() ? c["vocoder"] : c["vocoder"][where];
        section["snake_logscale"] = false;
        const std::string key = std::string("vocoder.") + (std::string(where).empty() ? "" : std::string(where) + ".") +
                                "snake_logscale";
        expect_error([&] { parse_vocoder_config(c, "f.st"); }, {"f.st", "unknown config key", "'" + key + "'"});
    }
}

TEST(VocoderBweConfig, UnsupportedValuesNameTheKey) {
    auto with = [](const std::string& section, const std::string& key, const json& value) {
        json c = bwe_config();
        if (value.is_null()) c["vocoder"][section].erase(key);
        else c["vocoder"][section][key] = value;
        return c;
    };
    expect_error([&] { parse_vocoder_config(with("vocoder", "resblock", "1"), "f"); },
                 {"'vocoder.vocoder.resblock'", "\"1\"", "\"AMP1\""});
    expect_error([&] { parse_vocoder_config(with("bwe", "activation", "snake"), "f"); },
                 {"'vocoder.bwe.activation'", "\"snake\"", "\"snakebeta\""});
    expect_error([&] { parse_vocoder_config(with("bwe", "stereo", false), "f"); }, {"'vocoder.bwe.stereo'", "stereo"});
    expect_error([&] { parse_vocoder_config(with("bwe", "hop_length", nullptr), "f"); },
                 {"'vocoder.bwe.hop_length'", "missing"});
    expect_error([&] { parse_vocoder_config(with("bwe", "num_mels", 80), "f"); }, {"'vocoder.bwe.num_mels'", "80", "64"});
    expect_error([&] { parse_vocoder_config(with("bwe", "hop_length", 160), "f"); },
                 {"'vocoder.bwe.upsample_rates'", "240", "480"});
    expect_error([&] { parse_vocoder_config(with("vocoder", "resblock_kernel_sizes", json::array({3, 8, 11})), "f"); },
                 {"'vocoder.vocoder.resblock_kernel_sizes[1]'", "odd"});
}

// 160 samples per mel frame at 16 kHz, then x3: 480 per frame at 48 kHz, for any frame count.
TEST(VocoderBwe, OutputLengthAndRate) {
    const Vocoder v = Vocoder::load(WeightStore::open(kBweModel, "vocoder."));
    EXPECT_EQ(v.output_sample_rate(), 48000);
    EXPECT_EQ(v.upsample_factor(), 480);
    EXPECT_EQ(v.weights().tensor_count, 1226u);  // every tensor but the unused inverse STFT basis
    for (int64_t frames : {1, 7}) {
        const Tensor out = v.forward(Tensor::zeros({1, 2, frames, 64}));
        EXPECT_EQ(out.shape(), (Shape{1, 2, frames * 480}));
        float peak = 0.f;
        for (float s : out.to_vector()) peak = std::max(peak, std::abs(s));
        EXPECT_LE(peak, 1.f);
    }
    expect_error([&] { v.forward(Tensor::zeros({1, 16, 64})); }, {"vocoder", "(1, 16, 64)", "(batch, 2, frames, 64)"});
}

// The real LTX-2.3 layout (from the manifest) as a sparse file: every tensor is loaded.
TEST(VocoderBweWeights, FullSizeManifest) {
    TempDir dir("ltx2-voc23");
    std::ifstream in(kGolden + "/ltx23/manifest/vocoder.json");
    ASSERT_TRUE(in);
    const json m = json::parse(in);
    const std::vector<TensorEntry> entries = ltx2::test::manifest_entries(m.at("tensors"));
    const size_t count = entries.size();
    const std::string path = dir.file("vocoder23.sparse.safetensors");
    write_sparse_safetensors(path, entries, {{"config", m.at("config_metadata").dump()}});
    const WeightStore store = WeightStore::open(path, "vocoder.");
    const Vocoder v = Vocoder::load(store);
    EXPECT_EQ(v.config().vocoder.upsample_initial_channel, 1536);
    EXPECT_EQ(v.config().bwe->generator.upsample_initial_channel, 512);
    EXPECT_EQ(v.output_sample_rate(), 48000);
    EXPECT_EQ(v.weights().tensor_count + 1, count);
    EXPECT_EQ(v.weights().vocoder.conv_pre.weight.shape(), (Shape{1536, 128, 7}));
    EXPECT_EQ(v.weights().stft_forward_basis.shape(), (Shape{514, 1, 512}));
    EXPECT_TRUE(store.unused_names().empty());
}
