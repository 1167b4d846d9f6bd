// The LTX-2.5 (22B) transformer: the 2.3 code path with a bias-free video feed-forward and the
// keyframe embedding. Golden parity of every fixture (kind ltx23.transformer.x0, with the
// optional in.video_keyframes_mask), flag / tensor refusals, the full-size 2.5 structure.
#include "test_util.h"
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/error.h"
#include "io/safetensors.h"
#include "io/weight_store.h"
#include "models/transformer/model.h"

using namespace ltx2;
using ltx2::test::TempDir;
using ltx2::test::expect_error;
using nlohmann::json;

namespace {

const std::string kPrefix = "model.diffusion_model.";
const std::string kDir = std::string(LTX2_GOLDEN_DIR) + "/ltx25/transformer/";

size_t run_fixture(const std::string& name) {
    return ltx2::test::run_fixture_by_kind(kDir + name + ".io.safetensors", "ltx23.transformer.x0");
}

std::string edited_model(const TempDir& dir, const std::string& model, const json& config_edits,
                         const std::vector<std::pair<std::string, Tensor>>& add = {},
                         const std::vector<std::string>& drop = {}) {
    const std::string path = dir.file("edited25.safetensors");
    ltx2::test::write_edited_model(kDir + model + ".model.safetensors", path, {}, config_edits, add, drop);
    return path;
}

}  // namespace

// av_tiny: 8 cases (no_keyframes_mask included, which differs from the main output by ~12 % of
// its max) × 4 outputs.
TEST(TransformerLtx25Parity, AvTiny) { EXPECT_GE(run_fixture("av_tiny"), 32u); }
TEST(TransformerLtx25Parity, AvTinyContextMask) { EXPECT_GE(run_fixture("av_tiny_ctxmask"), 4u); }
TEST(TransformerLtx25Parity, AvTinyAttentionMask) { EXPECT_GE(run_fixture("av_tiny_attnmask"), 4u); }
TEST(TransformerLtx25Parity, VideoOnlyTiny) { EXPECT_GE(run_fixture("video_only_tiny"), 2u); }
TEST(TransformerLtx25Parity, AvTinyBf16) { EXPECT_GE(run_fixture("av_tiny_bf16"), 4u); }

TEST(TransformerLtx25, LoadsWithTheFlagsOfTheRelease) {
    const LTXModel model = LTXModel::load(WeightStore::open(kDir + "av_tiny.model.safetensors", kPrefix));
    const TransformerConfig& c = model.config();
    EXPECT_EQ(c.semantics.generation, ModelGeneration::Ltx2_5);
    EXPECT_TRUE(c.semantics.is_ltx23());
    EXPECT_TRUE(c.keyframes_embedding);
    EXPECT_FALSE(c.video.ff_bias);
    EXPECT_TRUE(c.audio.ff_bias);
    EXPECT_EQ(model.weights().tensor_count, 227u);
    EXPECT_EQ(model.weights().video.keyframes_embedding.shape(), (Shape{1, 64}));
    EXPECT_FALSE(model.weights().audio.keyframes_embedding.defined());
}

// The keyframe embedding only reaches marked tokens: a mask of zeros is the same as no mask.
TEST(TransformerLtx25, AnEmptyKeyframesMaskAddsNothing) {
    const LTXModel model = LTXModel::load(WeightStore::open(kDir + "video_only_tiny.model.safetensors", kPrefix));
    auto io = SafetensorsFile::open(kDir + "video_only_tiny.io.safetensors");
    Modality video;
    video.latent = io->tensor("in.video_latent");
    video.timesteps = io->tensor("in.video_timesteps");
    video.positions = io->tensor("in.video_positions");
    video.context = io->tensor("in.video_context");
    video.sigma = io->tensor("in.video_sigma");
    const Tensor none = model.forward(&video, nullptr).video;
    video.keyframes_mask = Tensor::zeros({video.latent.size(0), video.latent.size(1), 1});
    EXPECT_EQ(ltx2::test::max_abs_diff(model.forward(&video, nullptr).video, none), 0.0);
    video.keyframes_mask = io->tensor("in.video_keyframes_mask");
    EXPECT_GT(ltx2::test::max_abs_diff(model.forward(&video, nullptr).video, none), 1e-3);
    video.keyframes_mask = Tensor::zeros({1, 3, 1});
    expect_error([&] { model.forward(&video, nullptr); }, {"video input", "keyframes_mask has shape (1, 3, 1)"});
}

TEST(TransformerLtx25, RefusesTensorsAndFlagsThatDisagree) {
    TempDir dir("ltx2-tf25");
    const std::string embedding = kPrefix + "keyframes_abs_pos_embedding";
    // The flag without its parameter, and the parameter without its flag.
    std::string path = edited_model(dir, "video_only_tiny", json::object(), {}, {embedding});
    expect_error([&] { LTXModel::load(WeightStore::open(path, kPrefix)); },
                 {"edited25.safetensors", "keyframes_abs_pos_embedding"});
    path = edited_model(dir, "video_only_tiny", {{"use_keyframes_abs_pos_embedding", false}});
    expect_error([&] { LTXModel::load(WeightStore::open(path, kPrefix)); },
                 {"edited25.safetensors", "unexpected", "keyframes_abs_pos_embedding"});
    // Video feed-forward biases are required unless ff_bias is false.
    path = edited_model(dir, "video_only_tiny", {{"ff_bias", true}});
    expect_error([&] { LTXModel::load(WeightStore::open(path, kPrefix)); },
                 {"edited25.safetensors", "ff.net.0.proj.bias"});
}

TEST(TransformerLtx25, FullSizeManifest) {
    const json m = json::parse(std::ifstream(std::string(LTX2_GOLDEN_DIR) + "/ltx25/manifest/transformer.json"));
    ASSERT_EQ(m.at("tensors").size(), 4091u);
    TempDir dir("ltx2-tf25");
    const std::string path = dir.file("ltx25.sparse.safetensors");
    write_sparse_safetensors(path, ltx2::test::manifest_entries(m.at("tensors")),
                             {{"config", m.at("config_metadata").dump()},
                              {"model_version", m.at("model_version").get<std::string>()},
                              {"gemma_source_checkpoint", m.at("gemma_source_checkpoint").dump()}});
    const WeightStore store = WeightStore::open(path, kPrefix);
    const LTXModel model = LTXModel::load(store);
    const TransformerConfig& c = model.config();
    EXPECT_EQ(c.semantics.generation, ModelGeneration::Ltx2_5);
    EXPECT_EQ(c.num_layers, 48);
    EXPECT_EQ(c.video.dim(), 4096);
    EXPECT_EQ(c.audio.dim(), 2048);
    EXPECT_FALSE(c.video.ff_bias);
    EXPECT_TRUE(c.audio.ff_bias);
    EXPECT_EQ(model.weights().tensor_count, 4091u);
    EXPECT_EQ(model.weights().video.keyframes_embedding.shape(), (Shape{1, 4096}));
    EXPECT_FALSE(model.weights().blocks.back().video.ff.proj_in.bias.defined());
    EXPECT_TRUE(model.weights().blocks.back().audio.ff.proj_in.bias.defined());
    EXPECT_TRUE(store.unused_names().empty());
}
