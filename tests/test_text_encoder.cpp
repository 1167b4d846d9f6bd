// LTX-2's text feature extractor and embeddings connectors: golden parity (F32), the bf16
// production path against the same goldens, register placement, config and input errors.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/error.h"
#include "io/safetensors.h"
#include "io/weight_store.h"
#include "models/text_encoder/config.h"
#include "models/text_encoder/embeddings_connector.h"
#include "models/text_encoder/feature_extractor.h"
#include "models/text_encoder/padding.h"
#include "parity/kinds.h"
#include "test_util.h"

using namespace ltx2;
using ltx2::test::expect_error;
using ltx2::test::TempDir;
using nlohmann::json;

namespace {

const std::string kDir = std::string(LTX2_GOLDEN_DIR) + "/text/";
const std::string kModel = kDir + "ltx2_text_tiny.model.safetensors";

// A golden io file with its real (last V) rows.
struct Fixture {
    std::shared_ptr<SafetensorsFile> file;
    int64_t T = 0, V = 0;

    explicit Fixture(const std::string& name) : file(SafetensorsFile::open(kDir + name)) {
        const Tensor mask = file->tensor("in.attention_mask");
        T = mask.size(-1);
        V = left_padded_real_rows(mask, name);
    }
    Tensor rows(const std::string& name) const {
        return file->tensor(name).select(0, 0).slice(0, T - V, T);
    }
    std::vector<Tensor> states() const {
        std::vector<Tensor> s;
        for (int l = 0; file->has("in.hidden_state." + std::to_string(l)); ++l)
            s.push_back(rows("in.hidden_state." + std::to_string(l)));
        return s;
    }
};

double max_abs_diff(const Tensor& a, const Tensor& b) {
    const std::vector<float> x = a.to_vector(), y = b.to_vector();
    double m = 0;
    for (size_t i = 0; i < x.size(); ++i) m = std::max(m, std::fabs(double(x[i]) - y[i]));
    return m;
}

json tiny_config() {
    return json::parse(*SafetensorsFile::open(kModel)->metadata_value("config"));
}

EmbeddingsConnector tiny_connector(Precision precision, const char* prefix = kVideoConnectorPrefix) {
    const WeightStore store = WeightStore::open(kModel, prefix);
    const TextEncoderConfig config = parse_text_encoder_config(store.config(), store.describe());
    return EmbeddingsConnector::load(
        store, std::string(prefix) == kVideoConnectorPrefix ? config.video_connector : config.audio_connector, precision);
}

// A copy of the tiny model with its tensors and config edited.
using Tensors = ltx2::test::TensorMap;
std::string write_variant(const TempDir& dir, const std::function<void(Tensors&, json&)>& edit) {
    return ltx2::test::write_model_variant(kModel, dir, edit);
}

std::string video(const std::string& name) { return kVideoConnectorPrefix + name; }

EmbeddingsConnector load_connector(const std::string& path) {
    const WeightStore store = WeightStore::open(path, kVideoConnectorPrefix);
    return EmbeddingsConnector::load(store, parse_text_encoder_config(store.config(), store.describe()).video_connector,
                                     Precision::F32);
}

}  // namespace

// ---- golden parity (float32) -----------------------------------------------------------------

TEST(TextEncoderParity, FeatureExtractorPadded) {
    test::expect_fixture_passes("text", "ltx2_feature_extractor.padded.io.safetensors", parity_ltx2_feature_extractor, 2);
}
TEST(TextEncoderParity, FeatureExtractorFull) {
    test::expect_fixture_passes("text", "ltx2_feature_extractor.full.io.safetensors", parity_ltx2_feature_extractor, 2);
}
// registers_applied, rope_cos, rope_sin, 2 block outputs, hidden_states, additive_mask.
TEST(TextEncoderParity, VideoConnector) {
    test::expect_fixture_passes("text", "ltx2_video_connector.io.safetensors", parity_ltx2_embeddings_connector, 7);
}
TEST(TextEncoderParity, AudioConnectorRegistersWrap) {
    test::expect_fixture_passes("text", "ltx2_audio_connector.io.safetensors", parity_ltx2_embeddings_connector, 7);
}

// ---- bf16 production path ----------------------------------------------------------------------

TEST(TextEncoderBf16, FeatureExtractorMatchesGoldens) {
    const FeatureExtractor fe = FeatureExtractor::load(WeightStore::open(kModel, kFeatureExtractorPrefix), Precision::BF16);
    EXPECT_EQ(fe.weight().dtype(), DType::BF16);  // used in place, not converted
    for (const char* name : {"ltx2_feature_extractor.padded.io.safetensors", "ltx2_feature_extractor.full.io.safetensors"}) {
        const Fixture f(name);
        const Tensor features = fe.normalized_features(f.states());
        for (float v : features.to_vector()) ASSERT_EQ(v, round_to_bf16(v)) << name << ": features must be bf16 values";
        test::expect_bf16_agreement(features, f.rows("out.normed_concat"), std::string(name) + " normed_concat");
        test::expect_bf16_agreement(fe.project(f.states()), f.rows("out.projected"), std::string(name) + " projected");
    }
}

TEST(TextEncoderBf16, ConnectorsMatchGoldens) {
    for (const char* prefix : {kVideoConnectorPrefix, kAudioConnectorPrefix}) {
        const EmbeddingsConnector c = tiny_connector(Precision::BF16, prefix);
        const std::string name = prefix == kVideoConnectorPrefix ? "ltx2_video_connector.io.safetensors"
                                                                 : "ltx2_audio_connector.io.safetensors";
        const Fixture f(name);
        std::map<std::string, Tensor> taps;
        const ConnectorOutput out =
            c.forward(f.rows("in.hidden_states"), f.T, [&](const std::string& n, const Tensor& v) { taps[n] = v.clone(); });
        for (const char* block : {"block_output.0", "block_output.1"})
            test::expect_bf16_agreement(taps.at(block), f.file->tensor(std::string("out.") + block), name + " " + block);
        test::expect_bf16_agreement(out.hidden_states, f.file->tensor("out.hidden_states"), name + " hidden_states");
    }
}

// bf16 production reads the states as bf16: feeding bf16 tensors gives the same result exactly.
TEST(TextEncoderBf16, Bf16StatesEqualRoundedF32States) {
    const FeatureExtractor fe = FeatureExtractor::load(WeightStore::open(kModel, kFeatureExtractorPrefix), Precision::BF16);
    const Fixture f("ltx2_feature_extractor.padded.io.safetensors");
    std::vector<Tensor> bf16_states;
    for (const Tensor& s : f.states()) bf16_states.push_back(s.to(DType::BF16));
    EXPECT_EQ(max_abs_diff(fe.project(bf16_states), fe.project(f.states())), 0.0);
}

// ---- feature extractor -------------------------------------------------------------------------

// Projecting slice by slice (one channel = 8 features per slice here) equals the single-slice product.
TEST(FeatureExtractor, SlicedProjectionEqualsWhole) {
    for (Precision p : {Precision::F32, Precision::BF16}) {
        FeatureExtractor fe = FeatureExtractor::load(WeightStore::open(kModel, kFeatureExtractorPrefix), p);
        EXPECT_EQ(fe.weight().dtype(), p == Precision::F32 ? DType::F32 : DType::BF16);
        const Fixture f("ltx2_feature_extractor.padded.io.safetensors");
        const Tensor whole = fe.project(f.states());
        fe.set_slice_features(8);
        const Tensor sliced = fe.project(f.states());
        fe.set_slice_features(20);  // 2 channels per slice, a last slice of the same size
        const Tensor pairs = fe.project(f.states());
        const double scale = std::max(1.0, max_abs_diff(whole, Tensor::zeros(whole.shape())));
        EXPECT_LE(max_abs_diff(sliced, whole), 1e-6 * scale);
        EXPECT_LE(max_abs_diff(pairs, whole), 1e-6 * scale);
        EXPECT_GT(max_abs_diff(whole, Tensor::zeros(whole.shape())), 0.1);
    }
}

TEST(FeatureExtractor, InputErrors) {
    const FeatureExtractor fe = FeatureExtractor::load(WeightStore::open(kModel, kFeatureExtractorPrefix), Precision::F32);
    const Fixture f("ltx2_feature_extractor.padded.io.safetensors");
    std::vector<Tensor> states = f.states();
    std::vector<Tensor> seven(states.begin(), states.end() - 1);
    expect_error([&] { fe.project(seven); }, {"7 hidden states of width 16 give 112 features", "aggregate_embed.weight",
                                             "takes 128"});
    std::vector<Tensor> odd = states;
    odd[3] = Tensor::zeros({f.V, 8});
    expect_error([&] { fe.project(odd); }, {"hidden state 3 has shape (37, 8)", "[37, 16]"});
    odd[3] = Tensor::zeros({f.V, 16}, DType::I64);
    expect_error([&] { fe.normalized_features(odd); }, {"hidden state 3", "dtype I64"});
    expect_error([&] { fe.project({}); }, {"no hidden states"});
    std::vector<Tensor> empty(8, Tensor::zeros({0, 16}));
    expect_error([&] { fe.project(empty); }, {"at least one real token"});
}

TEST(FeatureExtractor, WeightErrors) {
    TempDir dir;
    const std::string missing = write_variant(dir, [](Tensors& t, json&) { t.erase("text_embedding_projection.aggregate_embed.weight"); });
    expect_error([&] { FeatureExtractor::load(WeightStore::open(missing, kFeatureExtractorPrefix), Precision::F32); },
                 {"aggregate_embed.weight", "missing", "text_embedding_projection."});
    TempDir dir2;
    const std::string bias = write_variant(dir2, [](Tensors& t, json&) {
        t["text_embedding_projection.aggregate_embed.bias"] = Tensor::zeros({16});
    });
    expect_error([&] { FeatureExtractor::load(WeightStore::open(bias, kFeatureExtractorPrefix), Precision::F32); },
                 {"aggregate_embed.bias", "no bias"});
    TempDir dir3;
    const std::string flat = write_variant(dir3, [](Tensors& t, json&) {
        t["text_embedding_projection.aggregate_embed.weight"] = Tensor::zeros({2048});
    });
    expect_error([&] { FeatureExtractor::load(WeightStore::open(flat, kFeatureExtractorPrefix), Precision::F32); },
                 {"aggregate_embed.weight", "(2048,)", "expected [output width"});
    // A tensor under the prefix that V1 does not read (here one of V2's) is refused by name.
    TempDir dir4;
    const std::string extra = write_variant(dir4, [](Tensors& t, json&) {
        t["text_embedding_projection.video_aggregate_embed.weight"] = Tensor::zeros({16, 128});
    });
    expect_error([&] { FeatureExtractor::load(WeightStore::open(extra, kFeatureExtractorPrefix), Precision::F32); },
                 {"1 unexpected tensor", "feature extractor V1 under 'text_embedding_projection.'",
                  "'video_aggregate_embed.weight'"});
}

// ---- embeddings connector ----------------------------------------------------------------------

// Registers are placed by absolute row: R = 4, T = 8, V = 3 gives rows 3..7 = registers 3, 0, 1, 2, 3.
TEST(EmbeddingsConnector, RegisterIndexIsTheAbsoluteRow) {
    TempDir dir;
    const std::string path = write_variant(dir, [](Tensors& t, json& c) {
        t[video("learnable_registers")] = t[video("learnable_registers")].slice(0, 0, 4);
        t.erase(kAudioConnectorPrefix + std::string("learnable_registers"));
        c["transformer"]["connector_num_learnable_registers"] = 4;
    });
    const EmbeddingsConnector c = load_connector(path);
    const Tensor registers = SafetensorsFile::open(kModel)->tensor(video("learnable_registers"));
    Tensor real = Tensor::zeros({3, 16});
    for (int64_t i = 0; i < real.numel(); ++i) real.f32()[i] = float(i) * 0.25f - 3.f;

    Tensor applied;
    const ConnectorOutput out = c.forward(real, 8, [&](const std::string& n, const Tensor& v) {
        if (n == "registers_applied") applied = v.clone();
    });
    ASSERT_TRUE(applied.defined());
    ASSERT_EQ(applied.shape(), (Shape{1, 8, 16}));
    const int expected_register[8] = {-1, -1, -1, 3, 0, 1, 2, 3};
    for (int64_t p = 0; p < 8; ++p)
        for (int64_t d = 0; d < 16; ++d) {
            const double want = p < 3 ? real.at({p, d}) : registers.at({expected_register[p], d});
            ASSERT_EQ(applied.at({0, p, d}), want) << "row " << p << " channel " << d;
        }
    EXPECT_EQ(out.hidden_states.shape(), (Shape{8, 16}));
    EXPECT_EQ(max_abs_diff(out.additive_mask, Tensor::zeros({1, 1, 1, 8})), 0.0);

    // V = T: nothing is replaced.
    Tensor full = Tensor::zeros({8, 16});
    for (int64_t i = 0; i < full.numel(); ++i) full.f32()[i] = std::sin(float(i));
    c.forward(full, 8, [&](const std::string& n, const Tensor& v) {
        if (n == "registers_applied") applied = v.clone();
    });
    EXPECT_EQ(max_abs_diff(applied.reshape({8, 16}), full), 0.0);
}

TEST(EmbeddingsConnector, InputErrors) {
    const EmbeddingsConnector c = tiny_connector(Precision::F32);
    EXPECT_EQ(c.width(), 16);
    EXPECT_EQ(c.num_registers(), 128);
    const Tensor real = Tensor::zeros({50, 16});
    expect_error([&] { c.forward(real, 250); }, {"sequence length 250", "not a multiple of the 128 learnable registers"});
    expect_error([&] { c.forward(Tensor::zeros({300, 16}), 256); }, {"sequence length 256", "300 real rows"});
    expect_error([&] { c.forward(Tensor::zeros({50, 8}), 256); }, {"shape (50, 8)", "[V, 16]"});
    expect_error([&] { c.forward(Tensor::zeros({50, 16}, DType::I32), 256); }, {"dtype I32"});
}

TEST(EmbeddingsConnector, WeightErrors) {
    auto load_with = [](const std::function<void(Tensors&, json&)>& edit) {
        TempDir dir;
        const std::string path = write_variant(dir, edit);
        load_connector(path);
    };
    expect_error([&] { load_with([](Tensors& t, json&) { t.erase(video("transformer_1d_blocks.1.attn1.k_norm.weight")); }); },
                 {video("transformer_1d_blocks.1.attn1.k_norm.weight"), "missing"});
    expect_error([&] { load_with([](Tensors& t, json&) { t[video("transformer_1d_blocks.0.ff.net.0.proj.weight")] = Tensor::zeros({32, 16}); }); },
                 {"ff.net.0.proj.weight", "(32, 16)", "(64, 16)"});
    // The config's heads x head_dim disagree with the stored width.
    expect_error([&] {
        load_with([](Tensors&, json& c) {
            c["transformer"]["connector_num_attention_heads"] = 4;
            c["transformer"]["caption_channels"] = 32;
        });
    }, {"learnable_registers", "(128, 16)", "4 x 8 = 32 wide"});
    expect_error([&] { load_with([](Tensors&, json& c) { c["transformer"]["connector_num_learnable_registers"] = 64; }); },
                 {"holds 128 registers", "connector_num_learnable_registers is 64"});
    expect_error([&] { load_with([](Tensors&, json& c) { c["transformer"]["connector_num_layers"] = 1; }); },
                 {"unexpected tensor", "transformer_1d_blocks.1.", "1 layers"});
    expect_error([&] { load_with([](Tensors&, json& c) { c["transformer"]["connector_apply_gated_attention"] = true; }); },
                 {video("transformer_1d_blocks.0.attn1.to_gate_logits.weight"), "missing"});
}

// ---- config ------------------------------------------------------------------------------------

static void expect_sizes(const TextEncoderConfig& c, int caption_channels, int heads, int head_dim, int layers,
                         int registers) {
    EXPECT_EQ(c.caption_channels, caption_channels);
    EXPECT_EQ(c.video_width, caption_channels);
    EXPECT_EQ(c.audio_width, caption_channels);
    EXPECT_EQ(c.feature_extractor, FeatureExtractorVersion::V1);
    for (const ConnectorConfig& k : {c.video_connector, c.audio_connector}) {
        EXPECT_EQ(k.heads, heads);
        EXPECT_EQ(k.head_dim, head_dim);
        EXPECT_EQ(k.layers, layers);
        EXPECT_EQ(k.registers, registers);
        EXPECT_EQ(k.max_pos, 4096.0);
    }
}

TEST(TextEncoderConfig, TinyValuesAnd19BDefaults) {
    const TextEncoderConfig t = parse_text_encoder_config(tiny_config(), "tiny");
    expect_sizes(t, 16, 2, 8, 2, 128);
    const TextEncoderConfig d = parse_text_encoder_config(json::object(), "x");
    expect_sizes(d, 3840, 30, 128, 2, 128);
    EXPECT_EQ(d.video_connector.rope_theta, 10000.0);
    EXPECT_EQ(d.video_connector.rope_layout, RopeLayout::Split);
    EXPECT_TRUE(d.video_connector.float64_frequencies);
    EXPECT_FLOAT_EQ(d.video_connector.norm_eps, 1e-6f);
    EXPECT_FALSE(d.video_connector.gated_attention);

    const RopeSpec spec = t.video_connector.rope_spec();
    EXPECT_EQ(spec.dim, 16);
    EXPECT_EQ(spec.heads, 2);
    EXPECT_EQ(spec.max_pos, std::vector<double>{4096.0});
    EXPECT_FALSE(spec.middle_indices);
}

TEST(TextEncoderConfig, BadValuesNameTheKey) {
    auto with = [](const std::string& key, const json& value) {
        json c = tiny_config();
        c["transformer"][key] = value;
        return c;
    };
    expect_error([&] { parse_text_encoder_config(with("rope_type", "spiral"), "m.safetensors"); },
                 {"m.safetensors", "transformer.rope_type", "spiral", "\"split\""});
    expect_error([&] { parse_text_encoder_config(with("frequencies_precision", "float16"), "m"); },
                 {"frequencies_precision", "float16"});
    expect_error([&] { parse_text_encoder_config(with("connector_num_learnable_registers", 0), "m"); },
                 {"connector_num_learnable_registers", "integer >= 1"});
    expect_error([&] { parse_text_encoder_config(with("connector_num_attention_heads", 2.5), "m"); },
                 {"connector_num_attention_heads", "2.5"});
    expect_error([&] { parse_text_encoder_config(with("connector_num_layers", "two"), "m"); },
                 {"connector_num_layers", "\"two\""});
    expect_error([&] { parse_text_encoder_config(with("connector_positional_embedding_max_pos", json::array({4096, 2})), "m"); },
                 {"connector_positional_embedding_max_pos", "a list of 1 positive numbers"});
    expect_error([&] { parse_text_encoder_config(with("norm_eps", -1), "m"); }, {"norm_eps", "positive number"});
    expect_error([&] { parse_text_encoder_config(with("positional_embedding_theta", 1), "m"); },
                 {"positional_embedding_theta", "other than 1"});
    expect_error([&] { parse_text_encoder_config(with("connector_apply_gated_attention", "yes"), "m"); },
                 {"connector_apply_gated_attention", "true or false"});
    expect_error([&] { parse_text_encoder_config(with("caption_channels", 32), "m"); },
                 {"2 x 8 = 16 wide", "caption_channels is 32"});
    json odd = tiny_config();
    odd["transformer"]["connector_num_attention_heads"] = 16;
    odd["transformer"]["connector_attention_head_dim"] = 1;
    expect_error([&] { parse_text_encoder_config(odd, "m"); }, {"connector_attention_head_dim", "even"});
    expect_error([&] { parse_text_encoder_config(json::array(), "m"); }, {"m", "not a JSON object"});
    expect_error([&] { parse_text_encoder_config(json{{"transformer", 3}}, "m"); }, {"'transformer' is 3, expected an object"});
}

// ---- masks -------------------------------------------------------------------------------------

TEST(TextEncoderMask, LeftPaddingIsCheckedAndCounted) {
    EXPECT_EQ(left_padded_real_rows(Tensor::from_f32({1, 5}, {0, 0, 1, 1, 1}), "m"), 3);
    EXPECT_EQ(left_padded_real_rows(Tensor::from_f32({4}, {1, 1, 1, 1}), "m"), 4);
    EXPECT_EQ(left_padded_real_rows(Tensor::from_f32({3}, {0, 0, 0}), "m"), 0);
    expect_error([] { left_padded_real_rows(Tensor::from_f32({1, 4}, {1, 1, 0, 0}), "prompt mask"); },
                 {"prompt mask", "not left-padded", "row 2"});
    expect_error([] { left_padded_real_rows(Tensor::from_f32({1, 4}, {0, 1, 0, 1}), "m"); }, {"not left-padded"});
    expect_error([] { left_padded_real_rows(Tensor::from_f32({1, 3}, {0, 2, 1}), "m"); }, {"value 2 at row 1"});
    expect_error([] { left_padded_real_rows(Tensor::zeros({2, 3}), "m"); }, {"shape (2, 3)", "one prompt"});
}

// The parity kind rejects a mask that is not left-padded.
TEST(TextEncoderMask, ParityKindRejectsRightPadding) {
    TempDir dir;
    const auto file = SafetensorsFile::open(kDir + "ltx2_video_connector.io.safetensors");
    std::vector<std::pair<std::string, Tensor>> tensors;
    for (const auto& e : file->entries()) tensors.emplace_back(e.name, file->tensor(e.name));
    for (auto& [name, t] : tensors)
        if (name == "in.attention_mask") {
            t = t.clone();
            t.data<int64_t>()[0] = 1;  // a real row before the padding
        }
    std::map<std::string, std::string> meta = file->metadata();
    meta["weights"] = kModel;  // absolute: the copy lives elsewhere
    const std::string path = dir.file("bad.io.safetensors");
    write_safetensors(path, tensors, meta);
    ParityRun run(path, std::nullopt, kModel);
    expect_error([&] { parity_ltx2_embeddings_connector(run); }, {"in.attention_mask", "not left-padded"});
}
