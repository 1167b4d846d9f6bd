// `ltx2-quantize` on a Gemma 3 checkpoint: a GGUF in llama.cpp's layout (gemma3 metadata,
// llama.cpp names, norms as F32 1 + w, text model only, tokenizer.json's vocabulary embedded),
// which the Gemma goldens run from.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "core/dtype.h"
#include "io/gguf.h"
#include "io/safetensors.h"
#include "models/gemma3/config.h"
#include "models/gemma3/gguf_config.h"
#include "models/gemma3/gguf_names.h"
#include "models/gemma3/gguf_tokenizer.h"
#include "models/gemma3/gguf_vocabulary.h"
#include "models/gemma3/tokenizer.h"
#include "parity/kinds.h"
#include "parity/parity.h"
#include "test_util.h"

using namespace ltx2;
using ltx2::test::TempDir;
namespace fs = std::filesystem;

namespace {

const std::string kText = std::string(LTX2_GOLDEN_DIR) + "/text";
const std::string kTiny = kText + "/gemma3_tiny";
const std::string kPrefix = "language_model.model.";
const std::vector<std::string> kPrompts = {"cinematic_short", "special_bos_eos_pad", "truncated_long"};

std::string fixture(const std::string& prompt) { return kText + "/gemma3_tiny." + prompt + ".io.safetensors"; }

test::CommandResult quantize_tool(const std::string& in, const std::string& out, const std::string& type) {
    return test::run_command(fmt::format("'{}' '{}' '{}' --type {}", LTX2_QUANTIZE_BIN, in, out, type));
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// The gemma3.hidden_states kind on a prompt's fixture with weights from `weights`: the worst
// relative error of its checks (all of which must pass at `tol`).
double worst_hidden_state_error(const std::string& prompt, const std::string& weights, double tol) {
    ParityRun run(fixture(prompt), tol, weights);
    parity_gemma3_hidden_states(run);
    EXPECT_TRUE(run.all_passed()) << prompt << " from " << weights;
    EXPECT_EQ(run.checks().size(), 8u) << prompt;
    double worst = 0;
    for (const auto& c : run.checks()) worst = std::max(worst, c.rel_err);
    return worst;
}

// `ltx2-parity FIXTURE --weights FILE --tol TOL` passes every check.
void expect_parity_program_passes(const std::string& prompt, const std::string& weights, double tol) {
    const auto r = test::run_command(
        fmt::format("'{}' '{}' --weights '{}' --tol {}", LTX2_PARITY_BIN, fixture(prompt), weights, tol));
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_TRUE(contains(r.output, "gemma3.hidden_states: 8 checked, 0 failed")) << r.output;
}

double max_abs_diff(const Tensor& a, const Tensor& b) {
    const std::vector<float> x = a.to_vector(), y = b.to_vector();
    double m = 0;
    for (size_t i = 0; i < x.size(); ++i) m = std::max(m, std::fabs(double(x[i]) - y[i]));
    return m;
}

// A copy of the tiny Gemma folder in `dir` with `extra` tensors added to its checkpoint.
void copy_tiny_folder(const TempDir& dir, const std::vector<std::pair<std::string, Tensor>>& extra) {
    const auto src = SafetensorsFile::open(kTiny + "/model.safetensors");
    std::vector<std::pair<std::string, Tensor>> tensors = extra;
    for (const auto& e : src->entries()) tensors.emplace_back(e.name, src->tensor(e.name));
    write_safetensors(dir.file("model.safetensors"), tensors);
    fs::copy_file(kTiny + "/config.json", dir.file("config.json"));
}

}  // namespace

// The tiny folder (no tokenizer.json) to Q8_0: llama.cpp's metadata, names and types; norms
// stored as 1 + w exactly; 16-wide matrices (the table too) fall back to F16, which holds their
// bf16 values but for those below f16's normal range (rounded to its 2^-24 subnormal step); the
// 32- and 64-wide ones (attn_output, ffn_down) are Q8_0 within the analytic bound of
// test_quantize.cpp (4.43e-3 of each tensor's max |w|).
TEST(QuantizeGemma, TinyFolderBecomesALlamaCppGguf) {
    TempDir dir("ltx2-quantize-gemma");
    const std::string out = dir.file("tiny-q8_0.gguf");
    const auto r = quantize_tool(kTiny, out, "q8_0");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_TRUE(contains(r.output, "has no tokenizer.json")) << r.output;
    EXPECT_TRUE(contains(r.output, "`--gemma " + out + "` will then need a tokenizer")) << r.output;
    EXPECT_FALSE(contains(r.output, "skipping")) << r.output;
    EXPECT_TRUE(contains(r.output, "[93/93]")) << r.output;

    const auto file = GgufFile::open(out);
    EXPECT_EQ(file->get_string("general.architecture"), "gemma3");
    EXPECT_EQ(file->get_u32("general.file_type"), 7u);
    EXPECT_EQ(file->get_u32("gemma3.embedding_length"), 16u);
    EXPECT_EQ(file->get_u32("gemma3.block_count"), 7u);
    EXPECT_FALSE(file->has_key("ltx2.config"));
    EXPECT_FALSE(file->has_key("tokenizer.ggml.model"));
    const Gemma3Config ref = load_gemma3_config(kTiny), c = gemma3_config_from_gguf(*file);
    EXPECT_EQ(c.vocab_size, ref.vocab_size);
    EXPECT_EQ(c.intermediate_size, ref.intermediate_size);
    EXPECT_EQ(c.num_attention_heads, ref.num_attention_heads);
    EXPECT_EQ(c.num_key_value_heads, ref.num_key_value_heads);
    EXPECT_EQ(c.head_dim, ref.head_dim);
    EXPECT_EQ(c.attention_scale(), ref.attention_scale());
    EXPECT_EQ(c.rope_linear_factor, ref.rope_linear_factor);
    EXPECT_EQ(c.sliding_window, ref.sliding_window);

    const auto src = SafetensorsFile::open(kTiny + "/model.safetensors");
    std::set<std::string> expected_keys, keys;
    for (const auto& t : file->tensors()) keys.insert(t.name);
    size_t quantized = 0;
    for (const auto& e : src->entries()) {
        ASSERT_TRUE(e.name.starts_with(kPrefix)) << e.name;
        const std::string key = gemma3_llama_cpp_name(e.name.substr(kPrefix.size()));
        expected_keys.insert(key);
        const GgufTensorInfo& info = file->info(key);
        EXPECT_EQ(info.shape, e.shape) << key;
        const Tensor stored = src->tensor(e.name).to(DType::F32);
        const Tensor got = file->dequantize(key);
        if (e.shape.size() == 1) {
            EXPECT_EQ(info.type, GgmlType::F32) << key;
            std::vector<float> plus_one = stored.to_vector();
            for (float& x : plus_one) x += 1.0f;
            EXPECT_EQ(got.to_vector(), plus_one) << key;
        } else if (e.shape[1] % 32 == 0) {
            ++quantized;
            EXPECT_EQ(info.type, GgmlType::Q8_0) << key;
            const double err = max_abs_diff(got, stored);
            EXPECT_LE(err, 4.43e-3 * max_abs_diff(stored, Tensor::zeros(e.shape))) << key;  // of max |w|
            EXPECT_GT(err, 0.0) << key;
        } else {
            EXPECT_EQ(info.type, GgmlType::F16) << key;
            EXPECT_EQ(got.to_vector(), stored.to(DType::F16).to(DType::F32).to_vector()) << key;
            EXPECT_LE(max_abs_diff(got, stored), 0x1p-25) << key;  // f16 keeps bf16 but for tiny subnormals
        }
    }
    EXPECT_EQ(keys, expected_keys);
    EXPECT_EQ(quantized, 14u);  // attn_output and ffn_down of the 7 layers
    EXPECT_EQ(file->info("token_embd.weight").type, GgmlType::F16);
    EXPECT_EQ(file->info("blk.0.attn_q_norm.weight").type, GgmlType::F32);
    EXPECT_FALSE(file->has("output.weight"));
}

// The gemma3.hidden_states goldens from the Q8_0 copy, within the tolerance
// tests/test_gemma_gguf.cpp justifies for these Q8_0 matrices (5e-2 of each state's absmax;
// measured up to 3.4 %), and measurably off the float run (which matches the goldens to ~1e-5).
TEST(QuantizeGemma, TinyGoldensRunFromTheQ8_0Copy) {
    TempDir dir("ltx2-quantize-gemma");
    const std::string out = dir.file("tiny-q8_0.gguf");
    const auto r = quantize_tool(kTiny, out, "q8_0");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const double tol = 5e-2;
    for (const std::string& prompt : kPrompts) {
        const double worst = worst_hidden_state_error(prompt, out, tol);
        const double worst_float = worst_hidden_state_error(prompt, kTiny, tol);
        EXPECT_GT(worst, 1e-3) << prompt << ": no quantization error: were the Q8_0 blocks used?";
        EXPECT_LE(worst_float, 1e-4) << prompt;
        std::printf("[ q8_0 ] %s: worst relative error %.3g (float run %.3g, tolerance %.3g)\n", prompt.c_str(), worst,
                    worst_float, tol);
        expect_parity_program_passes(prompt, out, tol);
    }
}

// A folder with tokenizer.json and the multimodal checkpoint's vision tensors: the vision
// tensors are left out (and said so), the vocabulary is embedded with llama.cpp's special-token
// ids, and the file's tokenizer gives tokenizer.json's ids; the golden still runs from it.
TEST(QuantizeGemma, TokenizerJsonIsEmbeddedAndVisionTensorsAreLeftOut) {
    TempDir dir("ltx2-quantize-gemma");
    copy_tiny_folder(dir, {{"vision_tower.vision_model.post_layernorm.weight", Tensor::zeros({8}, DType::BF16)},
                           {"multi_modal_projector.mm_input_projection_weight", Tensor::zeros({8, 16}, DType::BF16)}});
    fs::copy_file(LTX2_TEST_TOKENIZER_JSON, dir.file("tokenizer.json"));
    const std::string out = dir.file("tiny-q8_0.gguf");
    const auto r = quantize_tool(dir.path.string(), out, "q8_0");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_FALSE(contains(r.output, "tokenizer.json")) << r.output;
    EXPECT_TRUE(contains(r.output, "skipping 2 tensors outside the text model "
                                   "(multi_modal_projector.*, vision_tower.*)"))
        << r.output;

    const auto file = GgufFile::open(out);
    EXPECT_EQ(file->tensors().size(), 93u);
    for (const auto& t : file->tensors())
        EXPECT_FALSE(t.name.starts_with("v.") || contains(t.name, "vision")) << t.name;
    const GgufVocabulary vocabulary = gguf_vocabulary_from_tokenizer_json(LTX2_TEST_TOKENIZER_JSON);
    EXPECT_EQ(file->get_string_array("tokenizer.ggml.tokens"), vocabulary.tokens);
    std::ifstream golden_tokens(kText + "/gemma3_tokenizer/gemma3_tokens.json");
    const nlohmann::json golden = nlohmann::json::parse(golden_tokens);
    EXPECT_EQ(file->get_u32("tokenizer.ggml.bos_token_id"), golden.at("bos_id").get<uint32_t>());
    EXPECT_EQ(file->get_u32("tokenizer.ggml.padding_token_id"), golden.at("pad_id").get<uint32_t>());
    EXPECT_EQ(vocabulary.tokens.at(file->get_u32("tokenizer.ggml.eos_token_id")), "<eos>");
    EXPECT_TRUE(file->get_bool("tokenizer.ggml.add_bos_token"));

    const GemmaTokenizer embedded = gemma_tokenizer_from_gguf(*file);
    const GemmaTokenizer json = GemmaTokenizer::load(LTX2_TEST_TOKENIZER_JSON);
    size_t nonempty = 0;
    for (const nlohmann::json& p : golden.at("prompts")) {
        const std::string text = p.at("stripped").get<std::string>();
        const std::vector<int32_t> ids = json.encode(text);
        EXPECT_EQ(embedded.encode(text), ids) << p.at("name");
        nonempty += !ids.empty();
    }
    EXPECT_GT(nonempty, 5u);

    expect_parity_program_passes("cinematic_short", out, 5e-2);
}

TEST(QuantizeGemma, ErrorsNameTheCheckpointAndTensor) {
    TempDir dir("ltx2-quantize-gemma");
    copy_tiny_folder(dir, {{kPrefix + "layers.0.mlp.fc1.weight", Tensor::zeros({64, 16}, DType::BF16)}});
    auto r = quantize_tool(dir.path.string(), dir.file("out.gguf"), "q8_0");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_TRUE(contains(r.output, "tensor '" + kPrefix + "layers.0.mlp.fc1.weight'")) << r.output;
    EXPECT_TRUE(contains(r.output, "not a Gemma 3 text-model tensor name")) << r.output;
    EXPECT_FALSE(fs::exists(dir.file("out.gguf")));

    TempDir bare("ltx2-quantize-gemma");
    fs::copy_file(kTiny + "/model.safetensors", bare.file("model.safetensors"));
    r = quantize_tool(bare.file("model.safetensors"), bare.file("out.gguf"), "q8_0");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_TRUE(contains(r.output, bare.file("config.json") + " is missing")) << r.output;
}
