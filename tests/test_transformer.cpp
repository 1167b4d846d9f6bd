// The LTX-2 transformer: golden parity of every fixture (through the same code path as
// ltx2-parity), config and weight-loading errors, and the full-size 19B structure.
#include "test_util.h"
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/error.h"
#include "io/safetensors.h"
#include "io/weight_store.h"
#include "models/transformer/config.h"
#include "models/transformer/model.h"
#include "models/transformer/modulation.h"
#include "ops/elementwise.h"
#include "ops/rows.h"
#include "parity/parity.h"
#include "test_kernels_util.h"

namespace fs = std::filesystem;
using namespace ltx2;
using ltx2::test::TempDir;
using ltx2::test::expect_error;
using nlohmann::json;

namespace {

const std::string kPrefix = "model.diffusion_model.";
const std::string kGolden = LTX2_GOLDEN_DIR;

size_t run_fixture(const std::string& name) {
    return ltx2::test::run_fixture_by_kind(kGolden + "/transformer/" + name + ".io.safetensors");
}

json tiny_config() {
    auto f = SafetensorsFile::open(kGolden + "/transformer/av_tiny.model.safetensors");
    return json::parse(*f->metadata_value("config"));
}

// The video-only tiny model rewritten with edits: tensors dropped, replaced or added.
std::string edited_model(const TempDir& dir, const std::string& drop, const std::vector<std::pair<std::string, Tensor>>& add) {
    auto f = SafetensorsFile::open(kGolden + "/transformer/video_only_tiny.model.safetensors");
    std::vector<std::pair<std::string, Tensor>> tensors;
    for (const auto& e : f->entries()) {
        bool replaced = false;
        for (const auto& a : add) replaced = replaced || a.first == e.name;
        if (e.name != drop && !replaced) tensors.emplace_back(e.name, f->tensor(e.name));
    }
    for (const auto& a : add) tensors.push_back(a);
    const std::string path = dir.file("edited.safetensors");
    write_safetensors(path, tensors, {{"config", *f->metadata_value("config")}});
    return path;
}

}  // namespace

TEST(TransformerParity, AvTiny) { EXPECT_GE(run_fixture("av_tiny"), 24u); }          // 6 cases × 4 outputs
TEST(TransformerParity, AvTinyContextMask) { EXPECT_GE(run_fixture("av_tiny_ctxmask"), 4u); }
TEST(TransformerParity, VideoOnlyTiny) { EXPECT_GE(run_fixture("video_only_tiny"), 2u); }
TEST(TransformerParity, AvTinyBf16) { EXPECT_GE(run_fixture("av_tiny_bf16"), 4u); }

TEST(TransformerParity, CachedTextContextIsExact) {
    const WeightStore store = WeightStore::open(kGolden + "/transformer/av_tiny.model.safetensors", kPrefix);
    const LTXModel model = LTXModel::load(store);
    auto io = SafetensorsFile::open(kGolden + "/transformer/av_tiny_ctxmask.io.safetensors");
    auto modality = [&](const std::string& s) {
        Modality m;
        m.latent = io->tensor("in." + s + "_latent");
        m.timesteps = io->tensor("in." + s + "_timesteps");
        m.positions = io->tensor("in." + s + "_positions");
        m.context = io->tensor("in." + s + "_context");
        m.context_mask = io->tensor("in." + s + "_context_mask");
        return m;
    };
    const Modality v = modality("video"), a = modality("audio");
    const AVTensors plain = model.forward(&v, &a);
    const TextContextCache cache = model.prepare_text(&v, &a);
    EXPECT_EQ(cache.video.blocks.size(), 2u);
    const AVTensors cached = model.forward(&v, &a, {}, &cache);
    EXPECT_EQ(plain.video.to_vector(), cached.video.to_vector());
    EXPECT_EQ(plain.audio.to_vector(), cached.audio.to_vector());
}

// add_gated_where with an AdaLN gate: the kept samples get exactly the bits of the whole-batch
// gated add with the materialised gate (add_row, then the tensor form); a skipped one keeps x's.
// Per-sample and one-sample (batch broadcast) modulations, per-token and broadcast over tokens.
TEST(TransformerModulation, GatedAddWhereSkipsSamplesBitExactly) {
    const int64_t B = 3, T = 7, D = 19;
    auto bits = [](const Tensor& t) {
        std::vector<uint32_t> out(size_t(t.numel()));
        const std::vector<float> v = t.to_vector();
        std::memcpy(out.data(), v.data(), v.size() * sizeof(float));
        return out;
    };
    uint32_t seed = 7;
    for (const int64_t mod_batch : {B, int64_t(1)})
        for (const int64_t Tt : {T, int64_t(1)}) {
            SCOPED_TRACE(testing::Message() << "modulation batch " << mod_batch << " tokens " << Tt);
            const Tensor table = ktest::random_tensor({5, D}, ++seed, 0.3f, DType::BF16);
            const Tensor mod = ktest::random_tensor({mod_batch, Tt, 2 * D}, ++seed, 0.5f);
            const Tensor x = ktest::random_tensor({B, T, D}, ++seed), y = ktest::random_tensor({B, T, D}, ++seed);
            Tensor all = x.clone(), got = x.clone();
            add_gated_inplace(all, y, add_row(mod.slice(2, D, 2 * D), table.select(0, 4).to(DType::F32)));
            add_gated_where(got, y, AdaValue{table, 4, mod, 1}, [](int b) { return b != 1; });
            for (int64_t b = 0; b < B; ++b)
                EXPECT_EQ(bits(got.slice(0, b, b + 1)), bits((b == 1 ? x : all).slice(0, b, b + 1))) << "sample " << b;
        }
}

TEST(TransformerConfig, ParsesTinyAndDefaults) {
    const TransformerConfig c = parse_transformer_config(tiny_config(), "tiny");
    EXPECT_EQ(c.type, TransformerType::AudioVideo);
    EXPECT_EQ(c.num_layers, 2);
    EXPECT_EQ(c.video.dim(), 64);
    EXPECT_EQ(c.audio.dim(), 32);
    EXPECT_EQ(c.audio.in_channels, 128);  // absent key → reference default
    EXPECT_EQ(c.rope_layout, RopeLayout::Split);
    EXPECT_TRUE(c.float64_frequencies);
    EXPECT_EQ(c.av_ca_timestep_scale_multiplier, 1000.0);
    EXPECT_FALSE(c.gated_attention);

    json j = tiny_config();
    j["transformer"].erase("av_ca_timestep_scale_multiplier");
    j["transformer"].erase("rope_type");
    j["transformer"].erase("frequencies_precision");
    const TransformerConfig d = parse_transformer_config(j, "tiny");
    EXPECT_EQ(d.av_ca_timestep_scale_multiplier, 1.0);  // the reference's own defaults
    EXPECT_EQ(d.rope_layout, RopeLayout::Interleaved);
    EXPECT_FALSE(d.float64_frequencies);
}

TEST(TransformerConfig, RejectsBadValues) {
    json j = tiny_config();
    j["transformer"]["rope_type"] = "spiral";
    expect_error([&] { parse_transformer_config(j, "model.safetensors"); }, {"model.safetensors", "rope_type", "spiral"});

    j = tiny_config();
    j["transformer"]["dropout"] = 0.1;
    expect_error([&] { parse_transformer_config(j, "model.safetensors"); }, {"model.safetensors", "dropout", "0.1"});

    j = tiny_config();
    j["transformer"].erase("qk_norm");  // fixed-value keys must be present, as the reference checks them
    expect_error([&] { parse_transformer_config(j, "m"); }, {"qk_norm"});

    j = tiny_config();
    j["transformer"]["frequencies_precision"] = "float16";
    expect_error([&] { parse_transformer_config(j, "m"); }, {"frequencies_precision", "float16"});

    j = tiny_config();
    j["transformer"]["num_attention_heads"] = "two";
    expect_error([&] { parse_transformer_config(j, "m"); }, {"num_attention_heads"});

    j = tiny_config();
    j["transformer"]["share_ff"] = true;
    expect_error([&] { parse_transformer_config(j, "m"); }, {"share_ff"});
}

TEST(TransformerWeights, MissingTensor) {
    TempDir dir("ltx2-tf");
    const std::string path = edited_model(dir, kPrefix + "transformer_blocks.1.ff.net.2.bias", {});
    expect_error([&] { LTXModel::load(WeightStore::open(path, kPrefix)); },
                 {"edited.safetensors", "transformer_blocks.1.ff.net.2.bias"});
}

TEST(TransformerWeights, WrongShape) {
    TempDir dir("ltx2-tf");
    const std::string name = kPrefix + "transformer_blocks.0.attn2.to_k.weight";
    const std::string path = edited_model(dir, "", {{name, Tensor::zeros({64, 48})}});
    expect_error([&] { LTXModel::load(WeightStore::open(path, kPrefix)); }, {"transformer_blocks.0.attn2.to_k.weight", "(64, 48)"});
}

TEST(TransformerWeights, UnexpectedTensor) {
    TempDir dir("ltx2-tf");
    const std::string path =
        edited_model(dir, "", {{kPrefix + "transformer_blocks.0.attn1.to_gate_logits.weight", Tensor::zeros({2, 64})}});
    expect_error([&] { LTXModel::load(WeightStore::open(path, kPrefix)); },
                 {"edited.safetensors", "unexpected", "transformer_blocks.0.attn1.to_gate_logits.weight"});
}

TEST(TransformerWeights, ConnectorTensorsIgnored) {
    TempDir dir("ltx2-tf");
    const std::string path =
        edited_model(dir, "", {{kPrefix + "video_embeddings_connector.learnable_registers", Tensor::zeros({4, 48})},
                               {kPrefix + "audio_embeddings_connector.transformer_1d_blocks.0.attn1.to_q.bias",
                                Tensor::zeros({48})}});
    const WeightStore store = WeightStore::open(path, kPrefix);
    const LTXModel model = LTXModel::load(store);
    EXPECT_EQ(model.config().type, TransformerType::VideoOnly);
    EXPECT_EQ(model.weights().tensor_count, 65u);
}

// The real 19B layout (from the manifest) as a sparse file: every tensor maps to a module.
TEST(TransformerWeights, FullSizeManifest) {
    TempDir dir("ltx2-tf");
    const auto [path, count] = ltx2::test::write_manifest_checkpoint(
        "transformer.json", dir, {"/text_connectors_same_prefix/tensors", "/text_embedding_projection/tensors"});
    ASSERT_EQ(count, 3510u + 58u + 1u);

    const WeightStore store = WeightStore::open(path, kPrefix);
    const LTXModel model = LTXModel::load(store);
    const TransformerConfig& c = model.config();
    EXPECT_EQ(c.type, TransformerType::AudioVideo);
    EXPECT_EQ(c.num_layers, 48);
    EXPECT_EQ(c.video.dim(), 4096);
    EXPECT_EQ(c.audio.dim(), 2048);
    EXPECT_EQ(c.caption_channels, 3840);
    EXPECT_EQ(c.rope_layout, RopeLayout::Split);
    EXPECT_TRUE(c.float64_frequencies);
    EXPECT_EQ(c.av_ca_timestep_scale_multiplier, 1000.0);
    EXPECT_EQ(model.weights().tensor_count, 3510u);
    EXPECT_TRUE(model.bf16());
    EXPECT_EQ(model.weights().blocks.size(), 48u);
    const BlockWeights& last = model.weights().blocks.back();
    EXPECT_EQ(last.audio_to_video_attn.to_q.weight.shape(), (Shape{2048, 4096}));
    EXPECT_EQ(last.video_to_audio_attn.to_k.weight.shape(), (Shape{2048, 4096}));
    EXPECT_EQ(last.video.ff.proj_in.weight.shape(), (Shape{16384, 4096}));
    EXPECT_EQ(model.weights().video.caption_projection.linear_1.weight.shape(), (Shape{4096, 3840}));
    // What the transformer left unused is exactly the text connectors.
    const std::vector<std::string> unused = store.unused_names();
    EXPECT_EQ(unused.size(), 58u);
    for (const auto& n : unused)
        EXPECT_TRUE(n.rfind("video_embeddings_connector.", 0) == 0 || n.rfind("audio_embeddings_connector.", 0) == 0) << n;
}
