// LTX-2.5's duration head: golden parity (seconds, pooled state, frame counts for several
// clamping ranges), the frame-count arithmetic by hand, load refusals, the full-size structure.
#include "test_util.h"
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "io/safetensors.h"
#include "io/weight_store.h"
#include "models/duration_head/duration_head.h"
#include "parity/kinds.h"

using namespace ltx2;
using ltx2::test::TempDir;
using ltx2::test::expect_error;
using nlohmann::json;

namespace {

const std::string kDir = std::string(LTX2_GOLDEN_DIR) + "/ltx25/duration_head/";

// The tiny head rewritten with `edit` applied to its config and tensors added.
std::string edited_head(const TempDir& dir, const json& config_edit,
                        const std::vector<std::pair<std::string, Tensor>>& add = {},
                        const std::vector<std::string>& drop = {}) {
    auto f = SafetensorsFile::open(kDir + "duration_head.model.safetensors");
    std::vector<std::pair<std::string, Tensor>> tensors;
    for (const auto& e : f->entries())
        if (std::find(drop.begin(), drop.end(), e.name) == drop.end()) tensors.emplace_back(e.name, f->tensor(e.name));
    for (const auto& a : add) tensors.push_back(a);
    json config = json::parse(*f->metadata_value("config"));
    config.merge_patch(config_edit);
    const std::string path = dir.file("head.safetensors");
    write_safetensors(path, tensors, {{"config", config.dump()}, {"model_version", "2.5.0"}});
    return path;
}

DurationHead load(const std::string& path) { return DurationHead::load(WeightStore::open(path, "duration_head.")); }

}  // namespace

TEST(DurationHead, GoldenFixture) {
    test::expect_fixture_passes("ltx25/duration_head", "duration_head.io.safetensors", parity_ltx25_duration_head, 18);
}

TEST(DurationHead, FramesFromSecondsLikeTheReference) {
    EXPECT_EQ(duration_to_num_frames(5.0, 24, 1, 20), 113);    // 120 frames → 8k + 1 below
    EXPECT_EQ(duration_to_num_frames(0.1, 24, 5, 20), 121);    // clamped up to 120, snapped up past it
    EXPECT_EQ(duration_to_num_frames(100.0, 24, 1, 2), 41);    // clamped to 48, snapped down
    EXPECT_EQ(duration_to_num_frames(24.5, 1, 1, 100), 17);    // round(24.5) = 24 (half to even)
    EXPECT_EQ(duration_to_num_frames(25.5, 1, 1, 100), 25);    // round(25.5) = 26
    EXPECT_EQ(duration_to_num_frames(1.0, 24, 1.0, 1.1), 25);  // min 24 → 17 < 24 → 25 (<= max 26)
    expect_error([] { duration_to_num_frames(3, 0, 1, 20); }, {"frame rate must be > 0"});
    expect_error([] { duration_to_num_frames(3, 24, 5, 2); }, {"[5, 2]", "not a valid range"});
}

TEST(DurationHead, RefusesWhatItDoesNotRead) {
    TempDir dir("ltx2-dh");
    expect_error([&] { load(edited_head(dir, {{"duration_head", {{"num_layers", 2}}}})); },
                 {"head.safetensors", "duration_head.num_layers"});
    expect_error([&] { load(edited_head(dir, json::object(), {{"duration_head.extra.weight", Tensor::zeros({2})}})); },
                 {"head.safetensors", "unexpected", "duration head", "extra.weight"});
    expect_error([&] { load(edited_head(dir, json::object(), {}, {"duration_head.mlp_out.bias"})); },
                 {"head.safetensors", "mlp_out.bias"});
    expect_error([&] { load(edited_head(dir, {{"transformer", {{"cross_attention_dim", 48}}}})); },
                 {"head.safetensors", "video_input_proj.weight"});
    const DurationHead head = load(kDir + "duration_head.model.safetensors");
    expect_error([&] { head.forward(Tensor(), Tensor()); }, {"needs the video or the audio"});
    expect_error([&] { head.forward(Tensor::zeros({1, 3, 7}), Tensor()); }, {"video tokens", "(1, 3, 7)", "(B, T, 64)"});
}

TEST(DurationHead, FullSizeManifest) {
    const json m = json::parse(std::ifstream(std::string(LTX2_GOLDEN_DIR) + "/ltx25/manifest/duration_head.json"));
    TempDir dir("ltx2-dh");
    const std::string path = dir.file("ltx-2.5-duration-head.safetensors");
    write_sparse_safetensors(path, ltx2::test::manifest_entries(m.at("tensors")),
                             {{"config", json{{"transformer", m.at("config_metadata").at("transformer")}}.dump()},
                              {"model_version", "2.5.0"}});
    EXPECT_TRUE(DurationHead::present(path));
    const DurationHead head = load(path);
    EXPECT_EQ(head.config().video_dim, 4096);
    EXPECT_EQ(head.config().audio_dim, 2048);
    EXPECT_EQ(head.config().pooler_hidden_dim, 256);
    const std::string other = std::string(LTX2_GOLDEN_DIR) + "/ltx25/transformer/video_only_tiny.model.safetensors";
    EXPECT_FALSE(DurationHead::present(other));
}
