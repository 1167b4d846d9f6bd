// The LTX-2 vocoder: golden parity, config and input errors, and the full-size layout.
#include <gtest/gtest.h>

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
    EXPECT_EQ(c.upsample_initial_channel, 32);
    EXPECT_EQ(c.upsample_factor(), 240);
    EXPECT_EQ(c.output_sample_rate, 24000);
    EXPECT_EQ(c.in_channels(), 128);
    EXPECT_EQ(c.stage_channels(5), 1);

    const VocoderConfig d = parse_vocoder_config(json::object(), "x");
    EXPECT_EQ(d.upsample_initial_channel, 1024);
    EXPECT_EQ(d.output_sample_rate, 24000);
    EXPECT_TRUE(d.stereo);
    EXPECT_EQ(d.resblock, VocoderResBlock::Type1);
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
                 {"f.st", "'vocoder'", "JSON object"});
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
    c.upsample_initial_channel = 64;
    expect_error([&] { Vocoder::load(store, c); }, {"conv_pre.weight", "(32, 128, 7)", "(64, 128, 7)"});
}

// The real LTX-2 19B layout (from the manifest) as a sparse file: every tensor is loaded.
TEST(VocoderWeights, FullSizeManifest) {
    TempDir dir("ltx2-voc");
    const auto [path, count] = ltx2::test::write_manifest_checkpoint("vocoder.json", dir);
    ASSERT_EQ(count, 194u);
    const WeightStore store = WeightStore::open(path, "vocoder.");
    const Vocoder v = Vocoder::load(store);
    EXPECT_EQ(v.config().upsample_initial_channel, 1024);
    EXPECT_EQ(v.config().output_sample_rate, 24000);  // absent: the reference default
    EXPECT_EQ(v.upsample_factor(), 240);
    EXPECT_EQ(v.weights().tensor_count, 194u);
    EXPECT_EQ(v.weights().resblocks.size(), 15u);
    EXPECT_TRUE(v.weights().bf16);
    EXPECT_EQ(v.weights().conv_pre.weight.shape(), (Shape{1024, 128, 7}));
    EXPECT_EQ(v.weights().conv_post.weight.shape(), (Shape{2, 32, 7}));
    EXPECT_TRUE(store.unused_names().empty());
    EXPECT_EQ(store.names().size(), 194u);
}
