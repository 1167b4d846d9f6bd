// Gemma 3 from GGUF files in llama.cpp's layout (convert_hf_to_gguf.py names, norm weights stored
// as 1 + w, metadata under "gemma3."): names, config, errors, the tiny golden from float and
// quantized files, the streamed layers and the row-wise embedding, the text stage and `ltx2`.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "app/demo_model.h"
#include "core/dtype.h"
#include "core/random_tensor.h"
#include "io/gguf.h"
#include "io/gguf_writer.h"
#include "io/safetensors.h"
#include "kernels/cpu/dequant.h"
#include "kernels/cpu/quantize.h"
#include "models/gemma3/config.h"
#include "models/gemma3/gguf_config.h"
#include "models/gemma3/gguf_names.h"
#include "models/gemma3/gguf_vocabulary.h"
#include "models/gemma3/gguf_weights.h"
#include "models/gemma3/model.h"
#include "parity/kinds.h"
#include "pipelines/text_encoding.h"
#include "test_util.h"

using namespace ltx2;
using namespace ltx2::cpu;
using ltx2::test::expect_error;
using ltx2::test::TempDir;
namespace fs = std::filesystem;

namespace {

const std::string kText = std::string(LTX2_GOLDEN_DIR) + "/text";
const std::string kTiny = kText + "/gemma3_tiny";
const std::vector<std::string> kPrompts = {"cinematic_short", "special_bos_eos_pad", "truncated_long"};

using Tensors = std::vector<std::pair<std::string, Tensor>>;  // Hugging Face names, no prefix

// The text-model tensors of a Hugging Face checkpoint file under `prefix`.
Tensors hf_tensors(const std::string& file, const std::string& prefix) {
    const auto f = SafetensorsFile::open(file);
    Tensors out;
    for (const auto& e : f->entries())
        if (e.name.starts_with(prefix)) out.emplace_back(e.name.substr(prefix.size()), f->tensor(e.name));
    return out;
}

// How the test files store a Hugging Face tensor.
struct Layout {
    GgmlType matrices = GgmlType::BF16;  // block types fall back to F16 where a row is not whole blocks
    GgmlType embedding = GgmlType::BF16;
    bool decoded_as_f32 = false;  // block types stored as F32 of their decoded values instead
    std::function<bool(const std::string& key)> skip;  // leave a tensor out
    Tensors extra;                                      // added under these (llama.cpp) names
};

GgmlType storable(GgmlType want, int64_t row) {
    const GgmlTypeTraits& t = ggml_type_traits(want);
    return row % t.block_elems == 0 ? want : GgmlType::F16;
}

void add_tensor(GgufWriter& w, const std::string& key, GgmlType type, const Tensor& t) {
    const Tensor values = t.to(DType::F32);  // owned, contiguous
    w.add_tensor(key, type, t.shape(), [values, type](std::byte* dst, size_t nbytes) {
        const int64_t n = values.numel();
        switch (type) {
            case GgmlType::F32: std::memcpy(dst, values.f32(), nbytes); break;
            case GgmlType::F16: std::memcpy(dst, values.to(DType::F16).raw(), nbytes); break;
            case GgmlType::BF16: std::memcpy(dst, values.to(DType::BF16).raw(), nbytes); break;
            default: quantize(type, values.f32(), dst, n);
        }
    });
}

// t quantized to `type` and decoded back, as F32.
Tensor decoded(GgmlType type, const Tensor& t) {
    const Tensor values = t.to(DType::F32);
    std::vector<std::byte> blocks(ggml_row_bytes(type, values.numel()));
    quantize(type, values.f32(), blocks.data(), values.numel());
    Tensor out = Tensor::zeros(t.shape());
    dequantize(type, blocks.data(), out.f32(), values.numel());
    return out;
}

// A Gemma 3 GGUF as llama.cpp writes one: metadata, llama.cpp names, norm weights + 1 (in
// float32), matrices and table in the layout's types, `vocab` (if given) embedded.
void write_llama_cpp_gguf(const std::string& path, const Tensors& hf, const Gemma3Config& c, const Layout& layout,
                          const GgufVocabulary* vocab = nullptr) {
    GgufWriter w;
    set_gemma3_gguf_metadata(w, c);
    if (vocab) set_gguf_vocabulary(w, *vocab);
    for (const auto& [name, t] : hf) {
        const std::string key = gemma3_llama_cpp_name(name);
        if (layout.skip && layout.skip(key)) continue;
        if (t.dim() == 1) {
            std::vector<float> shifted = t.to_vector();
            for (float& x : shifted) x += 1.0f;
            add_tensor(w, key, GgmlType::F32, Tensor::from_f32(t.shape(), shifted));
        } else {
            const GgmlType want = name == "embed_tokens.weight" ? layout.embedding : layout.matrices;
            const GgmlType type = storable(want, t.size(1));
            if (layout.decoded_as_f32 && ggml_type_traits(type).block_elems > 1)
                add_tensor(w, key, GgmlType::F32, decoded(type, t));
            else
                add_tensor(w, key, type, t);
        }
    }
    for (const auto& [key, t] : layout.extra) add_tensor(w, key, GgmlType::F32, t);
    w.write(path);
}

std::string tiny_gguf(const TempDir& dir, const std::string& name, const Layout& layout) {
    const std::string path = dir.file(name);
    write_llama_cpp_gguf(path, hf_tensors(kTiny + "/model.safetensors", "language_model.model."),
                         load_gemma3_config(kTiny), layout);
    return path;
}

std::string fixture(const std::string& prompt) { return kText + "/gemma3_tiny." + prompt + ".io.safetensors"; }

// The gemma3.hidden_states kind on a fixture with weights from `weights`; returns the run.
ParityRun run_fixture(const std::string& prompt, const std::string& weights, std::optional<double> tol = {}) {
    ParityRun run(fixture(prompt), tol, weights);
    parity_gemma3_hidden_states(run);
    return run;
}

double worst_relative(const ParityRun& run) {
    double worst = 0;
    for (const auto& c : run.checks()) worst = std::max(worst, c.rel_err);
    return worst;
}

// The real tokens of a fixture's prompt and their first position.
std::pair<std::vector<int64_t>, int64_t> prompt_ids(const std::string& prompt) {
    const auto io = SafetensorsFile::open(fixture(prompt));
    const Tensor ids = io->tensor("in.input_ids"), mask = io->tensor("in.attention_mask");
    std::vector<int64_t> real;
    int64_t first = -1;
    for (int64_t j = 0; j < ids.size(1); ++j)
        if (int64_t(mask.at({0, j})) == 1) {
            if (first < 0) first = j;
            real.push_back(int64_t(ids.at({0, j})));
        }
    return {real, first};
}

double max_abs_diff(const Tensor& a, const Tensor& b) {
    const std::vector<float> x = a.to_vector(), y = b.to_vector();
    double m = 0;
    for (size_t i = 0; i < x.size(); ++i) m = std::max(m, std::fabs(double(x[i]) - y[i]));
    return m;
}

double cosine(const Tensor& a, const Tensor& b) {
    const std::vector<float> x = a.to_vector(), y = b.to_vector();
    double xy = 0, xx = 0, yy = 0;
    for (size_t i = 0; i < x.size(); ++i) {
        xy += double(x[i]) * y[i];
        xx += double(x[i]) * x[i];
        yy += double(y[i]) * y[i];
    }
    return xy / std::sqrt(xx * yy);
}

double absmax(const Tensor& t) {
    double m = 0;
    for (float v : t.to_vector()) m = std::max(m, std::fabs(double(v)));
    return m;
}

// A small Gemma whose rows are whole Q4_K blocks (256 wide, MLP 512), random bf16 weights.
Gemma3Config wide_config() {
    Gemma3Config c;
    c.vocab_size = 300;
    c.hidden_size = 256;
    c.intermediate_size = 512;
    c.num_hidden_layers = 2;
    c.num_attention_heads = 2;
    c.num_key_value_heads = 1;
    c.head_dim = 128;
    c.query_pre_attn_scalar = 128;
    c.sliding_window = 8;
    c.rope_linear_factor = 8.0;
    c.layer_types = gemma3_layer_pattern(2);
    return c;
}

Tensors wide_tensors(const Gemma3Config& c) {
    const WeightStore store = WeightStore::synthetic(nlohmann::json::object(), [](const std::string& name, const Shape& s) {
        const uint64_t seed = std::hash<std::string>{}(name) | 1;
        const float scale = s.size() == 2 ? float(std::sqrt(3.0 / double(s[1]))) : 0.1f;
        return random_uniform_tensor(s, DType::BF16, scale, seed);
    });
    (void)Gemma3Model::load(store, c, Precision::BF16);
    return store.synthesized();
}

}  // namespace

// ---- names and config -----------------------------------------------------------------------

TEST(GemmaGguf, LlamaCppNamesMapBothWays) {
    const std::vector<std::pair<std::string, std::string>> pairs = {
        {"token_embd.weight", "embed_tokens.weight"},
        {"output_norm.weight", "norm.weight"},
        {"blk.0.attn_norm.weight", "layers.0.input_layernorm.weight"},
        {"blk.0.attn_q.weight", "layers.0.self_attn.q_proj.weight"},
        {"blk.1.attn_k.weight", "layers.1.self_attn.k_proj.weight"},
        {"blk.2.attn_v.weight", "layers.2.self_attn.v_proj.weight"},
        {"blk.3.attn_output.weight", "layers.3.self_attn.o_proj.weight"},
        {"blk.4.attn_q_norm.weight", "layers.4.self_attn.q_norm.weight"},
        {"blk.5.attn_k_norm.weight", "layers.5.self_attn.k_norm.weight"},
        {"blk.6.post_attention_norm.weight", "layers.6.post_attention_layernorm.weight"},
        {"blk.7.ffn_norm.weight", "layers.7.pre_feedforward_layernorm.weight"},
        {"blk.8.ffn_gate.weight", "layers.8.mlp.gate_proj.weight"},
        {"blk.9.ffn_up.weight", "layers.9.mlp.up_proj.weight"},
        {"blk.10.ffn_down.weight", "layers.10.mlp.down_proj.weight"},
        {"blk.47.post_ffw_norm.weight", "layers.47.post_feedforward_layernorm.weight"},
    };
    for (const auto& [llama, hf] : pairs) {
        EXPECT_EQ(gemma3_name_from_llama_cpp(llama), hf);
        EXPECT_EQ(gemma3_llama_cpp_name(hf), llama);
    }
    EXPECT_EQ(gemma3_name_from_llama_cpp("output.weight"), "");  // untied output head: unused
    for (const char* other : {"rope_freqs.weight", "blk.0.attn_qkv.weight", "blk.x.attn_q.weight", "blk.0.attn_q.bias"})
        EXPECT_EQ(gemma3_name_from_llama_cpp(other), other);
    expect_error([] { (void)gemma3_llama_cpp_name("layers.0.mlp.fc1.weight"); }, {"'layers.0.mlp.fc1.weight'"});
}

TEST(GemmaGguf, ConfigComesBackFromTheMetadata) {
    TempDir dir("ltx2-gemma-gguf");
    const Gemma3Config ref = load_gemma3_config(kTiny);
    const Gemma3Config c = gemma3_config_from_gguf(*GgufFile::open(tiny_gguf(dir, "tiny.gguf", {})));
    EXPECT_EQ(c.vocab_size, ref.vocab_size);
    EXPECT_EQ(c.hidden_size, ref.hidden_size);
    EXPECT_EQ(c.intermediate_size, ref.intermediate_size);
    EXPECT_EQ(c.num_hidden_layers, ref.num_hidden_layers);
    EXPECT_EQ(c.num_attention_heads, ref.num_attention_heads);
    EXPECT_EQ(c.num_key_value_heads, ref.num_key_value_heads);
    EXPECT_EQ(c.head_dim, ref.head_dim);
    EXPECT_EQ(c.attention_scale(), ref.attention_scale());  // 32^-1/2 through gemma3.attention.scale
    EXPECT_EQ(c.rms_norm_eps, ref.rms_norm_eps);
    EXPECT_EQ(c.rope_theta, ref.rope_theta);
    EXPECT_EQ(c.rope_linear_factor, ref.rope_linear_factor);
    EXPECT_EQ(c.rope_local_base_freq, ref.rope_local_base_freq);
    EXPECT_EQ(c.sliding_window, ref.sliding_window);
    EXPECT_EQ(c.max_position_embeddings, ref.max_position_embeddings);
    for (int i = 0; i < c.num_hidden_layers; ++i) EXPECT_EQ(c.is_sliding(i), ref.is_sliding(i)) << i;
}

// The keys convert_hf_to_gguf.py writes for google/gemma-3-12b-it (no attention.scale: llama.cpp
// derives it), with a shortened token table: everything but the vocabulary is Gemma 3 12B.
TEST(GemmaGguf, TwelveBMetadataGivesTheTwelveBConfig) {
    TempDir dir("ltx2-gemma-gguf");
    GgufWriter w;
    w.set_string("general.architecture", "gemma3");
    w.set_u32("gemma3.context_length", 131072);
    w.set_u32("gemma3.embedding_length", 3840);
    w.set_u32("gemma3.block_count", 48);
    w.set_u32("gemma3.feed_forward_length", 15360);
    w.set_u32("gemma3.attention.head_count", 16);
    w.set_f32("gemma3.attention.layer_norm_rms_epsilon", 1e-6f);
    w.set_u32("gemma3.attention.key_length", 256);
    w.set_u32("gemma3.attention.value_length", 256);
    w.set_f32("gemma3.rope.freq_base", 1e6f);
    w.set_u32("gemma3.attention.sliding_window", 1024);
    w.set_u32("gemma3.attention.head_count_kv", 8);
    w.set_string("gemma3.rope.scaling.type", "linear");
    w.set_f32("gemma3.rope.scaling.factor", 8.0f);
    add_tensor(w, "token_embd.weight", GgmlType::F32, Tensor::zeros({16, 3840}));
    w.write(dir.file("12b.gguf"));
    const Gemma3Config c = gemma3_config_from_gguf(*GgufFile::open(dir.file("12b.gguf")));
    EXPECT_EQ(check_matches_12b(c), std::vector<std::string>{"vocab_size: 16 (12B: 262208)"});
}

TEST(GemmaGguf, OtherArchitecturesAndBrokenMetadataAreRefused) {
    TempDir dir("ltx2-gemma-gguf");
    GgufWriter llama;
    llama.set_string("general.architecture", "llama");
    llama.set_u32("llama.block_count", 2);
    add_tensor(llama, "token_embd.weight", GgmlType::F32, Tensor::zeros({4, 32}));
    llama.write(dir.file("llama.gguf"));
    expect_error([&] { (void)Gemma3Model::load(dir.file("llama.gguf"), Precision::BF16); },
                 {dir.file("llama.gguf"), "general.architecture is \"llama\"", "expected \"gemma3\""});

    GgufWriter none;
    none.write(dir.file("none.gguf"));
    expect_error([&] { (void)open_gemma3_gguf(dir.file("none.gguf")); },
                 {dir.file("none.gguf"), "'general.architecture' is missing"});

    Gemma3Config c = load_gemma3_config(kTiny);
    GgufWriter no_window;
    set_gemma3_gguf_metadata(no_window, c);
    no_window.set_string("gemma3.rope.scaling.type", "yarn");
    no_window.write(dir.file("yarn.gguf"));
    expect_error([&] { (void)open_gemma3_gguf(dir.file("yarn.gguf")); },
                 {"yarn.gguf", "'gemma3.rope.scaling.type' is \"yarn\"", "linear"});

    GgufWriter no_table;
    set_gemma3_gguf_metadata(no_table, c);
    no_table.write(dir.file("no_table.gguf"));
    expect_error([&] { (void)open_gemma3_gguf(dir.file("no_table.gguf")); },
                 {"no_table.gguf", "'token_embd.weight'", "missing"});
}

// ---- weights --------------------------------------------------------------------------------

TEST(GemmaGguf, MissingWrongAndUnexpectedTensorsNameTheLlamaCppTensor) {
    TempDir dir("ltx2-gemma-gguf");
    Layout missing;
    missing.skip = [](const std::string& key) { return key == "blk.3.ffn_up.weight"; };
    expect_error([&] { (void)Gemma3Model::load(tiny_gguf(dir, "missing.gguf", missing), Precision::F32); },
                 {"missing.gguf", "'blk.3.ffn_up.weight' is missing", "layers.3.mlp.up_proj.weight"});

    Layout extra;
    extra.extra = {{"blk.0.attn_qkv.weight", Tensor::zeros({48, 16})}, {"output.weight", Tensor::zeros({8, 16})}};
    expect_error([&] { (void)Gemma3Model::load(tiny_gguf(dir, "extra.gguf", extra), Precision::BF16); },
                 {"extra.gguf", "1 unexpected tensor", "'blk.0.attn_qkv.weight'"});

    Layout wrong;
    wrong.skip = [](const std::string& key) { return key == "blk.2.attn_v.weight"; };
    wrong.extra = {{"blk.2.attn_v.weight", Tensor::zeros({8, 16})}};
    expect_error([&] { (void)Gemma3Model::load(tiny_gguf(dir, "wrong.gguf", wrong), Precision::BF16); },
                 {"wrong.gguf", "'blk.2.attn_v.weight' has shape (8, 16), expected (16, 16)"});
}

// llama.cpp stores Gemma's norm weights as 1 + w: they are held as stored, equal to the
// Hugging Face checkpoint's 1 + w.
TEST(GemmaGguf, NormWeightsStoredWithTheShiftEqualTheHuggingFaceOnes) {
    TempDir dir("ltx2-gemma-gguf");
    const Gemma3Gguf gguf = open_gemma3_gguf(tiny_gguf(dir, "tiny.gguf", {}));
    const Gemma3Weights g = load_gemma3_weights(gguf.store, gguf.config, Precision::F32, gguf.file.get());
    const Gemma3Weights h = load_gemma3_weights(open_gemma3_weights(kTiny), gguf.config, Precision::F32);
    EXPECT_TRUE(g.streamed);
    EXPECT_TRUE(g.layers.empty());
    EXPECT_EQ(g.tensor_count, h.tensor_count);
    EXPECT_EQ(g.final_norm.to_vector(), h.final_norm.to_vector());
    const auto stored = gguf.file->raw("blk.2.post_ffw_norm.weight").to_vector();
    const auto w = SafetensorsFile::open(kTiny + "/model.safetensors")
                       ->tensor("language_model.model.layers.2.post_feedforward_layernorm.weight")
                       .to_vector();
    for (size_t d = 0; d < w.size(); ++d) EXPECT_EQ(stored[d], 1.0f + w[d]);
    WeightArena arena;
    const Gemma3LayerWeights layer = load_gemma3_layer(gguf.store, gguf.config, 2, Precision::F32, *gguf.file, arena);
    EXPECT_EQ(layer.post_feedforward_norm.to_vector(), h.layers[2].post_feedforward_norm.to_vector());
    EXPECT_EQ(layer.q_norm.to_vector(), h.layers[2].q_norm.to_vector());
    EXPECT_EQ(layer.q_proj.to_vector(), h.layers[2].q_proj.to_vector());  // BF16 decoded to F32 exactly
}

// ---- the tiny golden ------------------------------------------------------------------------

// F32 and BF16 files hold the checkpoint's values exactly: the fixture passes at its own
// tolerance (the README's 1e-4), in process and through ltx2-parity --weights.
TEST(GemmaGguf, TinyGoldenPassesFromFloatFiles) {
    TempDir dir("ltx2-gemma-gguf");
    for (GgmlType type : {GgmlType::F32, GgmlType::BF16}) {
        Layout layout;
        layout.matrices = layout.embedding = type;
        const std::string path = tiny_gguf(dir, fmt::format("tiny-{}.gguf", ggml_type_name(type)), layout);
        for (const std::string& prompt : kPrompts) {
            const ParityRun run = run_fixture(prompt, path);
            EXPECT_TRUE(run.all_passed()) << prompt << " " << ggml_type_name(type) << " rel " << worst_relative(run);
            EXPECT_EQ(run.checks().size(), 8u);
        }
    }
    const auto r = ltx2::test::run_command(
        fmt::format("'{}' '{}' --weights '{}'", LTX2_PARITY_BIN, fixture("cinematic_short"), dir.file("tiny-bf16.gguf")));
    EXPECT_EQ(r.exit_code, 0) << r.output;
}

// Q8_0 where rows are whole blocks (attn_output: 32 wide, ffn_down: 64 wide; the 16-wide rows
// fall back to F16 as llama.cpp's quantizer does; F16 holds bf16 values of normal range exactly). The run
// equals, bit for bit, the run on an F32 file of the decoded Q8_0 values: what remains is the
// quantization itself. Q8_0 rounds each weight to 1/127 of its 32-block's absmax (about 0.4 %
// RMS of these uniform weights); this random tiny model amplifies that through its 7 layers to
// at most 3.4 % of a hidden state's absmax (cosine >= 0.999 to the golden), hence 5e-2.
TEST(GemmaGguf, TinyGoldenFromQ8_0WithinItsQuantizationError) {
    TempDir dir("ltx2-gemma-gguf");
    Layout q8;
    q8.matrices = GgmlType::Q8_0;
    const std::string path = tiny_gguf(dir, "tiny-q8_0.gguf", q8);
    q8.decoded_as_f32 = true;
    const std::string decoded_path = tiny_gguf(dir, "tiny-q8_0-decoded.gguf", q8);
    const std::string float_path = tiny_gguf(dir, "tiny-bf16.gguf", {});
    EXPECT_EQ(GgufFile::open(path)->info("blk.0.attn_output.weight").type, GgmlType::Q8_0);
    EXPECT_EQ(GgufFile::open(path)->info("blk.6.ffn_down.weight").type, GgmlType::Q8_0);
    EXPECT_EQ(GgufFile::open(path)->info("blk.0.attn_q.weight").type, GgmlType::F16);
    for (const std::string& prompt : kPrompts) {
        const ParityRun run = run_fixture(prompt, path, 5e-2);
        EXPECT_TRUE(run.all_passed()) << prompt << " rel " << worst_relative(run);
        EXPECT_GT(worst_relative(run), 1e-3) << prompt << ": no quantization error: were the Q8_0 blocks used?";
        std::printf("[ q8_0 ] %s: worst relative error %.3g\n", prompt.c_str(), worst_relative(run));

        const auto [ids, first] = prompt_ids(prompt);
        const auto q = Gemma3Model::load(path, Precision::F32).hidden_states(ids, first);
        const auto d = Gemma3Model::load(decoded_path, Precision::F32).hidden_states(ids, first);
        const auto f = Gemma3Model::load(float_path, Precision::F32).hidden_states(ids, first);
        for (size_t i = 0; i < q.size(); ++i) {
            EXPECT_EQ(q[i].to_vector(), d[i].to_vector()) << prompt << " state " << i;
            EXPECT_GE(cosine(q[i], f[i]), 0.999) << prompt << " state " << i;
        }
        EXPECT_EQ(max_abs_diff(q[0], f[0]), 0.0);  // the table is BF16 in both
        EXPECT_GT(max_abs_diff(q.back(), f.back()), 0.0);
    }
}

// ---- quantized layers and table at a width where every row is whole Q4_K blocks -------------

// Every matrix and the table quantized. Each run equals, bit for bit, the run on an F32 file of
// the decoded values (so the streamed decode is exact and only quantization error remains), and
// the table rows equal a whole-table decode. Against the same weights stored BF16 (F32 compute):
// Q8_0 (0.4 % RMS weight error on these uniform weights) stays within 2 % of each state's absmax
// (measured 1.1 %) at cosine >= 0.9999; Q4_K (16 levels per sub-block: about 5.6 % RMS weight
// error, measured on the table itself, state 0) within 25 % (measured 7.8 % on the table,
// 18.5 % after the two layers) at cosine >= 0.98 (measured 0.986).
TEST(GemmaGguf, QuantizedLayersStreamAndTheTableDecodesOnlyItsRows) {
    TempDir dir("ltx2-gemma-gguf");
    const Gemma3Config c = wide_config();
    const Tensors tensors = wide_tensors(c);
    write_llama_cpp_gguf(dir.file("wide-bf16.gguf"), tensors, c, {});
    const std::vector<int64_t> ids = {2, 17, 299, 5, 5, 128, 64, 1, 250, 33, 7};
    const auto reference = Gemma3Model::load(dir.file("wide-bf16.gguf"), Precision::F32).hidden_states(ids, 3);

    struct Bound {
        GgmlType type;
        double tol, min_cosine;
    };
    for (const auto& [type, tol, min_cosine] : {Bound{GgmlType::Q8_0, 2e-2, 0.9999}, Bound{GgmlType::Q4_K, 0.25, 0.98}}) {
        const std::string name = fmt::format("wide-{}.gguf", ggml_type_name(type));
        Layout layout;
        layout.matrices = layout.embedding = type;
        write_llama_cpp_gguf(dir.file(name), tensors, c, layout);
        layout.decoded_as_f32 = true;
        write_llama_cpp_gguf(dir.file("decoded-" + name), tensors, c, layout);
        const auto decoded_states =
            Gemma3Model::load(dir.file("decoded-" + name), Precision::F32).hidden_states(ids, 3);
        const Gemma3Gguf gguf = open_gemma3_gguf(dir.file(name));
        EXPECT_EQ(gguf.file->info("token_embd.weight").type, type);
        EXPECT_TRUE(gguf.store.decodes("layers.1.mlp.down_proj.weight"));
        const Gemma3Model model = Gemma3Model::load(gguf, Precision::F32);
        const auto states = model.hidden_states(ids, 3);
        ASSERT_EQ(states.size(), reference.size());
        double worst = 0;
        for (size_t i = 0; i < states.size(); ++i) {
            const double rel = max_abs_diff(states[i], reference[i]) / absmax(reference[i]);
            worst = std::max(worst, rel);
            EXPECT_LE(rel, tol) << name << " state " << i;
            EXPECT_GT(rel, 0.0) << name << " state " << i;
            EXPECT_GE(cosine(states[i], reference[i]), min_cosine) << name << " state " << i;
            EXPECT_EQ(states[i].to_vector(), decoded_states[i].to_vector()) << name << " state " << i;
        }
        std::printf("[ %s ] worst relative error %.3g (tolerance %.3g)\n", std::string(ggml_type_name(type)).c_str(),
                    worst, tol);

        // Embedding rows: the whole table decoded once, here only for the comparison.
        const Tensor table = gguf.file->dequantize("token_embd.weight", DType::F32);
        const float scale = float(std::sqrt(double(c.hidden_size)));
        for (size_t t = 0; t < ids.size(); ++t)
            for (int64_t d = 0; d < c.hidden_size; ++d)
                ASSERT_EQ(states[0].at({int64_t(t), d}), table.at({ids[t], d}) * scale) << t << " " << d;

        // BF16 compute on the decoded layers agrees with F32 compute on them.
        const auto bf16 = Gemma3Model::load(gguf, Precision::BF16).hidden_states(ids, 3);
        for (size_t i = 0; i < bf16.size(); ++i)
            ltx2::test::expect_bf16_agreement(bf16[i], states[i], fmt::format("{} bf16 state {}", name, i), i > 0);
    }
}

// ---- text stage and the ltx2 program --------------------------------------------------------

namespace {

// The demo's Gemma as a llama.cpp GGUF: Q8_0 matrices (32/64 wide), BF16 table, the
// tokenizer.json vocabulary embedded.
std::string demo_gguf(const TempDir& dir) {
    const fs::path demo = ensure_demo_model(LTX2_TEST_DEMO_DIR);
    const fs::path gemma = demo / "gemma-3-12b-it";
    const GgufVocabulary vocab = gguf_vocabulary_from_tokenizer_json((gemma / "tokenizer.json").string());
    Layout layout;
    layout.matrices = GgmlType::Q8_0;
    const std::string path = dir.file("demo-gemma-q8_0.gguf");
    write_llama_cpp_gguf(path, hf_tensors((gemma / "model.safetensors").string(), "language_model.model."),
                         load_gemma3_config(gemma.string()), layout, &vocab);
    return path;
}

}  // namespace

TEST(GemmaGguf, TextStageTakesTheTokenizerAndWeightsFromTheGguf) {
    TempDir dir("ltx2-gemma-gguf");
    const std::string gguf = demo_gguf(dir);
    const fs::path demo = LTX2_TEST_DEMO_DIR;
    const std::string checkpoint = (demo / "ltx-2-19b-distilled.safetensors").string();
    const std::vector<std::string> prompts = {"A golden retriever runs across a sunlit meadow", ""};
    TextEncodingOptions options;
    options.empty_prompts = {EmptyPrompt::Reject, EmptyPrompt::Allow};
    const auto from_gguf = encode_prompts({gguf, "", checkpoint}, prompts, options);
    const auto from_folder = encode_prompts({(demo / "gemma-3-12b-it").string(), "", checkpoint}, prompts, options);
    ASSERT_EQ(from_gguf.size(), 2u);
    for (size_t i = 0; i < prompts.size(); ++i) {
        EXPECT_EQ(from_gguf[i].tokens.ids, from_folder[i].tokens.ids) << i;
        // Q8_0 matrices in bf16 compute against bf16 weights: the bf16 criterion.
        ltx2::test::expect_bf16_agreement(from_gguf[i].video_context, from_folder[i].video_context,
                                          fmt::format("video context {}", i));
    }
    // An explicit tokenizer.json still wins over the embedded vocabulary.
    const auto explicit_tokenizer =
        encode_prompts({gguf, (demo / "gemma-3-12b-it" / "tokenizer.json").string(), checkpoint}, {prompts[0]});
    EXPECT_EQ(explicit_tokenizer[0].tokens.ids, from_gguf[0].tokens.ids);
}

TEST(GemmaGguf, Ltx2GeneratesWithAGgufGemma) {
    TempDir dir("ltx2-gemma-gguf");
    const std::string gguf = demo_gguf(dir);
    const std::string out = dir.file("out.mp4");
    const auto r = ltx2::test::run_command(fmt::format(
        "LTX2_DEMO_DIR='{}' '{}' --demo --gemma '{}' -p 'a dog on a beach' --frames 9 --progress plain -o '{}'",
        LTX2_TEST_DEMO_DIR, LTX2_BIN, gguf, out));
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find(gguf), std::string::npos) << r.output;  // the located Gemma is the file
    EXPECT_GT(fs::file_size(out), 1000u);
}

// ---- generation (the prompt enhancer) from a GGUF ---------------------------------------------

// A BF16 file holds the checkpoint's values exactly: the greedy-generation golden passes from it
// (its table is read through the GGUF's decode path of the output head).
TEST(GemmaGguf, GreedyGenerationGoldenPassesFromABf16File) {
    TempDir dir("ltx2-gemma-gguf");
    const std::string path = tiny_gguf(dir, "tiny-bf16.gguf", {});
    ParityRun run(std::string(LTX2_GOLDEN_DIR) + "/ltx23_pipelines/gemma3_generate/gemma3_generate.io.safetensors",
                  std::nullopt, path);
    run.set_tokenizer_override(LTX2_TEST_TOKENIZER_JSON);
    parity_gemma3_generate_greedy(run);
    EXPECT_TRUE(run.all_passed()) << "rel " << worst_relative(run);
    EXPECT_EQ(run.checks().size(), 6u);
}

// The output head over a quantized table: every logit is the hidden state's product with the
// decoded row, in float32 at either precision (the table is read in place).
TEST(GemmaGguf, OutputHeadDecodesAQuantizedTable) {
    TempDir dir("ltx2-gemma-gguf");
    const Gemma3Config c = wide_config();
    Layout layout;
    layout.matrices = layout.embedding = GgmlType::Q4_K;
    write_llama_cpp_gguf(dir.file("wide-q4_k.gguf"), wide_tensors(c), c, layout);
    const Gemma3Gguf gguf = open_gemma3_gguf(dir.file("wide-q4_k.gguf"));
    const Tensor table = gguf.file->dequantize("token_embd.weight", DType::F32);
    const Tensor hidden = random_uniform_tensor({c.hidden_size}, DType::F32, 1.0f, 3);
    for (const Precision precision : {Precision::F32, Precision::BF16}) {
        const double tol = 1e-5;
        const Tensor logits = Gemma3Model::load(gguf, precision).logits(hidden);
        ASSERT_EQ(logits.numel(), c.vocab_size);
        double worst = 0, scale = 0;
        for (int64_t id = 0; id < c.vocab_size; ++id) {
            double dot = 0;
            for (int64_t j = 0; j < c.hidden_size; ++j) dot += double(hidden.f32()[j]) * table.at({id, j});
            worst = std::max(worst, std::fabs(dot - double(logits.f32()[id])));
            scale = std::max(scale, std::fabs(dot));
        }
        EXPECT_LE(worst, tol * scale) << (precision == Precision::F32 ? "f32" : "bf16");
    }
}

// One-token steps of a GGUF model read the blocks in place (ggml_matvec, float32) instead of
// decoding each layer: the same values as the whole-sequence pass, which decodes the layers
// (float32: to summation order; bf16: within its bf16 products), for Q4_K, Q8_0 and a float file.
TEST(GemmaGguf, OneTokenStepsReadTheBlocksInPlace) {
    TempDir dir("ltx2-gemma-gguf");
    const Gemma3Config c = wide_config();
    const Tensors tensors = wide_tensors(c);
    const std::vector<int64_t> ids = {2, 17, 299, 5, 5, 128, 64, 1, 250, 33, 7};
    for (const GgmlType type : {GgmlType::Q4_K, GgmlType::Q8_0, GgmlType::BF16}) {
        const std::string name = fmt::format("wide-{}.gguf", ggml_type_name(type));
        Layout layout;
        layout.matrices = layout.embedding = type;
        write_llama_cpp_gguf(dir.file(name), tensors, c, layout);
        for (const auto& [precision, tol] : {std::pair{Precision::F32, 1e-5}, std::pair{Precision::BF16, 2e-2}}) {
            const Gemma3Model model = Gemma3Model::load(dir.file(name), precision);
            const Tensor whole = model.hidden_states(ids, 0).back();
            Gemma3KvCache cache = Gemma3KvCache::with_capacity(c, int64_t(ids.size()));
            (void)model.extend(std::span<const int64_t>(ids).first(3), cache);  // a prompt: the decoding path
            for (size_t t = 3; t < ids.size(); ++t) {
                const Tensor row = model.extend(std::span<const int64_t>(ids).subspan(t, 1), cache);
                const Tensor ref = whole.select(0, int64_t(t));
                EXPECT_LE(max_abs_diff(row, ref), tol * absmax(ref)) << name << " token " << t;
            }
        }
    }
}
