// The LTX-2.3 (22B) transformer: golden parity of every fixture (through the same code path as
// ltx2-parity), version / config / weight refusals, the sigma-aware text K/V cache, and the
// full-size 22B structure.
#include "test_util.h"
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/error.h"
#include "io/safetensors.h"
#include "io/weight_store.h"
#include "models/transformer/model.h"
#include "parity/parity.h"

using namespace ltx2;
using ltx2::test::TempDir;
using ltx2::test::expect_error;
using nlohmann::json;

namespace {

const std::string kPrefix = "model.diffusion_model.";
const std::string kDir = std::string(LTX2_GOLDEN_DIR) + "/ltx23/transformer/";

size_t run_fixture(const std::string& name) {
    return ltx2::test::run_fixture_by_kind(kDir + name + ".io.safetensors", "ltx23.transformer.x0");
}

// A tiny 2.3 model rewritten (see test::write_edited_model).
std::string edited_model(const TempDir& dir, const std::string& model, const std::map<std::string, std::string>& meta,
                         const json& config_edits, const std::vector<std::pair<std::string, Tensor>>& add = {}) {
    const std::string path = dir.file("edited.safetensors");
    ltx2::test::write_edited_model(kDir + model + ".model.safetensors", path, meta, config_edits, add);
    return path;
}

struct Inputs {
    Modality video, audio;
};

Inputs read_inputs(const std::string& fixture) {
    auto io = SafetensorsFile::open(kDir + fixture + ".io.safetensors");
    auto modality = [&](const std::string& s) {
        Modality m;
        m.latent = io->tensor("in." + s + "_latent");
        m.timesteps = io->tensor("in." + s + "_timesteps");
        m.positions = io->tensor("in." + s + "_positions");
        m.context = io->tensor("in." + s + "_context");
        m.sigma = io->tensor("in." + s + "_sigma");
        if (io->has("in." + s + "_context_mask")) m.context_mask = io->tensor("in." + s + "_context_mask");
        return m;
    };
    return {modality("video"), modality("audio")};
}

// The same modality at another per-sample sigma (timesteps = denoise mask · sigma).
Modality at_sigma(const Modality& m, const std::vector<float>& sigma, const Tensor& denoise_mask) {
    Modality out = m;
    const int64_t b = m.latent.size(0), t = m.latent.size(1);
    out.sigma = Tensor::from_f32({b}, sigma);
    std::vector<float> ts = denoise_mask.to_vector();
    for (int64_t i = 0; i < b; ++i)
        for (int64_t j = 0; j < t; ++j) ts[size_t(i * t + j)] *= sigma[size_t(i)];
    out.timesteps = Tensor::from_f32({b, t, 1}, ts);
    return out;
}

void expect_same(const AVTensors& a, const AVTensors& b) {
    EXPECT_EQ(a.video.to_vector(), b.video.to_vector());
    EXPECT_EQ(a.audio.to_vector(), b.audio.to_vector());
}

}  // namespace

TEST(TransformerLtx23Parity, AvTiny) { EXPECT_GE(run_fixture("av_tiny"), 28u); }  // 7 cases × 4 outputs
TEST(TransformerLtx23Parity, AvTinyContextMask) { EXPECT_GE(run_fixture("av_tiny_ctxmask"), 4u); }
TEST(TransformerLtx23Parity, AvTinyAttentionMask) { EXPECT_GE(run_fixture("av_tiny_attnmask"), 4u); }
TEST(TransformerLtx23Parity, VideoOnlyTiny) { EXPECT_GE(run_fixture("video_only_tiny"), 2u); }
TEST(TransformerLtx23Parity, AvTinyBf16) { EXPECT_GE(run_fixture("av_tiny_bf16"), 4u); }

TEST(TransformerLtx23, LoadsWithTheFlagsOfTheRelease) {
    const LTXModel model = LTXModel::load(WeightStore::open(kDir + "av_tiny.model.safetensors", kPrefix));
    const TransformerConfig& c = model.config();
    EXPECT_TRUE(c.semantics.is_ltx23());
    EXPECT_TRUE(c.text_kv_depends_on_sigma());
    EXPECT_FALSE(c.caption_projection);
    EXPECT_EQ(model.weights().tensor_count, 230u);
    EXPECT_EQ(model.weights().blocks[1].audio.scale_shift_table.shape(), (Shape{9, 32}));
    EXPECT_EQ(model.weights().blocks[1].audio.prompt_scale_shift_table.shape(), (Shape{2, 32}));
    EXPECT_EQ(model.weights().audio.prompt_adaln.linear.weight.shape(), (Shape{64, 32}));
}

TEST(TransformerLtx23, RefusesOtherModelVersions) {
    TempDir dir("ltx2-tf23");
    const std::string path = edited_model(dir, "video_only_tiny", {{"model_version", "2.6.0"}}, json::object());
    expect_error([&] { LTXModel::load(WeightStore::open(path, kPrefix)); },
                 {"edited.safetensors", "\"2.6.0\" is not supported", "LTX-2 (19B", "2.3", "2.5"});
}

TEST(TransformerLtx23, RefusesUnknownConfigKey) {
    TempDir dir("ltx2-tf23");
    const std::string path = edited_model(dir, "av_tiny", {}, {{"prompt_adaln_mode", "sigma"}});
    expect_error([&] { LTXModel::load(WeightStore::open(path, kPrefix)); }, {"edited.safetensors", "prompt_adaln_mode"});
}

TEST(TransformerLtx23, RefusesTensorsTheFlagsDoNotUse) {
    TempDir dir("ltx2-tf23");
    // Without the prompt AdaLN MLP its weights belong to no module.
    std::string path = edited_model(dir, "av_tiny", {}, {{"use_prompt_adaln_single", false}});
    expect_error([&] { LTXModel::load(WeightStore::open(path, kPrefix)); },
                 {"edited.safetensors", "unexpected", "prompt_adaln_single"});
    // Without feed-forward biases the stored ones are refused.
    path = edited_model(dir, "video_only_tiny", {}, {{"ff_bias", false}});
    expect_error([&] { LTXModel::load(WeightStore::open(path, kPrefix)); },
                 {"edited.safetensors", "unexpected", "ff.net.0.proj.bias"});
    // A caption projection the config does not build.
    path = edited_model(dir, "video_only_tiny", {}, json::object(),
                        {{kPrefix + "caption_projection.linear_1.weight", Tensor::zeros({64, 16})}});
    expect_error([&] { LTXModel::load(WeightStore::open(path, kPrefix)); },
                 {"edited.safetensors", "unexpected", "caption_projection.linear_1.weight"});
}

TEST(TransformerLtx23, RequiresSigma) {
    const LTXModel model = LTXModel::load(WeightStore::open(kDir + "av_tiny.model.safetensors", kPrefix));
    Inputs in = read_inputs("av_tiny");
    in.audio.sigma = Tensor();
    expect_error([&] { model.forward(&in.video, &in.audio); }, {"audio input", "sigma", "LTX-2.3"});
    expect_error([&] { model.prepare_text(&in.video, &in.audio); }, {"audio input", "sigma"});
}

// The text K/V depend on sigma through the prompt AdaLN: a cache is used only at the sigma it
// was built with, where it is exact.
TEST(TransformerLtx23, CachedTextKVIsExactAtItsSigma) {
    const LTXModel model = LTXModel::load(WeightStore::open(kDir + "av_tiny.model.safetensors", kPrefix));
    const Inputs in = read_inputs("av_tiny_ctxmask");  // per-sample sigma [0.9, 0.3], context masks
    const AVTensors plain = model.forward(&in.video, &in.audio);
    TextContextCache cache = model.prepare_text(&in.video, &in.audio);
    ASSERT_EQ(cache.video.blocks.size(), 2u);
    EXPECT_EQ(cache.video.kv_sigma, in.video.sigma.to_vector());
    expect_same(model.forward(&in.video, &in.audio, {}, &cache), plain);

    // Proof the cache's K/V are what that step used: spoiled, the output changes.
    for (AttentionKV& kv : cache.video.blocks) kv.v = Tensor::zeros(kv.v.shape());
    const AVTensors spoiled = model.forward(&in.video, &in.audio, {}, &cache);
    EXPECT_NE(spoiled.video.to_vector(), plain.video.to_vector());
}

TEST(TransformerLtx23, StaleSigmaCacheIsNotUsed) {
    const LTXModel model = LTXModel::load(WeightStore::open(kDir + "av_tiny.model.safetensors", kPrefix));
    auto io = SafetensorsFile::open(kDir + "av_tiny_ctxmask.io.safetensors");
    const Inputs in = read_inputs("av_tiny_ctxmask");
    TextContextCache cache = model.prepare_text(&in.video, &in.audio);
    // Spoil the K/V: if a step at another sigma read them, its output would differ.
    for (AttentionKV& kv : cache.video.blocks) kv.v = Tensor::zeros(kv.v.shape());
    for (AttentionKV& kv : cache.audio.blocks) kv.v = Tensor::zeros(kv.v.shape());

    for (const std::vector<float>& sigma : {std::vector<float>{0.5f, 0.3f}, std::vector<float>{0.4f, 0.1f}}) {
        const Modality v = at_sigma(in.video, sigma, io->tensor("in.video_denoise_mask"));
        const Modality a = at_sigma(in.audio, sigma, io->tensor("in.audio_denoise_mask"));
        const AVTensors uncached = model.forward(&v, &a);
        expect_same(model.forward(&v, &a, {}, &cache), uncached);
        EXPECT_NE(uncached.video.to_vector(), model.forward(&in.video, &in.audio).video.to_vector());
    }
}

TEST(TransformerLtx23, SigmaIndependentKVAreCachedAcrossSigmas) {
    // Without the prompt AdaLN MLP only the static tables modulate K/V: one cache serves every sigma.
    TempDir dir("ltx2-tf23");
    auto f = SafetensorsFile::open(kDir + "av_tiny.model.safetensors");
    std::vector<std::pair<std::string, Tensor>> tensors;
    for (const auto& e : f->entries())
        if (e.name.find("prompt_adaln_single.") == std::string::npos) tensors.emplace_back(e.name, f->tensor(e.name));
    json config = json::parse(*f->metadata_value("config"));
    config["transformer"]["use_prompt_adaln_single"] = false;
    const std::string path = dir.file("static_kv.safetensors");
    write_safetensors(path, tensors, {{"config", config.dump()}, {"model_version", "2.3.0"}});
    const LTXModel model = LTXModel::load(WeightStore::open(path, kPrefix));
    EXPECT_FALSE(model.config().text_kv_depends_on_sigma());

    auto io = SafetensorsFile::open(kDir + "av_tiny_ctxmask.io.safetensors");
    const Inputs in = read_inputs("av_tiny_ctxmask");
    const TextContextCache cache = model.prepare_text(&in.video, &in.audio);
    EXPECT_TRUE(cache.video.kv_sigma.empty());
    const Modality v = at_sigma(in.video, {0.5f, 0.2f}, io->tensor("in.video_denoise_mask"));
    const Modality a = at_sigma(in.audio, {0.5f, 0.2f}, io->tensor("in.audio_denoise_mask"));
    expect_same(model.forward(&v, &a, {}, &cache), model.forward(&v, &a));
}

// The real 22B layout (from the manifest) as a sparse file, with the text connectors that share
// its prefix: every transformer tensor maps to a module, the connectors are left to the text encoder.
TEST(TransformerLtx23, FullSizeManifest) {
    const std::string manifests = std::string(LTX2_GOLDEN_DIR) + "/ltx23/manifest/";
    const json m = json::parse(std::ifstream(manifests + "transformer.json"));
    const json connectors = json::parse(std::ifstream(manifests + "text_connectors.json"));
    std::vector<TensorEntry> entries = ltx2::test::manifest_entries(m.at("tensors"));
    size_t foreign = 0;
    for (TensorEntry& e : ltx2::test::manifest_entries(connectors.at("tensors")))
        if (e.name.rfind(kPrefix, 0) == 0) {
            entries.push_back(std::move(e));
            ++foreign;
        }
    ASSERT_EQ(m.at("tensors").size(), 4186u);
    ASSERT_GT(foreign, 0u);
    TempDir dir("ltx2-tf23");
    const std::string path = dir.file("ltx23.sparse.safetensors");
    write_sparse_safetensors(path, entries,
                             {{"config", m.at("config_metadata").dump()},
                              {"model_version", m.at("model_version").get<std::string>()}});

    const WeightStore store = WeightStore::open(path, kPrefix);
    const LTXModel model = LTXModel::load(store);
    const TransformerConfig& c = model.config();
    EXPECT_TRUE(c.semantics.is_ltx23());
    EXPECT_TRUE(c.semantics.av_gate_from_other_sigma);
    EXPECT_EQ(c.type, TransformerType::AudioVideo);
    EXPECT_EQ(c.num_layers, 48);
    EXPECT_EQ(c.video.dim(), 4096);
    EXPECT_EQ(c.audio.dim(), 2048);
    EXPECT_TRUE(c.gated_attention);
    EXPECT_TRUE(c.cross_attention_adaln);
    EXPECT_FALSE(c.caption_projection);
    EXPECT_EQ(model.weights().tensor_count, 4186u);
    EXPECT_TRUE(model.bf16());
    const BlockWeights& last = model.weights().blocks.back();
    EXPECT_EQ(last.video.scale_shift_table.shape(), (Shape{9, 4096}));
    EXPECT_EQ(last.audio.prompt_scale_shift_table.shape(), (Shape{2, 2048}));
    EXPECT_EQ(last.audio_to_video_attn.to_gate_logits.weight.shape(), (Shape{32, 4096}));
    EXPECT_EQ(model.weights().video.prompt_adaln.linear.weight.shape(), (Shape{8192, 4096}));
    EXPECT_FALSE(model.weights().video.caption_projection.linear_1.weight.defined());
    const std::vector<std::string> unused = store.unused_names();
    EXPECT_EQ(unused.size(), foreign);
    for (const auto& n : unused)
        EXPECT_TRUE(n.rfind("video_embeddings_connector.", 0) == 0 || n.rfind("audio_embeddings_connector.", 0) == 0) << n;
}
