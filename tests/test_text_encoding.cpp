// Prompt → LTX-2 text contexts end to end: the e2e goldens (real tokenizer, tiny Gemma, tiny
// LTX text stack), the staged encode_prompts() path, the real-tokens-only shortcut against the
// padded reference computation, the full-size Gemma 3 12B layout, and the errors.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "io/safetensors.h"
#include "io/weight_store.h"
#include "models/gemma3/weights.h"
#include "parity/kinds.h"
#include "pipelines/text_encoding.h"
#include "test_util.h"

namespace {

namespace fs = std::filesystem;
using ltx2::Tensor;

const std::string kText = std::string(LTX2_GOLDEN_DIR) + "/text";
const std::string kGemma = kText + "/gemma3_tiny";
const std::string kLtx = kText + "/ltx2_text_tiny.model.safetensors";
const std::string kTokenizer = LTX2_TEST_TOKENIZER_JSON;

ltx2::TextEncoderFiles tiny_files() { return {kGemma, kTokenizer, kLtx}; }

ltx2::TextEncodingOptions at(ltx2::Precision precision) {
    ltx2::TextEncodingOptions options;
    options.precision = precision;
    return options;
}

std::shared_ptr<ltx2::SafetensorsFile> e2e_fixture(const std::string& name) {
    return ltx2::SafetensorsFile::open(kText + "/ltx2_text_e2e." + name + ".io.safetensors");
}

TEST(TextEncoding, EndToEndFixturesPass) {
    for (const char* name : {"cinematic_long", "special_image_tokens"}) {
        ltx2::ParityRun run(kText + "/ltx2_text_e2e." + std::string(name) + ".io.safetensors", std::nullopt, "");
        run.set_tokenizer_override(kTokenizer);
        ltx2::parity_ltx2_text_e2e(run);
        for (const auto& c : run.checks()) EXPECT_TRUE(c.pass) << name << " " << c.name << " rel " << c.rel_err;
        EXPECT_EQ(run.checks().size(), 4u) << name;
    }
}

TEST(TextEncoding, EncodePromptsMatchesTheGoldensInFloat32) {
    const auto io = e2e_fixture("cinematic_long");
    const std::string prompt = *io->metadata_value("prompt");
    const auto encoded = ltx2::encode_prompts(tiny_files(), {prompt}, at(ltx2::Precision::F32));
    ASSERT_EQ(encoded.size(), 1u);
    for (const char* name : {"video_context", "audio_context", "projected"}) {
        const Tensor& got = std::string(name) == "video_context"   ? encoded[0].video_context
                            : std::string(name) == "audio_context" ? encoded[0].audio_context
                                                                   : encoded[0].video_features;
        const auto check = ltx2::compare_tensors(name, got, io->tensor(std::string("out.") + name), 2e-5);
        EXPECT_TRUE(check.pass) << name << " rel " << check.rel_err;
    }
    EXPECT_EQ(encoded[0].tokens.real_tokens, 177);
}

TEST(TextEncoding, Bf16PrecisionStaysWithinTheBf16Criteria) {
    // Golden README 5: per tensor cosine ≥ 0.9995 and max abs error ≤ 5 % of the absmax.
    for (const char* name : {"cinematic_long", "special_image_tokens"}) {
        const auto io = e2e_fixture(name);
        const auto encoded =
            ltx2::encode_prompts(tiny_files(), {*io->metadata_value("prompt")}, at(ltx2::Precision::BF16));
        for (const auto& [out, got] : {std::pair{"out.video_context", encoded[0].video_context},
                                      std::pair{"out.audio_context", encoded[0].audio_context}})
            ltx2::test::expect_bf16_agreement(got, io->tensor(out), std::string(name) + " " + out);
    }
}

TEST(TextEncoding, RealTokensOnlyEqualsThePaddedReferenceComputation) {
    // The shortcut (Gemma on the real tokens at their absolute positions) against Gemma on the
    // whole left-padded 1024-token row with masks, projected the same way.
    const auto io = e2e_fixture("special_image_tokens");
    const ltx2::GemmaTokenizer tokenizer = ltx2::GemmaTokenizer::load(kTokenizer);
    const ltx2::PromptTokens tokens = ltx2::tokenize_prompt(tokenizer, *io->metadata_value("prompt"));
    const ltx2::Gemma3Model gemma = ltx2::Gemma3Model::load(kGemma, ltx2::Precision::F32);
    const std::vector<Tensor> real = ltx2::prompt_hidden_states(gemma, tokens);
    const std::vector<Tensor> padded = gemma.hidden_states_padded(tokens.ids, tokens.mask);
    ASSERT_EQ(real.size(), padded.size());
    const int64_t T = int64_t(tokens.ids.size()), V = tokens.real_tokens;
    std::vector<Tensor> padded_real_rows;
    for (size_t l = 0; l < real.size(); ++l) {
        padded_real_rows.push_back(padded[l].slice(0, T - V, T).contiguous());
        const auto check = ltx2::compare_tensors("state", real[l], padded_real_rows.back(), 1e-6);
        EXPECT_TRUE(check.pass) << "hidden state " << l << " rel " << check.rel_err;
    }
    const ltx2::EmbeddingsProcessor text = ltx2::EmbeddingsProcessor::load(kLtx, ltx2::Precision::F32);
    const auto a = ltx2::project_prompt(text, tokens, real);
    const auto b = ltx2::project_prompt(text, tokens, padded_real_rows);
    EXPECT_TRUE(ltx2::compare_tensors("video", a.video_context, b.video_context, 1e-6).pass);
    EXPECT_TRUE(ltx2::compare_tensors("audio", a.audio_context, b.audio_context, 1e-6).pass);
}

TEST(TextEncoding, SeveralPromptsAreEncodedIndependently) {
    const auto long_io = e2e_fixture("cinematic_long");
    const auto short_io = e2e_fixture("special_image_tokens");
    std::vector<std::string> stages;
    ltx2::TextEncodingOptions options = at(ltx2::Precision::F32);
    options.progress = [&](const std::string& stage, size_t i) { stages.push_back(stage + std::to_string(i)); };
    const auto encoded = ltx2::encode_prompts(
        tiny_files(), {*short_io->metadata_value("prompt"), *long_io->metadata_value("prompt")}, options);
    ASSERT_EQ(encoded.size(), 2u);
    EXPECT_TRUE(ltx2::compare_tensors("a", encoded[0].video_context, short_io->tensor("out.video_context"), 2e-5).pass);
    EXPECT_TRUE(ltx2::compare_tensors("b", encoded[1].video_context, long_io->tensor("out.video_context"), 2e-5).pass);
    // Every prompt passes Gemma before the projection stack loads.
    EXPECT_EQ(stages, (std::vector<std::string>{"tokenize0", "tokenize1", "gemma0", "gemma1", "project0", "project1"}));
}

TEST(TextEncoding, ErrorsNameTheFileAndWhatWasExpected) {
    ltx2::test::TempDir dir;
    ltx2::test::expect_error([&] { (void)ltx2::encode_prompts({kGemma, dir.file("none.json"), kLtx}, {"a cat"}); },
                             {"none.json"});
    ltx2::test::expect_error([&] { (void)ltx2::encode_prompts(tiny_files(), {"  \n "}); }, {"prompt is empty"});
    ltx2::test::expect_error([&] { (void)ltx2::encode_prompts({dir.path.string(), kTokenizer, kLtx}, {"a cat"}); },
                             {dir.path.string(), "config.json"});

    // A feature extractor sized for a different Gemma: refused before Gemma runs.
    const std::string other = dir.file("other_ltx.safetensors");
    const auto src = ltx2::SafetensorsFile::open(kLtx);
    std::vector<std::pair<std::string, Tensor>> tensors;
    for (const auto& e : src->entries())
        tensors.emplace_back(e.name, e.name == "text_embedding_projection.aggregate_embed.weight"
                                         ? Tensor::zeros({16, 16 * 5}, ltx2::DType::BF16)
                                         : src->tensor(e.name));
    ltx2::write_safetensors(other, tensors, {{"config", *src->metadata_value("config")}});
    ltx2::test::expect_error([&] { (void)ltx2::encode_prompts({kGemma, kTokenizer, other}, {"a cat"}); },
                             {other, "takes 80 features", "gives 128", "8 hidden states of width 16"});
}

TEST(TextEncoding, OverLongPromptIsTruncatedWithAWarning) {
    std::string prompt;
    for (int i = 0; i < 1200; ++i) prompt += "word ";
    testing::internal::CaptureStderr();
    const auto encoded = ltx2::encode_prompts(tiny_files(), {prompt}, at(ltx2::Precision::F32));
    const std::string err = testing::internal::GetCapturedStderr();
    EXPECT_NE(err.find("warning:"), std::string::npos) << err;
    EXPECT_NE(err.find("keeping the first 1024"), std::string::npos) << err;
    EXPECT_TRUE(encoded[0].tokens.truncated);
    EXPECT_EQ(encoded[0].tokens.real_tokens, 1024);
    EXPECT_EQ(encoded[0].video_context.shape(), (ltx2::Shape{1, 1024, 16}));
}

// A full-size Gemma 3 12B folder as google/gemma-3-12b-it ships it: config.json, five sparse
// bf16 shards holding the language model and the vision tower, the index.
std::string write_sparse_gemma_12b(const ltx2::test::TempDir& dir) {
    std::ifstream in(std::string(LTX2_GOLDEN_DIR) + "/manifest/gemma3_12b.json");
    const nlohmann::json m = nlohmann::json::parse(in);
    std::vector<ltx2::TensorEntry> entries = ltx2::test::manifest_entries(m.at("tensors"));
    for (auto& e : ltx2::test::manifest_entries(m.at("vision_tensors"))) entries.push_back(e);
    const std::string folder = dir.file("gemma-3-12b-it");
    fs::create_directories(folder);
    std::ofstream(folder + "/config.json") << m.at("config_json").dump(2);
    nlohmann::json weight_map = nlohmann::json::object();
    const size_t shards = 5, per_shard = (entries.size() + shards - 1) / shards;
    for (size_t s = 0; s < shards; ++s) {
        const std::string shard = fmt::format("model-{:05d}-of-{:05d}.safetensors", s + 1, shards);
        std::vector<ltx2::TensorEntry> part(entries.begin() + std::min(entries.size(), s * per_shard),
                                            entries.begin() + std::min(entries.size(), (s + 1) * per_shard));
        for (const auto& e : part) weight_map[e.name] = shard;
        ltx2::write_sparse_safetensors(folder + "/" + shard, part, {{"format", "pt"}});
    }
    std::ofstream(folder + "/model.safetensors.index.json") << nlohmann::json{{"weight_map", weight_map}}.dump();
    return folder;
}

TEST(TextEncoding, FullSizeGemma12bFolderLoadsWithNothingMissingOrUnexpected) {
    ltx2::test::TempDir dir;
    const std::string folder = write_sparse_gemma_12b(dir);
    const ltx2::Gemma3Config config = ltx2::load_gemma3_config(folder);
    EXPECT_TRUE(ltx2::check_matches_12b(config).empty()) << fmt::format("{}", fmt::join(ltx2::check_matches_12b(config), "; "));
    EXPECT_EQ(config.num_hidden_layers, 48);
    EXPECT_EQ(config.head_dim, 256);
    EXPECT_EQ(config.vocab_size, 262208);
    const ltx2::Gemma3Model gemma = ltx2::Gemma3Model::load(folder, ltx2::Precision::BF16);
    EXPECT_EQ(gemma.num_hidden_states(), 49);

    // Every language-model tensor is used; the vision tower in the same shards is not part of
    // the text model's names and is ignored.
    const ltx2::WeightStore store = ltx2::open_gemma3_weights(folder);
    const ltx2::Gemma3Model again = ltx2::Gemma3Model::load(store, config, ltx2::Precision::BF16);
    EXPECT_TRUE(store.unused_names().empty());
    EXPECT_EQ(store.names().size(), 626u);
}

}  // namespace

namespace {

TEST(TextEncoding, A12bWidthGemmaThatDiffersFrom12bIsNamedInAWarning) {
    // LTX hard-codes Gemma 3 12B: a model of its width that fits the projection but differs in
    // another setting runs, with a warning naming each difference.
    ltx2::test::TempDir dir;
    ltx2::Gemma3Config gemma = ltx2::gemma3_12b_config();
    gemma.num_hidden_layers = 2;
    gemma.layer_types.clear();
    const std::string ltx = dir.file("ltx.safetensors");
    ltx2::write_sparse_safetensors(ltx, {{"text_embedding_projection.aggregate_embed.weight", ltx2::DType::BF16,
                                          ltx2::Shape{3840, 3840 * 3}}});
    testing::internal::CaptureStderr();
    ltx2::check_gemma_fits_projection(gemma, "gemma-folder", ltx2::WeightStore::open(ltx, ltx2::kFeatureExtractorPrefix));
    const std::string err = testing::internal::GetCapturedStderr();
    EXPECT_NE(err.find("warning: gemma-folder: differs from Gemma 3 12B"), std::string::npos) << err;
    EXPECT_NE(err.find("num_hidden_layers: 2 (12B: 48)"), std::string::npos) << err;

    testing::internal::CaptureStderr();
    ltx2::write_sparse_safetensors(ltx, {{"text_embedding_projection.aggregate_embed.weight", ltx2::DType::BF16,
                                          ltx2::Shape{3840, 3840 * 49}}});
    ltx2::check_gemma_fits_projection(ltx2::gemma3_12b_config(), "gemma-folder",
                                      ltx2::WeightStore::open(ltx, ltx2::kFeatureExtractorPrefix));
    EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
}

}  // namespace
