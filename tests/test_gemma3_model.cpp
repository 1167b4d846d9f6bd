// The Gemma 3 text model: golden parity (float32 and bf16), the real-tokens-only path against
// the padded reference run, configuration defaults and errors, weight errors, the 12B layout.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <span>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "core/error.h"
#include "io/safetensors.h"
#include "models/gemma3/config.h"
#include "models/gemma3/model.h"
#include "models/gemma3/weights.h"
#include "parity/kinds.h"
#include "test_util.h"

using namespace ltx2;
using ltx2::test::expect_error;
using ltx2::test::max_abs_diff;
using ltx2::test::TempDir;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

const std::string kText = std::string(LTX2_GOLDEN_DIR) + "/text";
const std::string kTiny = kText + "/gemma3_tiny";
const char* const kPrompts[] = {"cinematic_short", "special_bos_eos_pad", "truncated_long"};

// A golden prompt: ids / mask of the padded row, first real row, reference states [T, D].
struct Prompt {
    std::vector<int64_t> ids, mask;
    int64_t first = 0;
    std::vector<Tensor> ref;
};

Prompt read_prompt(const std::string& name) {
    const auto io = SafetensorsFile::open(kText + "/gemma3_tiny." + name + ".io.safetensors");
    Prompt p;
    const Tensor ids = io->tensor("in.input_ids"), mask = io->tensor("in.attention_mask");
    for (int64_t j = 0; j < ids.size(1); ++j) {
        p.ids.push_back(int64_t(ids.at({0, j})));
        p.mask.push_back(int64_t(mask.at({0, j})));
    }
    while (p.mask[size_t(p.first)] == 0) ++p.first;
    for (int i = 0; io->has(fmt::format("out.hidden_state.{}", i)); ++i)
        p.ref.push_back(io->tensor(fmt::format("out.hidden_state.{}", i)).select(0, 0));
    return p;
}

std::span<const int64_t> real_ids(const Prompt& p) { return std::span<const int64_t>(p.ids).subspan(size_t(p.first)); }

double absmax(const std::vector<float>& v) {
    double m = 0;
    for (float x : v) m = std::max(m, std::fabs(double(x)));
    return m;
}

// Elements outside the README's float32 bound |a − b| ≤ 1e-4 + 1e-4·|b|.
int64_t outside_f32_bound(const Tensor& got, const Tensor& ref) {
    const std::vector<float> a = got.to_vector(), b = ref.to_vector();
    int64_t n = 0;
    for (size_t i = 0; i < a.size(); ++i) n += !(std::fabs(double(a[i]) - b[i]) <= 1e-4 + 1e-4 * std::fabs(double(b[i])));
    return n;
}

json tiny_config_json() {
    std::ifstream in(kTiny + "/config.json");
    return json::parse(in);
}

void write_json(const std::string& path, const json& j) { std::ofstream(path) << j.dump(2); }

// A copy of the tiny model folder whose safetensors drops `drop` and adds / replaces `add`.
std::string edited_tiny(const TempDir& dir, const std::string& drop,
                        const std::vector<std::pair<std::string, Tensor>>& add) {
    const auto f = SafetensorsFile::open(kTiny + "/model.safetensors");
    std::vector<std::pair<std::string, Tensor>> tensors;
    for (const auto& e : f->entries()) {
        bool replaced = e.name == drop;
        for (const auto& a : add) replaced = replaced || a.first == e.name;
        if (!replaced) tensors.emplace_back(e.name, f->tensor(e.name));
    }
    for (const auto& a : add) tensors.push_back(a);
    write_safetensors(dir.file("model.safetensors"), tensors, {{"format", "pt"}});
    fs::copy_file(kTiny + "/config.json", dir.file("config.json"));
    return dir.path.string();
}

// A model folder with random BF16 weights for a small flat gemma3_text config.
std::string random_model(const TempDir& dir, const json& config) {
    write_json(dir.file("config.json"), config);
    const Gemma3Config c = parse_gemma3_config(config, "config.json");
    std::mt19937 rng(5);
    std::normal_distribution<float> normal(0.f, 0.5f);
    std::vector<std::pair<std::string, Tensor>> tensors;
    auto add = [&](const std::string& name, const Shape& shape) {
        Tensor t = Tensor::zeros(shape);
        for (int64_t i = 0; i < t.numel(); ++i) t.f32()[i] = normal(rng);
        tensors.emplace_back("model." + name + ".weight", t.to(DType::BF16));
    };
    const int64_t h = c.hidden_size, f = c.intermediate_size;
    add("embed_tokens", {c.vocab_size, h});
    add("norm", {h});
    for (int l = 0; l < c.num_hidden_layers; ++l) {
        const std::string p = gemma3_layer_prefix(l);
        for (const char* n : {"input_layernorm", "post_attention_layernorm", "pre_feedforward_layernorm",
                              "post_feedforward_layernorm"})
            add(p + n, {h});
        add(p + "self_attn.q_proj", {c.q_width(), h});
        add(p + "self_attn.k_proj", {c.kv_width(), h});
        add(p + "self_attn.v_proj", {c.kv_width(), h});
        add(p + "self_attn.o_proj", {h, c.q_width()});
        add(p + "self_attn.q_norm", {c.head_dim});
        add(p + "self_attn.k_norm", {c.head_dim});
        add(p + "mlp.gate_proj", {f, h});
        add(p + "mlp.up_proj", {f, h});
        add(p + "mlp.down_proj", {h, f});
    }
    write_safetensors(dir.file("model.safetensors"), tensors, {{"format", "pt"}});
    return dir.path.string();
}

}  // namespace

// ---- golden parity ----------------------------------------------------------------------------

TEST(Gemma3Parity, HiddenStatesOnRealTokens) {
    for (const char* prompt : kPrompts)
        ltx2::test::expect_fixture_passes("text", fmt::format("gemma3_tiny.{}.io.safetensors", prompt),
                                          parity_gemma3_hidden_states, 8);
}

TEST(Gemma3Model, RealTokensOnlyEqualPaddedRunOnRealRows) {
    const Gemma3Model model = Gemma3Model::load(kTiny, Precision::F32);
    for (const char* name : kPrompts) {
        const Prompt p = read_prompt(name);
        const std::vector<Tensor> padded = model.hidden_states_padded(p.ids, p.mask);
        const std::vector<Tensor> real = model.hidden_states(real_ids(p), p.first);
        ASSERT_EQ(real.size(), 8u);
        ASSERT_EQ(padded.size(), 8u);
        const int64_t T = int64_t(p.ids.size());
        for (size_t i = 0; i < real.size(); ++i) {
            ASSERT_EQ(real[i].shape(), (Shape{T - p.first, 16})) << name << " state " << i;
            const Tensor rows = padded[i].slice(0, p.first, T);
            EXPECT_LE(max_abs_diff(real[i], rows), 1e-6 * absmax(rows.to_vector())) << name << " state " << i;
        }
    }
}

TEST(Gemma3Model, PaddedRunMatchesFullGoldenIncludingPaddingRows) {
    const Gemma3Model model = Gemma3Model::load(kTiny, Precision::F32);
    for (const char* name : kPrompts) {
        const Prompt p = read_prompt(name);
        const std::vector<Tensor> padded = model.hidden_states_padded(p.ids, p.mask);
        ASSERT_EQ(padded.size(), p.ref.size());
        for (size_t i = 0; i < padded.size(); ++i) {
            ASSERT_EQ(padded[i].shape(), p.ref[i].shape());
            EXPECT_EQ(outside_f32_bound(padded[i], p.ref[i]), 0)
                << name << " state " << i << " max|err| " << max_abs_diff(padded[i], p.ref[i]);
        }
    }
}

TEST(Gemma3Model, Bf16WithinBf16ToleranceOfGolden) {
    const Gemma3Model model = Gemma3Model::load(kTiny, Precision::BF16);
    EXPECT_EQ(model.precision(), Precision::BF16);
    for (const char* name : kPrompts) {
        const Prompt p = read_prompt(name);
        const std::vector<Tensor> states = model.hidden_states(real_ids(p), p.first);
        ASSERT_EQ(states.size(), p.ref.size());
        for (size_t i = 0; i < states.size(); ++i) {
            const Tensor ref = p.ref[i].slice(0, p.first, int64_t(p.ids.size()));
            // State 0 (embedding × 4, exact in bf16) may equal the golden bit for bit.
            test::expect_bf16_agreement(states[i], ref, std::string(name) + " state " + std::to_string(i), i > 0);
        }
    }
}

TEST(Gemma3Model, HiddenStateConventions) {
    const Gemma3Model model = Gemma3Model::load(kTiny, Precision::F32);
    const std::vector<int64_t> ids = {2, 9259, 0, 262144, 1};
    const std::vector<Tensor> s = model.hidden_states(ids, 3);
    ASSERT_EQ(int(s.size()), model.num_hidden_states());
    // [0] = E[id] · √16 = 4 E[id] exactly.
    const auto f = SafetensorsFile::open(kTiny + "/model.safetensors");
    const Tensor table = f->tensor("language_model.model.embed_tokens.weight");
    for (size_t t = 0; t < ids.size(); ++t)
        for (int64_t d = 0; d < 16; ++d)
            ASSERT_EQ(s[0].at({int64_t(t), d}), 4.0 * table.at({ids[t], d}));
    expect_error([&] { model.hidden_states(std::vector<int64_t>{2, 262208}, 0); }, {"262208", "vocabulary"});
    expect_error([&] { model.hidden_states(std::vector<int64_t>{}, 0); }, {"no tokens"});
    expect_error([&] { model.hidden_states_padded(ids, std::vector<int64_t>{1, 1}); }, {"5 token ids", "2 attention-mask"});
    expect_error([&] { model.hidden_states_padded(ids, std::vector<int64_t>{0, 1, 2, 1, 1}); }, {"mask value 2"});
}

// √12 = 3.4641 is not a bf16 value: bf16 compute scales by bf16(√12) = 3.46875 and rounds the
// product to bf16 (the reference's bf16 embedding); float32 compute uses float32(√12).
// The checkpoint uses Gemma3ForCausalLM's `model.` key prefix.
TEST(Gemma3Model, EmbeddingScaleInTheComputeDtype) {
    TempDir dir("ltx2-gemma");
    const std::string folder = random_model(dir, {{"model_type", "gemma3_text"}, {"hidden_size", 12},
                                                  {"intermediate_size", 8}, {"num_hidden_layers", 1},
                                                  {"num_attention_heads", 2}, {"num_key_value_heads", 1},
                                                  {"head_dim", 4}, {"vocab_size", 50}});
    const auto file = SafetensorsFile::open(folder + "/model.safetensors");
    const Tensor table = file->tensor("model.embed_tokens.weight");
    const std::vector<int64_t> ids = {3, 49, 0};
    const Tensor f32 = Gemma3Model::load(folder, Precision::F32).hidden_states(ids, 0)[0];
    const Tensor bf16 = Gemma3Model::load(folder, Precision::BF16).hidden_states(ids, 0)[0];
    for (size_t t = 0; t < ids.size(); ++t)
        for (int64_t d = 0; d < 12; ++d) {
            const float e = float(table.at({ids[t], d}));
            ASSERT_EQ(float(f32.at({int64_t(t), d})), e * float(std::sqrt(12.0)));
            ASSERT_EQ(float(bf16.at({int64_t(t), d})), round_to_bf16(e * 3.46875f));
        }
}

TEST(Gemma3Model, ParityKindRejectsNonLeftPaddedMask) {
    TempDir dir("ltx2-gemma");
    const auto io = SafetensorsFile::open(kText + "/gemma3_tiny.cinematic_short.io.safetensors");
    std::vector<std::pair<std::string, Tensor>> tensors;
    for (const auto& e : io->entries()) tensors.emplace_back(e.name, io->tensor(e.name).clone());
    for (auto& [name, t] : tensors)
        if (name == "in.attention_mask") t.data<int64_t>()[1023] = 0;  // right padding
    std::map<std::string, std::string> meta = io->metadata();
    meta["model"] = fs::absolute(kTiny).string();
    write_safetensors(dir.file("x.io.safetensors"), tensors, meta);
    ParityRun run(dir.file("x.io.safetensors"), std::nullopt, "");
    expect_error([&] { parity_gemma3_hidden_states(run); }, {"not left-padded", "row 1023"});
}

// ---- configuration ----------------------------------------------------------------------------

TEST(Gemma3Config, TinyConfigGetsHuggingFaceDefaults) {
    const Gemma3Config c = load_gemma3_config(kTiny);
    EXPECT_EQ(c.vocab_size, 262208);  // omitted in the file
    EXPECT_EQ(c.hidden_size, 16);
    EXPECT_EQ(c.intermediate_size, 64);
    EXPECT_EQ(c.num_hidden_layers, 7);
    EXPECT_EQ(c.num_attention_heads, 4);
    EXPECT_EQ(c.num_key_value_heads, 2);
    EXPECT_EQ(c.head_dim, 8);
    EXPECT_EQ(c.query_pre_attn_scalar, 32);
    EXPECT_FLOAT_EQ(c.attention_scale(), float(1 / std::sqrt(32.0)));
    EXPECT_EQ(c.sliding_window, 4);
    EXPECT_EQ(c.rope_linear_factor, 8.0);
    EXPECT_EQ(c.rope_theta, 1e6);             // default
    EXPECT_EQ(c.rope_local_base_freq, 1e4);   // default
    EXPECT_EQ(c.rms_norm_eps, 1e-6);          // default
    EXPECT_EQ(c.max_position_embeddings, 131072);
    for (int i = 0; i < 7; ++i) EXPECT_EQ(c.is_sliding(i), i != 5) << i;  // local 0–4, global 5, local 6
    EXPECT_EQ(c.q_width(), 32);
    EXPECT_EQ(c.kv_width(), 16);

    // A config with nothing but the model type is Hugging Face's default Gemma3TextConfig.
    const Gemma3Config d = parse_gemma3_config(json{{"model_type", "gemma3_text"}}, "x");
    EXPECT_EQ(d.hidden_size, 2304);
    EXPECT_EQ(d.intermediate_size, 9216);
    EXPECT_EQ(d.num_hidden_layers, 26);
    EXPECT_EQ(d.num_attention_heads, 8);
    EXPECT_EQ(d.num_key_value_heads, 4);
    EXPECT_EQ(d.head_dim, 256);
    EXPECT_EQ(d.sliding_window, 4096);
    EXPECT_EQ(d.rope_linear_factor, 1.0);
    EXPECT_EQ(d.layer_types.size(), 26u);
    EXPECT_FALSE(d.is_sliding(5));
    EXPECT_TRUE(d.is_sliding(6));
}

TEST(Gemma3Config, Released12BConfigMatchesTheHardCoded12B) {
    std::ifstream in(std::string(LTX2_GOLDEN_DIR) + "/manifest/gemma3_12b.json");
    const json manifest = json::parse(in);
    const Gemma3Config c = parse_gemma3_config(manifest.at("config_json"), "gemma-3-12b-it/config.json");
    EXPECT_TRUE(check_matches_12b(c).empty()) << fmt::format("{}", fmt::join(check_matches_12b(c), "; "));
    const Gemma3Config ref = gemma3_12b_config();
    EXPECT_EQ(c.hidden_size, 3840);
    EXPECT_EQ(c.head_dim, 256);
    EXPECT_EQ(c.sliding_window, 1024);
    EXPECT_EQ(ref.layer_types.size(), 48u);
    for (int i = 0; i < 48; ++i) EXPECT_EQ(ref.is_sliding(i), (i + 1) % 6 != 0);

    const std::vector<std::string> diff = check_matches_12b(load_gemma3_config(kTiny));
    auto has = [&](const std::string& line) { return std::find(diff.begin(), diff.end(), line) != diff.end(); };
    EXPECT_TRUE(has("hidden_size: 16 (12B: 3840)"));
    EXPECT_TRUE(has("num_hidden_layers: 7 (12B: 48)"));
    EXPECT_TRUE(has("query_pre_attn_scalar: 32 (12B: 256)"));
    EXPECT_TRUE(has("sliding_window: 4 (12B: 1024)"));
    EXPECT_FALSE(has("vocab_size: 262208 (12B: 262208)"));
    EXPECT_EQ(diff.size(), 8u) << fmt::format("{}", fmt::join(diff, "; "));
}

TEST(Gemma3Config, FlatConfigsLayerTypesAndRopeParameters) {
    json flat = tiny_config_json().at("text_config");
    flat["layer_types"] = json::array();
    for (int i = 0; i < 7; ++i) flat["layer_types"].push_back(i % 2 ? "full_attention" : "sliding_attention");
    Gemma3Config c = parse_gemma3_config(flat, "flat.json");
    EXPECT_EQ(c.hidden_size, 16);
    for (int i = 0; i < 7; ++i) EXPECT_EQ(c.is_sliding(i), i % 2 == 0);

    flat.erase("layer_types");
    flat["sliding_window_pattern"] = 2;
    c = parse_gemma3_config(flat, "flat.json");
    for (int i = 0; i < 7; ++i) EXPECT_EQ(c.is_sliding(i), i % 2 == 0);

    // transformers 5 spelling of the rope settings.
    flat.erase("rope_scaling");
    flat["rope_parameters"] = {{"full_attention", {{"rope_type", "linear"}, {"factor", 4.0}, {"rope_theta", 5e5}}},
                               {"sliding_attention", {{"rope_type", "default"}, {"rope_theta", 2e4}}}};
    c = parse_gemma3_config(flat, "flat.json");
    EXPECT_EQ(c.rope_linear_factor, 4.0);
    EXPECT_EQ(c.rope_theta, 5e5);
    EXPECT_EQ(c.rope_local_base_freq, 2e4);
}

TEST(Gemma3Config, BadFilesAndValuesNameTheKey) {
    TempDir dir("ltx2-gemma");
    expect_error([&] { load_gemma3_config(dir.path.string()); }, {"config.json", "cannot open"});
    std::ofstream(dir.file("config.json")) << "{\"model_type\": \"gemma3\",";
    expect_error([&] { load_gemma3_config(dir.path.string()); }, {"config.json", "not valid JSON"});

    auto with = [](const std::string& key, const json& value) {
        json j = tiny_config_json();
        j["text_config"][key] = value;
        return j;
    };
    auto fails = [](const json& j, const std::vector<std::string>& fragments) {
        expect_error([&] { parse_gemma3_config(j, "gemma/config.json"); }, fragments);
    };
    json top = tiny_config_json();
    top["model_type"] = "llama";
    fails(top, {"gemma/config.json", "'model_type'", "llama", "gemma3"});
    top.erase("model_type");
    fails(top, {"'model_type' is missing"});
    fails(with("model_type", "gemma2"), {"'text_config.model_type'", "gemma2"});
    fails(with("hidden_activation", "gelu"), {"'text_config.hidden_activation'", "\"gelu\"", "gelu_pytorch_tanh"});
    fails(with("rope_scaling", {{"rope_type", "yarn"}, {"factor", 8.0}}), {"'text_config.rope_scaling'", "yarn", "linear"});
    fails(with("rope_scaling", {{"rope_type", "linear"}}), {"'text_config.rope_scaling.factor' is missing"});
    fails(with("attn_logit_softcapping", 50.0), {"'text_config.attn_logit_softcapping'", "not supported"});
    fails(with("final_logit_softcapping", 30.0), {"'text_config.final_logit_softcapping'", "not supported"});
    fails(with("attention_bias", true), {"'text_config.attention_bias'", "not supported"});
    fails(with("num_key_value_heads", 3), {"'text_config.num_attention_heads' (4)", "not divisible", "(3)"});
    fails(with("hidden_size", 0), {"'text_config.hidden_size' is 0", "positive integer"});
    fails(with("intermediate_size", -64), {"'text_config.intermediate_size' is -64"});
    fails(with("head_dim", 7), {"'text_config.head_dim' is 7", "even"});
    fails(with("num_hidden_layers", 2.5), {"'text_config.num_hidden_layers' is 2.5"});
    fails(with("rms_norm_eps", 0), {"'text_config.rms_norm_eps' is 0", "positive number"});
    fails(with("layer_types", json::array({"sliding_attention"})), {"'text_config.layer_types'", "list of 7"});
    fails(with("layer_types", json(std::vector<std::string>(7, "chunked_attention"))),
          {"'text_config.layer_types'", "sliding_attention"});
}

// ---- weights ----------------------------------------------------------------------------------

TEST(Gemma3Weights, PrecisionDecidesCopiesButNeverTheEmbeddingTable) {
    const WeightStore store = open_gemma3_weights(kTiny);
    const Gemma3Config c = load_gemma3_config(kTiny);
    const Gemma3Weights f32 = load_gemma3_weights(store, c, Precision::F32);
    EXPECT_EQ(f32.tensor_count, 2u + 7u * 13u);
    EXPECT_EQ(f32.embed_tokens.dtype(), DType::BF16);
    EXPECT_EQ(f32.layers[0].q_proj.dtype(), DType::F32);
    EXPECT_EQ(f32.layers[6].down_proj.dtype(), DType::F32);
    const Gemma3Weights bf16 = load_gemma3_weights(store, c, Precision::BF16);
    EXPECT_EQ(bf16.layers[0].q_proj.dtype(), DType::BF16);
    EXPECT_EQ(bf16.layers[0].q_proj.storage(), bf16.embed_tokens.storage());  // views of the one mapping
    // Norm weights are held as 1 + w in F32.
    const auto file = SafetensorsFile::open(kTiny + "/model.safetensors");
    const Tensor w = file->tensor("language_model.model.layers.2.post_feedforward_layernorm.weight");
    for (int64_t d = 0; d < 16; ++d) EXPECT_EQ(bf16.layers[2].post_feedforward_norm.at({d}), 1.0f + float(w.at({d})));
}

TEST(Gemma3Weights, MissingWrongOrUnexpectedTensorsAreErrors) {
    {
        TempDir dir("ltx2-gemma");
        const std::string folder = edited_tiny(dir, "language_model.model.layers.3.mlp.up_proj.weight", {});
        expect_error([&] { Gemma3Model::load(folder, Precision::F32); },
                     {"model.safetensors", "'language_model.model.layers.3.mlp.up_proj.weight' is missing"});
    }
    {
        TempDir dir("ltx2-gemma");
        const std::string folder =
            edited_tiny(dir, "", {{"language_model.model.layers.0.self_attn.q_proj.weight", Tensor::zeros({16, 16}, DType::BF16)}});
        expect_error([&] { Gemma3Model::load(folder, Precision::BF16); },
                     {"'language_model.model.layers.0.self_attn.q_proj.weight'", "shape (16, 16)", "expected (32, 16)"});
    }
    {
        TempDir dir("ltx2-gemma");
        const std::string folder =
            edited_tiny(dir, "", {{"language_model.model.layers.7.input_layernorm.weight", Tensor::zeros({16}, DType::BF16)}});
        expect_error([&] { Gemma3Model::load(folder, Precision::F32); },
                     {"1 unexpected tensor", "7-layer Gemma 3", "'layers.7.input_layernorm.weight'"});
    }
    {
        TempDir dir("ltx2-gemma");
        const std::string folder = edited_tiny(dir, "", {{"language_model.model.norm.weight", Tensor::zeros({16}, DType::I32)}});
        expect_error([&] { Gemma3Model::load(folder, Precision::F32); },
                     {"'language_model.model.norm.weight'", "dtype I32"});
    }
    TempDir empty("ltx2-gemma");
    fs::copy_file(kTiny + "/config.json", empty.file("config.json"));
    expect_error([&] { Gemma3Model::load(empty.path.string(), Precision::F32); },
                 {"no model.safetensors or model.safetensors.index.json"});
    TempDir no_config("ltx2-gemma");
    fs::copy_file(kTiny + "/model.safetensors", no_config.file("model.safetensors"));
    expect_error([&] { Gemma3Model::load(no_config.path.string(), Precision::F32); }, {"config.json", "cannot open"});
}

TEST(Gemma3Weights, ShardedFolderWithVisionTowerLoadsTheSameModel) {
    TempDir dir("ltx2-gemma");
    const auto f = SafetensorsFile::open(kTiny + "/model.safetensors");
    std::vector<std::pair<std::string, Tensor>> shard1, shard2;
    json index = {{"metadata", {{"total_size", 0}}}, {"weight_map", json::object()}};
    for (const auto& e : f->entries()) {
        const bool first = e.name.find("layers.") == std::string::npos || e.name.find("layers.1") != std::string::npos;
        (first ? shard1 : shard2).emplace_back(e.name, f->tensor(e.name));
        index["weight_map"][e.name] = first ? "model-00001-of-00002.safetensors" : "model-00002-of-00002.safetensors";
    }
    // The multimodal checkpoint's other parts are ignored.
    shard2.emplace_back("vision_tower.vision_model.post_layernorm.weight", Tensor::zeros({8}, DType::BF16));
    shard2.emplace_back("multi_modal_projector.mm_soft_emb_norm.weight", Tensor::zeros({8}, DType::BF16));
    index["weight_map"]["vision_tower.vision_model.post_layernorm.weight"] = "model-00002-of-00002.safetensors";
    index["weight_map"]["multi_modal_projector.mm_soft_emb_norm.weight"] = "model-00002-of-00002.safetensors";
    write_safetensors(dir.file("model-00001-of-00002.safetensors"), shard1, {{"format", "pt"}});
    write_safetensors(dir.file("model-00002-of-00002.safetensors"), shard2, {{"format", "pt"}});
    write_json(dir.file("model.safetensors.index.json"), index);
    fs::copy_file(kTiny + "/config.json", dir.file("config.json"));

    const Prompt p = read_prompt("special_bos_eos_pad");
    const std::vector<Tensor> a = Gemma3Model::load(dir.path.string(), Precision::F32).hidden_states(real_ids(p), p.first);
    const std::vector<Tensor> b = Gemma3Model::load(kTiny, Precision::F32).hidden_states(real_ids(p), p.first);
    for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].to_vector(), b[i].to_vector()) << i;
    // The single file and the index can also be named directly.
    EXPECT_EQ(Gemma3Model::load(dir.file("model.safetensors.index.json"), Precision::F32).num_hidden_states(), 8);
    EXPECT_EQ(Gemma3Model::load(kTiny + "/model.safetensors", Precision::F32).num_hidden_states(), 8);
}

// Full-size layout: the released 12B shards (text + vision tower) as sparse files, loaded in
// bf16 (zero-copy: no weight byte is read or converted).
TEST(Gemma3Weights, Released12BLayoutLoadsZeroCopy) {
    TempDir dir("ltx2-gemma");
    std::ifstream in(std::string(LTX2_GOLDEN_DIR) + "/manifest/gemma3_12b.json");
    const json manifest = json::parse(in);
    json index = {{"metadata", json::object()}, {"weight_map", json::object()}};
    auto shard = [&](const json& list, const std::string& file) {
        const std::vector<TensorEntry> entries = ltx2::test::manifest_entries(list);
        for (const TensorEntry& e : entries) index["weight_map"][e.name] = file;
        write_sparse_safetensors(dir.file(file), entries, {{"format", "pt"}});
    };
    shard(manifest.at("tensors"), "model-00001-of-00002.safetensors");
    shard(manifest.at("vision_tensors"), "model-00002-of-00002.safetensors");
    write_json(dir.file("model.safetensors.index.json"), index);
    write_json(dir.file("config.json"), manifest.at("config_json"));

    const Gemma3Config c = load_gemma3_config(dir.path.string());
    EXPECT_TRUE(check_matches_12b(c).empty());
    const WeightStore store = open_gemma3_weights(dir.path.string());
    const Gemma3Weights w = load_gemma3_weights(store, c, Precision::BF16);
    EXPECT_EQ(w.tensor_count, size_t(manifest.at("num_tensors").get<int>()));
    EXPECT_EQ(w.embed_tokens.shape(), (Shape{262208, 3840}));
    EXPECT_EQ(w.layers.size(), 48u);
    EXPECT_EQ(w.layers[47].gate_proj.dtype(), DType::BF16);
    EXPECT_EQ(w.layers[47].o_proj.shape(), (Shape{3840, 4096}));
    EXPECT_EQ(Gemma3Model::load(store, c, Precision::BF16).num_hidden_states(), 49);
}
