// Gemma 3 text generation for prompt enhancement: the KV cache against the whole-sequence
// forward, the tied output head, the sampler (greedy, temperature, top-k, top-p, seeded draws),
// stop conditions, the tokenizer's decoder, the chat template and token layout, the response
// cleaning, generation_config.json, the greedy golden (and that it catches a changed model), and
// the enhancer's errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "app/demo_tokenizer.h"
#include "core/error.h"
#include "io/safetensors.h"
#include "models/gemma3/generate.h"
#include "models/gemma3/generation_config.h"
#include "models/gemma3/model.h"
#include "models/gemma3/tokenizer.h"
#include "models/token_sampling.h"
#include "parity/kinds.h"
#include "pipelines/enhancer_prompts.h"
#include "pipelines/prompt_enhancement.h"
#include "app_test_util.h"
#include "test_util.h"

using namespace ltx2;
using ltx2::test::expect_error;
using ltx2::test::max_abs_diff;
using ltx2::test::TempDir;
namespace fs = std::filesystem;

namespace {

const std::string kTiny = std::string(LTX2_GOLDEN_DIR) + "/text/gemma3_tiny";
const std::string kFixture =
    std::string(LTX2_GOLDEN_DIR) + "/ltx23_pipelines/gemma3_generate/gemma3_generate.io.safetensors";

// A prompt longer than the tiny model's sliding window (4), so local layers drop keys.
const std::vector<int64_t> kPromptIds = {2, 2, 105, 2364, 107, 818, 2076, 15264, 563, 1217, 236761, 106, 107};

double absmax(const Tensor& t) {
    double m = 0;
    for (float v : t.to_vector()) m = std::max(m, std::fabs(double(v)));
    return m;
}

const GemmaTokenizer& real_tokenizer() {
    static const GemmaTokenizer tokenizer = GemmaTokenizer::load(LTX2_TEST_TOKENIZER_JSON);
    return tokenizer;
}

// Runs the greedy golden through its parity kind, optionally with other weights.
ParityRun run_greedy_golden(const std::string& weights = "") {
    ParityRun run(kFixture, std::nullopt, weights);
    run.set_tokenizer_override(LTX2_TEST_TOKENIZER_JSON);
    parity_gemma3_generate_greedy(run);
    return run;
}

}  // namespace

// ---- the model: KV cache and output head ------------------------------------------------------

TEST(Gemma3Generate, KvCacheGivesTheWholeSequenceResult) {
    for (const Precision precision : {Precision::F32, Precision::BF16}) {
        const Gemma3Model model = Gemma3Model::load(kTiny, precision);
        const Tensor whole = model.hidden_states(kPromptIds, 0).back();
        const int64_t T = int64_t(kPromptIds.size());
        const double scale = absmax(whole);
        const double tolerance = precision == Precision::F32 ? 1e-5 : 2e-2;

        // The prompt in one pass, then in pieces of 1 and 5 tokens: each last row must match.
        Gemma3KvCache one_pass = Gemma3KvCache::with_capacity(model.config(), T);
        const Tensor last = model.extend(kPromptIds, one_pass);
        EXPECT_EQ(one_pass.length, T);
        EXPECT_LE(max_abs_diff(last, whole.select(0, T - 1)), tolerance * scale);
        for (const int64_t piece : {int64_t(1), int64_t(5)}) {
            Gemma3KvCache cache = Gemma3KvCache::with_capacity(model.config(), T);
            for (int64_t start = 0; start < T; start += piece) {
                const int64_t end = std::min(T, start + piece);
                const Tensor row = model.extend(std::span<const int64_t>(kPromptIds).subspan(size_t(start), size_t(end - start)), cache);
                EXPECT_LE(max_abs_diff(row, whole.select(0, end - 1)), tolerance * scale)
                    << "piece " << piece << " ending at " << end;
            }
        }
    }
}

TEST(Gemma3Generate, CacheOverflowAndLayerMismatchAreErrors) {
    const Gemma3Model model = Gemma3Model::load(kTiny, Precision::F32);
    Gemma3KvCache cache = Gemma3KvCache::with_capacity(model.config(), 4);
    expect_error([&] { model.extend(kPromptIds, cache); }, {"KV cache holds 0 of 4 tokens", "13 more"});
    Gemma3KvCache wrong;
    expect_error([&] { model.extend(kPromptIds, wrong); }, {"KV cache has 0 layers", "7"});
}

TEST(Gemma3Generate, LogitsAreTheHiddenStateTimesTheTokenTable) {
    const Gemma3Model model = Gemma3Model::load(kTiny, Precision::F32);
    const Tensor hidden = model.hidden_states(kPromptIds, 0).back().select(0, int64_t(kPromptIds.size()) - 1);
    const Tensor logits = model.logits(hidden);
    ASSERT_EQ(logits.numel(), model.config().vocab_size);
    const Tensor table = SafetensorsFile::open(kTiny + "/model.safetensors")
                             ->tensor("language_model.model.embed_tokens.weight")
                             .to(DType::F32);
    const std::vector<float> h = hidden.to_vector();
    for (const int64_t id : {int64_t(0), int64_t(2), int64_t(4096), int64_t(131071), model.config().vocab_size - 1}) {
        double dot = 0;
        for (int64_t j = 0; j < model.config().hidden_size; ++j) dot += double(h[size_t(j)]) * table.at({id, j});
        EXPECT_NEAR(logits.f32()[id], dot, 1e-5 * std::max(1.0, std::fabs(dot))) << "token " << id;
    }
}

// ---- generation and stop conditions -----------------------------------------------------------

TEST(Gemma3Generate, StopsAtTheTokenLimitOrAfterAStopToken) {
    const Gemma3Model model = Gemma3Model::load(kTiny, Precision::F32);
    Gemma3GenerateOptions options;
    options.max_new_tokens = 5;
    int steps = 0;
    options.on_step = [&](int step, const Tensor& logits, int64_t id) {
        EXPECT_EQ(step, steps++);
        EXPECT_EQ(id, argmax_first(std::span<const float>(logits.f32(), size_t(logits.numel()))));
    };
    const Gemma3Generation free_run = gemma3_generate(model, kPromptIds, options);
    ASSERT_EQ(free_run.ids.size(), 5u);
    EXPECT_EQ(free_run.stopped_by, StopReason::TokenLimit);
    EXPECT_EQ(steps, 5);

    // A later token that is new declared a stop token: generation ends with it, the same ids before.
    size_t stop_at = 1;
    while (stop_at < free_run.ids.size() && std::count(free_run.ids.begin(), free_run.ids.begin() + stop_at,
                                                         free_run.ids[stop_at]) > 0)
        ++stop_at;
    ASSERT_LT(stop_at, free_run.ids.size());
    options.on_step = nullptr;
    options.stop_ids = {free_run.ids[stop_at]};
    const Gemma3Generation stopped = gemma3_generate(model, kPromptIds, options);
    EXPECT_EQ(stopped.stopped_by, StopReason::StopToken);
    EXPECT_EQ(stopped.ids, std::vector<int64_t>(free_run.ids.begin(), free_run.ids.begin() + stop_at + 1));

    options.stop_ids.clear();
    options.max_new_tokens = 1;
    const Gemma3Generation single = gemma3_generate(model, kPromptIds, options);
    EXPECT_EQ(single.ids, std::vector<int64_t>{free_run.ids[0]});
    EXPECT_EQ(single.stopped_by, StopReason::TokenLimit);

    options.max_new_tokens = 0;
    expect_error([&] { gemma3_generate(model, kPromptIds, options); }, {"max_new_tokens 0"});
    options.max_new_tokens = 2;
    expect_error([&] { gemma3_generate(model, std::span<const int64_t>(), options); }, {"no tokens"});
}

TEST(Gemma3Generate, SampledGenerationIsSeeded) {
    const Gemma3Model model = Gemma3Model::load(kTiny, Precision::F32);
    Gemma3GenerateOptions options;
    options.max_new_tokens = 12;
    options.sampling = {false, 5.0, 40, 1.0};  // hot: many candidates, so seeds matter
    options.seed = 7;
    const auto a = gemma3_generate(model, kPromptIds, options).ids;
    EXPECT_EQ(gemma3_generate(model, kPromptIds, options).ids, a);
    options.seed = 8;
    EXPECT_NE(gemma3_generate(model, kPromptIds, options).ids, a);
}

// ---- the golden ---------------------------------------------------------------------------------

TEST(Gemma3Generate, GreedyGoldenPasses) {
    const ParityRun run = run_greedy_golden();
    EXPECT_EQ(run.checks().size(), 6u);  // one logits check per step
    for (const auto& c : run.checks()) EXPECT_TRUE(c.pass) << c.name << " rel " << c.rel_err;
}

TEST(Gemma3Generate, GreedyGoldenCatchesAChangedModel) {
    TempDir dir;
    const auto file = SafetensorsFile::open(kTiny + "/model.safetensors");
    std::vector<std::pair<std::string, Tensor>> tensors;
    for (const auto& e : file->entries()) {
        Tensor t = file->tensor(e.name);
        if (e.name == "language_model.model.norm.weight") {  // the final norm, slightly changed
            t = t.to(DType::F32);
            t.f32()[0] += 0.25f;
            t = t.to(DType::BF16);
        }
        tensors.emplace_back(e.name, t);
    }
    write_safetensors(dir.file("model.safetensors"), tensors, file->metadata());
    fs::copy_file(kTiny + "/config.json", dir.file("config.json"));
    bool caught = false;
    try {
        caught = !run_greedy_golden(dir.file("model.safetensors")).all_passed();
    } catch (const Error&) {
        caught = true;  // the generated ids differ
    }
    EXPECT_TRUE(caught);
}

// ---- the sampler --------------------------------------------------------------------------------

TEST(TokenSampling, GreedyTakesTheFirstLargestLogit) {
    const std::vector<float> logits = {0.5f, 2.f, -1.f, 2.f};
    EXPECT_EQ(argmax_first(logits), 1);
    TokenSampler greedy({}, 123);
    for (int i = 0; i < 3; ++i) EXPECT_EQ(greedy.next(logits), 1);
}

TEST(TokenSampling, TemperatureScalesTheLogits) {
    const std::vector<float> logits = {0.f, float(std::log(2.0))};
    auto p = sampling_candidates(logits, {false, 1.0, 0, 1.0});
    ASSERT_EQ(p.size(), 2u);
    EXPECT_EQ(p[0].id, 1);
    EXPECT_NEAR(p[0].probability, 2.0 / 3.0, 1e-6);
    p = sampling_candidates(logits, {false, 0.5, 0, 1.0});
    EXPECT_NEAR(p[0].probability, 4.0 / 5.0, 1e-6);
}

TEST(TokenSampling, TopKKeepsTiesAtTheThreshold) {
    const std::vector<float> logits = {5.f, 4.f, 1.f, 4.f, 0.f};
    auto c = sampling_candidates(logits, {false, 1.0, 2, 1.0});
    ASSERT_EQ(c.size(), 3u);
    EXPECT_EQ(c[0].id, 0);
    EXPECT_EQ(c[1].id, 1);  // equal logits: the lower id first
    EXPECT_EQ(c[2].id, 3);
    c = sampling_candidates(logits, {false, 1.0, 1, 1.0});
    ASSERT_EQ(c.size(), 1u);
    EXPECT_EQ(c[0].probability, 1.0);
}

TEST(TokenSampling, TopPKeepsTheSmallestLikelySet) {
    std::vector<float> logits;
    for (const double p : {0.15, 0.5, 0.05, 0.3}) logits.push_back(float(std::log(p)));
    // 1 − top_p = 0.25: the least likely 0.05 and 0.15 (0.20 together) go, 0.3 stays.
    const auto c = sampling_candidates(logits, {false, 1.0, 0, 0.75});
    ASSERT_EQ(c.size(), 2u);
    EXPECT_EQ(c[0].id, 1);
    EXPECT_EQ(c[1].id, 3);
    EXPECT_NEAR(c[0].probability, 0.5 / 0.8, 1e-6);
    EXPECT_NEAR(c[1].probability, 0.3 / 0.8, 1e-6);
    // A tiny top_p still keeps the most likely token.
    EXPECT_EQ(sampling_candidates(logits, {false, 1.0, 0, 1e-9}).size(), 1u);
}

TEST(TokenSampling, SeededDrawsFollowTheProbabilities) {
    std::vector<float> logits;
    for (const double p : {0.15, 0.5, 0.05, 0.3}) logits.push_back(float(std::log(p)));
    const SamplingOptions options{false, 1.0, 0, 0.75};  // candidates 1 (0.625) and 3 (0.375)
    TokenSampler a(options, 42), b(options, 42), c(options, 43);
    std::map<int64_t, int> counts;
    bool differs = false;
    constexpr int kDraws = 20000;
    for (int i = 0; i < kDraws; ++i) {
        const int64_t x = a.next(logits);
        EXPECT_EQ(x, b.next(logits));
        differs = differs || x != c.next(logits);
        ++counts[x];
    }
    EXPECT_TRUE(differs);
    EXPECT_EQ(counts.size(), 2u);
    EXPECT_NEAR(counts[1] / double(kDraws), 0.625, 0.02);
    EXPECT_NEAR(counts[3] / double(kDraws), 0.375, 0.02);
}

TEST(TokenSampling, BadSettingsAreNamed) {
    expect_error([] { TokenSampler({false, 0.0, 0, 1.0}, 1); }, {"temperature 0"});
    expect_error([] { TokenSampler({false, 1.0, -1, 1.0}, 1); }, {"top_k -1"});
    expect_error([] { TokenSampler({false, 1.0, 0, 1.5}, 1); }, {"top_p 1.5"});
}

// ---- generation_config.json ---------------------------------------------------------------------

TEST(GenerationConfig, ReadsGemmaInstructSettings) {
    const GenerationConfig c = parse_generation_config(
        R"({"bos_token_id": 2, "do_sample": true, "eos_token_id": [1, 106], "pad_token_id": 0, "top_k": 64, "top_p": 0.95})",
        "generation_config.json");
    EXPECT_EQ(c.eos_token_ids, (std::vector<int64_t>{1, 106}));
    EXPECT_EQ(c.top_k, 64);
    EXPECT_DOUBLE_EQ(*c.top_p, 0.95);
    EXPECT_FALSE(c.temperature.has_value());
    EXPECT_EQ(parse_generation_config(R"({"eos_token_id": 1})", "g").eos_token_ids, std::vector<int64_t>{1});
    expect_error([] { parse_generation_config(R"({"top_p": 2})", "/m/generation_config.json"); },
                 {"/m/generation_config.json", "top_p 2"});
    expect_error([] { parse_generation_config(R"({"eos_token_id": "x"})", "g.json"); }, {"g.json", "eos_token_id"});
    TempDir dir;
    EXPECT_TRUE(load_generation_config(dir.path.string()).eos_token_ids.empty());  // no file: nothing set
}

// ---- tokens and text ----------------------------------------------------------------------------

TEST(GemmaTokenizerDecode, RoundTripsTextAndSkipsSpecialTokens) {
    const GemmaTokenizer& t = real_tokenizer();
    const std::string text = "A red kite\n\ndances — «très» 日本 🪁 <start_of_turn>model";
    const std::vector<int32_t> ids32 = t.encode(text);
    const std::vector<int64_t> ids(ids32.begin(), ids32.end());
    EXPECT_EQ(t.decode(ids, /*skip_special=*/false), text);
    EXPECT_EQ(t.decode(ids), "A red kite\n\ndances — «très» 日本 🪁 model");
    // A byte run that is not UTF-8 decodes to U+FFFD per byte.
    const std::vector<int64_t> broken = {t.token_id("<0xE6>"), t.token_id("<0x97>")};
    EXPECT_EQ(t.decode(broken), "\xEF\xBF\xBD\xEF\xBF\xBD");
    EXPECT_TRUE(t.is_special(t.token_id("<bos>")));
    EXPECT_FALSE(t.is_special(t.token_id("\n")));
    expect_error([&] { t.decode(std::vector<int64_t>{int64_t(t.vocab_size())}); }, {"out of range"});
}

TEST(EnhancerPrompts, ChatTemplateAndTokenLayout) {
    EXPECT_EQ(gemma3_chat_text("Be brief.", "  user prompt: a cat \n"),
              "<bos><start_of_turn>user\nBe brief.\n\nuser prompt: a cat<end_of_turn>\n<start_of_turn>model\n");
    EXPECT_EQ(enhancer_user_message(EnhanceMode::TextToVideo, "a cat"), "user prompt: a cat");
    EXPECT_EQ(enhancer_user_message(EnhanceMode::ImageToVideo, "a cat"), "User Raw Input Prompt: a cat.");
    EXPECT_NE(enhancer_system_prompt(EnhanceMode::ImageToVideo).find("not shown the image"), std::string_view::npos);

    const EnhancerInput in = enhancer_input(real_tokenizer(), gemma3_chat_text("Be brief.", "a cat"));
    ASSERT_EQ(in.ids.size() % 8, 0u);
    ASSERT_EQ(in.ids.size(), in.mask.size());
    ASSERT_EQ(in.ids.size(), in.positions.size());
    for (int64_t i = 0; i < in.padding; ++i) {
        EXPECT_EQ(in.ids[size_t(i)], 0);
        EXPECT_EQ(in.mask[size_t(i)], 0);
        EXPECT_EQ(in.positions[size_t(i)], 1);
    }
    const std::vector<int64_t> real = in.real_ids();
    ASSERT_GE(real.size(), 3u);
    EXPECT_EQ(real[0], 2);  // <bos><bos><start_of_turn>
    EXPECT_EQ(real[1], 2);
    EXPECT_EQ(real[2], 105);
    EXPECT_EQ(real.back(), 107);  // "\n" after "model"
    EXPECT_EQ(in.positions.back(), int64_t(real.size()) - 1);
}

TEST(EnhancerPrompts, CleaningFollowsTheReference) {
    EXPECT_EQ(clean_enhanced_prompt("\u201cA cat\u2019s paw\u201d \u2014 slow\u00a0motion."), "A cat's paw\" - slow motion.");
    EXPECT_EQ(clean_enhanced_prompt("**1.** The camera pans.\n\n"), "The camera pans.");
    EXPECT_EQ(clean_enhanced_prompt("計計 rain"), "計計 rain");
    EXPECT_EQ(clean_enhanced_prompt("... 42 !"), "");
}

// ---- the enhancer's errors ----------------------------------------------------------------------

TEST(PromptEnhancement, RefusesWhatIsNotAGemmaInstructModel) {
    TempDir dir;
    PromptEnhancerSettings s;
    s.gemma = dir.file("notes.txt");
    test::write_file(s.gemma, "hello");
    expect_error([&] { enhance_prompt("a cat", s); }, {s.gemma, "expected a Hugging Face Gemma 3 instruct folder"});

    s.gemma = dir.file("llama");
    test::write_file(fs::path(s.gemma) / "config.json", R"({"model_type": "llama", "hidden_size": 16})");
    expect_error([&] { enhance_prompt("a cat", s); }, {"llama", "config.json"});

    // A base model's vocabulary without the chat-turn tokens.
    s.gemma = dir.file("base");
    fs::create_directories(s.gemma);
    fs::copy_file(kTiny + "/config.json", fs::path(s.gemma) / "config.json");
    std::string json = build_demo_tokenizer().json_text;
    for (const std::string token : {"<start_of_turn>", "<end_of_turn>"})
        for (size_t at; (at = json.find(token)) != std::string::npos;)
            json.replace(at, token.size(), "<unused_" + token.substr(1));
    test::write_file(fs::path(s.gemma) / "tokenizer.json", json);
    expect_error([&] { enhance_prompt("a cat", s); }, {s.gemma, "no <start_of_turn> token", "instruct"});

    expect_error([&] { enhance_prompt(" \n ", s); }, {"prompt is empty"});
}
