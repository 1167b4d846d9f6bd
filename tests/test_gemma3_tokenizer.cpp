// The Gemma 3 tokenizer and LTX-2's prompt wrapper: all 44 golden prompts (tokenizer.json and
// the GGUF-style vocabulary path), str.strip() semantics, BPE rules on a small vocabulary, and
// errors.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/error.h"
#include "models/gemma3/prompt_tokens.h"
#include "io/gguf.h"
#include "io/gguf_writer.h"
#include "models/gemma3/gguf_tokenizer.h"
#include "models/gemma3/gguf_vocabulary.h"
#include "models/gemma3/tokenizer.h"
#include "models/gemma3/tokenizer_json_reader.h"
#include "small_tokenizer.h"
#include "test_util.h"

using namespace ltx2;
using ltx2::test::expect_error;
using ltx2::test::small_tokenizer;
using ltx2::test::TempDir;
using nlohmann::json;

namespace {

const std::string kTokenizerJson = LTX2_TEST_TOKENIZER_JSON;
const std::string kTokensJson = std::string(LTX2_GOLDEN_DIR) + "/text/gemma3_tokenizer/gemma3_tokens.json";

struct GoldenPrompt {
    std::string name, prompt, stripped;
    int num_tokens = 0, untruncated_num_tokens = 0;
    bool truncated = false;
    std::vector<int64_t> ids, mask;
};

const json& golden_file() {
    static const json file = [] {
        std::ifstream in(kTokensJson);
        if (!in) fail("cannot open {}", kTokensJson);
        return json::parse(in);
    }();
    return file;
}

const std::vector<GoldenPrompt>& golden_prompts() {
    static const std::vector<GoldenPrompt> prompts = [] {
        std::vector<GoldenPrompt> out;
        for (const json& p : golden_file().at("prompts"))
            out.push_back({p.at("name").get<std::string>(), p.at("prompt").get<std::string>(),
                           p.at("stripped").get<std::string>(), p.at("num_tokens").get<int>(),
                           p.at("untruncated_num_tokens").get<int>(), p.at("truncated").get<bool>(),
                           p.at("ids").get<std::vector<int64_t>>(), p.at("mask").get<std::vector<int64_t>>()});
        return out;
    }();
    return prompts;
}

// The real tokenizer.json, loaded once per test binary.
const GemmaTokenizer& gemma() {
    static const GemmaTokenizer tokenizer = GemmaTokenizer::load(kTokenizerJson);
    return tokenizer;
}

const GemmaTokenizer& gemma_from_scores() {
    static const GemmaTokenizer tokenizer = [] {
        GgufVocabulary v = gguf_vocabulary_from_tokenizer_json(kTokenizerJson);
        return GemmaTokenizer::from_vocabulary(std::move(v.tokens), v.scores, v.types);
    }();
    return tokenizer;
}

// Every golden prompt through `tokenizer`: stripped text, ids, mask and counts exact. The three
// empty prompts are refused by default and match the reference when allowed.
void expect_golden_prompts(const GemmaTokenizer& tokenizer) {
    const json& file = golden_file();
    const int max_length = file.at("max_length");
    ASSERT_EQ(max_length, 1024);
    EXPECT_EQ(tokenizer.token_id("<bos>"), file.at("bos_id").get<int>());
    EXPECT_EQ(tokenizer.token_id("<pad>"), file.at("pad_id").get<int>());
    ASSERT_EQ(golden_prompts().size(), 44u);
    int empty = 0;
    for (const GoldenPrompt& g : golden_prompts()) {
        SCOPED_TRACE(g.name);
        EXPECT_EQ(strip_python_whitespace(g.prompt), g.stripped);
        PromptTokens got;
        if (g.stripped.empty()) {
            ++empty;
            expect_error([&] { tokenize_prompt(tokenizer, g.prompt, max_length); }, {"prompt is empty"});
            got = tokenize_prompt(tokenizer, g.prompt, max_length, EmptyPrompt::Allow);
        } else {
            testing::internal::CaptureStderr();
            got = tokenize_prompt(tokenizer, g.prompt, max_length);
            const std::string warnings = testing::internal::GetCapturedStderr();
            EXPECT_EQ(warnings.empty(), !g.truncated) << warnings;
        }
        EXPECT_EQ(got.ids, g.ids);
        EXPECT_EQ(got.mask, g.mask);
        EXPECT_EQ(got.real_tokens, g.num_tokens);
        EXPECT_EQ(got.untruncated_tokens, g.untruncated_num_tokens);
        EXPECT_EQ(got.truncated, g.truncated);
    }
    EXPECT_EQ(empty, 3);
}

const GoldenPrompt& golden(const std::string& name) {
    for (const GoldenPrompt& g : golden_prompts())
        if (g.name == name) return g;
    fail("no golden prompt {}", name);
}

std::string write_json(const TempDir& dir, const json& j, const std::string& name = "tokenizer.json") {
    const std::string path = dir.file(name);
    std::ofstream(path) << j.dump();
    return path;
}

}  // namespace

TEST(Gemma3Tokenizer, LoadsTheRealVocabulary) {
    const GemmaTokenizer& t = gemma();
    EXPECT_EQ(t.vocab_size(), 262145u);  // 262144 vocab entries + <image_soft_token>
    EXPECT_EQ(t.added_token_count(), 6415u);
    EXPECT_EQ(t.merge_count(), 514906u);
    EXPECT_EQ(t.token_id("<pad>"), 0);
    EXPECT_EQ(t.token_id("<bos>"), 2);
    EXPECT_EQ(t.token_id("<image_soft_token>"), 262144);
    EXPECT_EQ(t.token_text(262144), "<image_soft_token>");
    EXPECT_EQ(t.source(), kTokenizerJson);
}

TEST(Gemma3Tokenizer, AllGoldenPromptsFromTokenizerJson) { expect_golden_prompts(gemma()); }

TEST(Gemma3Tokenizer, AllGoldenPromptsFromVocabularyScores) {
    EXPECT_EQ(gemma_from_scores().vocab_size(), 262145u);
    // Sentencepiece-style merging allows every split of every token; for Gemma 3 that is
    // exactly the merge list of tokenizer.json.
    EXPECT_EQ(gemma_from_scores().merge_count(), 514906u);
    expect_golden_prompts(gemma_from_scores());
}

TEST(Gemma3Tokenizer, AllGoldenPromptsFromVocabularyMergeList) {
    GgufVocabulary v = gguf_vocabulary_from_tokenizer_json(kTokenizerJson);
    const GemmaTokenizer t = GemmaTokenizer::from_vocabulary(std::move(v.tokens), v.scores, v.types, v.merges);
    EXPECT_EQ(t.merge_count(), 514906u);
    expect_golden_prompts(t);
}

TEST(Gemma3Tokenizer, AllGoldenPromptsFromAnEmbeddedGgufVocabulary) {
    // The vocabulary as llama.cpp stores it in a Gemma 3 GGUF, written by our GGUF writer and
    // read back through the reader.
    const GgufVocabulary v = gguf_vocabulary_from_tokenizer_json(kTokenizerJson);
    TempDir dir;
    GgufWriter writer;
    writer.set_string("general.architecture", "gemma3");
    writer.set_string("tokenizer.ggml.model", "llama");
    writer.set_string_array("tokenizer.ggml.tokens", v.tokens);
    writer.set_f32_array("tokenizer.ggml.scores", v.scores);
    writer.set_i32_array("tokenizer.ggml.token_type", v.types);
    writer.write(dir.file("vocab.gguf"));
    const auto file = GgufFile::open(dir.file("vocab.gguf"));
    expect_golden_prompts(gemma_tokenizer_from_gguf(*file));

    GgufWriter no_tokenizer;
    no_tokenizer.set_string("general.architecture", "gemma3");
    no_tokenizer.write(dir.file("none.gguf"));
    expect_error([&] { (void)gemma_tokenizer_from_gguf(*GgufFile::open(dir.file("none.gguf"))); },
                 {"none.gguf", "no embedded tokenizer", "tokenizer.ggml.model"});
    GgufWriter gpt2;
    gpt2.set_string("tokenizer.ggml.model", "gpt2");
    gpt2.write(dir.file("gpt2.gguf"));
    expect_error([&] { (void)gemma_tokenizer_from_gguf(*GgufFile::open(dir.file("gpt2.gguf"))); },
                 {"gpt2.gguf", "'gpt2'", "expected 'llama'"});
    GgufWriter short_scores;
    short_scores.set_string("tokenizer.ggml.model", "llama");
    short_scores.set_string_array("tokenizer.ggml.tokens", {"a", "b"});
    short_scores.set_f32_array("tokenizer.ggml.scores", {0.f});
    short_scores.set_i32_array("tokenizer.ggml.token_type", {1, 1});
    short_scores.write(dir.file("short.gguf"));
    expect_error([&] { (void)gemma_tokenizer_from_gguf(*GgufFile::open(dir.file("short.gguf"))); },
                 {"short.gguf", "1 scores for 2 tokens"});
}

TEST(Gemma3Tokenizer, EncodeMatchesGoldenWithoutWrapper) {
    const GoldenPrompt& g = golden("special_bos_eos_pad");
    const std::vector<int32_t> ids = gemma().encode(g.stripped);
    ASSERT_EQ(int(ids.size()) + 1, g.num_tokens);
    for (size_t i = 0; i < ids.size(); ++i) EXPECT_EQ(ids[i], g.ids[1024 - ids.size() + i]) << i;
    EXPECT_EQ(ids[0], gemma().token_id("<bos>"));  // a literal <bos> is a token like any other
}

TEST(Gemma3Tokenizer, SmallVocabularyBpeRules) {
    TempDir dir;
    const GemmaTokenizer t = GemmaTokenizer::load(write_json(dir, small_tokenizer()));
    using Ids = std::vector<int32_t>;
    EXPECT_EQ(t.encode("abc"), (Ids{10}));         // b+c (rank 0), then a+bc (rank 2)
    EXPECT_EQ(t.encode("ab"), (Ids{8}));           // a+b
    EXPECT_EQ(t.encode("aaa"), (Ids{13, 5}));      // equal ranks: leftmost pair first
    EXPECT_EQ(t.encode(" a a"), (Ids{12, 12}));    // spaces become ▁ and merge
    EXPECT_EQ(t.encode("\xC3\xA9"), (Ids{3, 4}));  // é is not a token: its bytes are
    EXPECT_EQ(t.encode("a\xE2\x82\xAC\xE2\x82\xAC"
                       "b"),
              (Ids{5, 2, 6}));                               // no byte tokens for €: one fused <unk>
    EXPECT_EQ(t.encode("<xy><x>a<x"), (Ids{15, 14, 5, 2}));  // added tokens longest first, in the raw text
    EXPECT_EQ(t.encode(""), Ids{});
    EXPECT_EQ(t.vocab_size(), 16u);
}

TEST(Gemma3Tokenizer, SmallVocabularyModelFlags) {
    TempDir dir;
    using Ids = std::vector<int32_t>;
    json j = small_tokenizer();
    j["model"]["merges"].erase(4);  // no a+a merge
    j["model"]["fuse_unk"] = false;
    EXPECT_EQ(GemmaTokenizer::load(write_json(dir, j)).encode("aa"), (Ids{5, 5}));
    EXPECT_EQ(GemmaTokenizer::load(write_json(dir, j)).encode("a\xE2\x82\xAC\xE2\x82\xAC"), (Ids{5, 2, 2}));
    j["model"]["ignore_merges"] = true;  // a piece that is a token is taken whole
    EXPECT_EQ(GemmaTokenizer::load(write_json(dir, j)).encode("aa"), (Ids{13}));
    EXPECT_EQ(GemmaTokenizer::load(write_json(dir, j)).encode("aaa"), (Ids{5, 5, 5}));
    j["model"]["dropout"] = 0.0;  // no dropout either
    j["model"]["byte_fallback"] = false;
    EXPECT_EQ(GemmaTokenizer::load(write_json(dir, j)).encode("\xC3\xA9"), (Ids{2}));
}

TEST(Gemma3Tokenizer, SplitPreTokenizerAndMergeStrings) {
    TempDir dir;
    json j = small_tokenizer();
    j["normalizer"] = nullptr;
    j["pre_tokenizer"] = {
        {"type", "Split"}, {"pattern", {{"String", "c"}}}, {"behavior", "MergedWithPrevious"}, {"invert", false}};
    j["model"]["merges"] = {"b c", "a b", "a bc", "a a"};  // the older "left right" form
    const GemmaTokenizer t = GemmaTokenizer::load(write_json(dir, j));
    // "abcabc" -> pieces "abc", "abc"; "aabc" -> "aabc": aa would be rank 3, bc rank 0 first.
    EXPECT_EQ(t.encode("abcabc"), (std::vector<int32_t>{10, 10}));
    EXPECT_EQ(t.encode("aabc"), (std::vector<int32_t>{5, 10}));
    EXPECT_EQ(t.encode("bca"), (std::vector<int32_t>{9, 5}));  // split after c: "bc" | "a"
}

TEST(Gemma3Tokenizer, LoadErrorsNameFileAndJsonPath) {
    TempDir dir;
    expect_error([&] { GemmaTokenizer::load(dir.file("missing.json")); }, {"missing.json", "cannot open"});

    const std::string not_json = dir.file("not.json");
    std::ofstream(not_json) << "this is not json";
    expect_error([&] { GemmaTokenizer::load(not_json); }, {not_json, "not valid JSON"});

    const std::string empty = dir.file("empty.json");
    std::ofstream(empty).flush();
    expect_error([&] { GemmaTokenizer::load(empty); }, {empty, "not valid JSON"});

    // The real file cut in the middle of model.merges.
    const std::string truncated = dir.file("truncated.json");
    {
        std::ifstream in(kTokenizerJson, std::ios::binary);
        std::string head(20'000'000, '\0');
        in.read(head.data(), std::streamsize(head.size()));
        std::ofstream(truncated, std::ios::binary) << head.substr(0, size_t(in.gcount()));
    }
    expect_error([&] { GemmaTokenizer::load(truncated); }, {truncated, "not valid JSON", "truncated"});

    const auto with = [&](const std::function<void(json&)>& edit) {
        json j = small_tokenizer();
        edit(j);
        return write_json(dir, j);
    };
    const auto expect_bad = [&](const std::function<void(json&)>& edit, const std::vector<std::string>& fragments) {
        const std::string path = with(edit);
        std::vector<std::string> all = fragments;
        all.push_back(path);
        expect_error([&] { GemmaTokenizer::load(path); }, all);
    };
    expect_bad([](json& j) { j = json::array(); }, {"top level must be a JSON object"});
    expect_bad([](json& j) { j.erase("model"); }, {"model is missing"});
    expect_bad([](json& j) { j["model"].erase("merges"); }, {"model.merges is missing"});
    expect_bad([](json& j) { j["model"]["merges"] = 3; }, {"model.merges is not an array"});
    expect_bad([](json& j) { j["model"].erase("vocab"); }, {"model.vocab is missing"});
    expect_bad([](json& j) { j["model"]["type"] = "Unigram"; }, {"model.type", "Unigram", "only \"BPE\""});
    expect_bad([](json& j) { j["model"].erase("type"); }, {"model.type is missing"});
    expect_bad(
        [](json& j) {
            j["model"]["merges"][1] = json::array({"a", "zz"});
        },
        {"model.merges[1]", "\"zz\" is not in model.vocab"});
    expect_bad(
        [](json& j) {
            j["model"]["merges"][2] = json::array({"c", "c"});
        },
        {"model.merges[2]", "merged token \"cc\""});
    expect_bad([](json& j) { j["model"]["merges"][0] = json::array({"a"}); }, {"model.merges[0]", "1 entries"});
    expect_bad(
        [](json& j) {
            j["model"]["merges"][0] = json::array({"a", 5});
        },
        {"model.merges[0]", "pair of token texts"});
    expect_bad([](json& j) { j["model"]["merges"][4] = "a  a"; }, {"model.merges[4]", "one space"});
    expect_bad([](json& j) { j["model"]["vocab"]["d"] = -1; }, {"model.vocab[\"d\"]", "negative"});
    expect_bad([](json& j) { j["model"]["vocab"]["d"] = "x"; }, {"model.vocab[\"d\"]", "non-negative integer id"});
    expect_bad([](json& j) { j["model"]["vocab"]["d"] = 99; }, {"model.vocab[\"d\"] = 99", "ids must be 0..15"});
    expect_bad([](json& j) { j["model"]["vocab"]["d"] = 5; }, {"gives id 5 to both"});
    expect_bad([](json& j) { j["model"]["dropout"] = 0.1; }, {"model.dropout", "random"});
    expect_bad([](json& j) { j["model"]["continuing_subword_prefix"] = "##"; }, {"model.continuing_subword_prefix"});
    expect_bad([](json& j) { j["model"]["end_of_word_suffix"] = "</w>"; }, {"model.end_of_word_suffix"});
    expect_bad([](json& j) { j["model"]["unk_token"] = "<nope>"; }, {"model.unk_token", "<nope>"});
    expect_bad([](json& j) { j["model"]["byte_fallback"] = "yes"; }, {"model.byte_fallback", "true or false"});
    expect_bad([](json& j) { j["added_tokens"][3]["lstrip"] = true; }, {"added_tokens[3]", "<x>", "lstrip"});
    expect_bad([](json& j) { j["added_tokens"][3]["single_word"] = true; }, {"added_tokens[3]", "single_word"});
    expect_bad([](json& j) { j["added_tokens"][3]["normalized"] = true; }, {"added_tokens[3]", "normalized=true"});
    expect_bad([](json& j) { j["added_tokens"][3]["id"] = 5; }, {"added_tokens[3]", "model.vocab gives to \"a\""});
    expect_bad([](json& j) { j["added_tokens"][4]["id"] = 99; }, {"added_tokens[4].id = 99"});
    expect_bad([](json& j) { j["added_tokens"][4].erase("content"); }, {"added_tokens[4].content is missing"});
    expect_bad([](json& j) { j["normalizer"] = {{"type", "NFKC"}}; }, {"normalizer.type", "NFKC"});
    expect_bad([](json& j) { j["normalizer"]["pattern"] = {{"Regex", "\\s"}}; }, {"normalizer.pattern", "Regex"});
    expect_bad([](json& j) { j["pre_tokenizer"] = {{"type", "ByteLevel"}}; }, {"pre_tokenizer.type", "ByteLevel"});
}

TEST(Gemma3Tokenizer, VocabularyErrors) {
    expect_error([] { GemmaTokenizer::from_vocabulary({"a", "b"}, {0.f}, {1, 1}); }, {"1 scores for 2 tokens"});
    expect_error([] { GemmaTokenizer::from_vocabulary({"a", "b"}, {0.f, 0.f}, {1}); }, {"1 token types for 2 tokens"});
    expect_error([] { GemmaTokenizer::from_vocabulary({"a", "b"}, {0.f, 0.f}, {1, 7}); }, {"token 1", "type 7"});
    expect_error(
        [] {
            GemmaTokenizer::from_vocabulary({"a", "b"}, {0.f, 0.f}, {1, 1}, {"a c"});
        },
        {"merges[0]", "\"c\" is not a token"});
    expect_error(
        [] {
            GemmaTokenizer::from_vocabulary({"a", "b"}, {0.f, 0.f}, {1, 1}, {"ab"});
        },
        {"merges[0]", "left right"});
    expect_error(
        [] {
            GemmaTokenizer::from_vocabulary({"a", "b"}, {0.f, 0.f}, {1, 1}).encode("c");
        },
        {"U+0063", "no token"});
}

TEST(Gemma3Tokenizer, VocabularyScoresOrderMerges) {
    // ab scores above bc: "abc" -> ab, c. With bc above ab: a, bc.
    const std::vector<std::string> tokens{"<unk>", "a", "b", "c", "ab", "bc", "\xE2\x96\x81"};
    const std::vector<int32_t> types{2, 1, 1, 1, 1, 1, 1};
    using Ids = std::vector<int32_t>;
    EXPECT_EQ(GemmaTokenizer::from_vocabulary(tokens, {0, 0, 0, 0, -1, -2, 0}, types).encode("abc"), (Ids{4, 3}));
    EXPECT_EQ(GemmaTokenizer::from_vocabulary(tokens, {0, 0, 0, 0, -2, -1, 0}, types).encode("abc"), (Ids{1, 5}));
    // Equal scores: leftmost first. Spaces become ▁; unknown characters fuse into one <unk>.
    EXPECT_EQ(GemmaTokenizer::from_vocabulary(tokens, {0, 0, 0, 0, -1, -1, 0}, types).encode("abc b"),
              (Ids{4, 3, 6, 2}));
    EXPECT_EQ(GemmaTokenizer::from_vocabulary(tokens, {0, 0, 0, 0, -1, -1, 0}, types).encode("a<unk>xy"),
              (Ids{1, 0, 0}));
}

TEST(Gemma3Prompt, StripRemovesExactlyPythonWhitespace) {
    const std::vector<char32_t> stripped{0x09,   0x0A,   0x0B,   0x0C,   0x0D,   0x1C,   0x1D,   0x1E,   0x1F,   0x20,
                                         0x85,   0xA0,   0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006,
                                         0x2007, 0x2008, 0x2009, 0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000};
    const auto utf8 = [](char32_t c) {
        std::string s;
        if (c < 0x80) {
            s += char(c);
        } else if (c < 0x800) {
            s += char(0xC0 | (c >> 6)), s += char(0x80 | (c & 0x3F));
        } else {
            s += char(0xE0 | (c >> 12)), s += char(0x80 | ((c >> 6) & 0x3F)), s += char(0x80 | (c & 0x3F));
        }
        return s;
    };
    for (char32_t c : stripped) {
        const std::string w = utf8(c);
        EXPECT_EQ(strip_python_whitespace(w + w + "a" + w + "b" + w), "a" + w + "b") << std::hex << uint32_t(c);
        EXPECT_TRUE(is_python_whitespace(c));
    }
    for (char32_t c : {0x00, 0x08, 0x0E, 0x1B, 0x21, 0xAD, 0x180E, 0x200B, 0x200C, 0x200D, 0x2060, 0x3001, 0xFEFF}) {
        const std::string w = utf8(c);
        EXPECT_EQ(strip_python_whitespace(w + "a" + w), w + "a" + w) << std::hex << uint32_t(c);
        EXPECT_FALSE(is_python_whitespace(c));
    }
    EXPECT_EQ(strip_python_whitespace(" a  \t\n b "), "a  \t\n b");
    EXPECT_EQ(strip_python_whitespace(" \t "), "");
    EXPECT_EQ(strip_python_whitespace(""), "");
}

TEST(Gemma3Prompt, Errors) {
    expect_error([] { tokenize_prompt(gemma(), ""); }, {"prompt is empty"});
    expect_error([] { tokenize_prompt(gemma(), " \t\n\xE3\x80\x80"); }, {"prompt is empty", "only whitespace"});
    expect_error(
        [] {
            tokenize_prompt(gemma(),
                            "abc\xFF"
                            "def");
        },
        {"prompt", "invalid UTF-8 at byte 3"});
    expect_error([] { tokenize_prompt(gemma(), "ab\xC3"); }, {"invalid UTF-8 at byte 2"});
    expect_error([] { tokenize_prompt(gemma(), "\xED\xA0\x80"); }, {"invalid UTF-8 at byte 0"});  // a surrogate
    expect_error([] { tokenize_prompt(gemma(), "\xC0\xAF"); }, {"invalid UTF-8 at byte 0"});      // overlong
    expect_error([] { tokenize_prompt(gemma(), "a cat", 1); }, {"max_length must be at least 2", "got 1"});
    expect_error([] { gemma().encode("x\x80"); }, {"text to tokenize", "invalid UTF-8 at byte 1"});
    expect_error([] { gemma().token_id("<no such token>"); }, {"no token '<no such token>'", kTokenizerJson});
}

TEST(Gemma3Prompt, TruncationWarnsWithBothCounts) {
    const GoldenPrompt& g = golden("truncated_long");
    testing::internal::CaptureStderr();
    const PromptTokens t = tokenize_prompt(gemma(), g.prompt);
    const std::string stderr_text = testing::internal::GetCapturedStderr();
    ASSERT_TRUE(t.truncated);
    EXPECT_EQ(truncation_warning(t),
              "prompt has 1409 tokens (with <bos>), more than max_length 1024: keeping the first 1024");
    EXPECT_EQ(stderr_text, "warning: " + truncation_warning(t) + "\n");

    testing::internal::CaptureStderr();
    const PromptTokens small = tokenize_prompt(gemma(), "A cat walks.", 3);
    const std::string small_warning = testing::internal::GetCapturedStderr();
    const std::vector<int32_t> ids = gemma().encode("A cat walks.");
    EXPECT_EQ(small.ids, (std::vector<int64_t>{2, ids[0], ids[1]}));
    EXPECT_EQ(small_warning, "warning: prompt has " + std::to_string(ids.size() + 1) +
                                 " tokens (with <bos>), more than max_length 3: keeping the first 3\n");
}

TEST(Gemma3Prompt, LayoutPadsLeftAndKeepsBos) {
    const std::vector<int32_t> text{7, 8, 9};
    PromptTokens t = layout_prompt_tokens(text, 2, 0, 6);
    EXPECT_EQ(t.ids, (std::vector<int64_t>{0, 0, 2, 7, 8, 9}));
    EXPECT_EQ(t.mask, (std::vector<int64_t>{0, 0, 1, 1, 1, 1}));
    EXPECT_EQ(t.real_tokens, 4);
    EXPECT_FALSE(t.truncated);
    t = layout_prompt_tokens(text, 2, 0, 3);
    EXPECT_EQ(t.ids, (std::vector<int64_t>{2, 7, 8}));
    EXPECT_EQ(t.mask, (std::vector<int64_t>{1, 1, 1}));
    EXPECT_EQ(t.untruncated_tokens, 4);
    EXPECT_TRUE(t.truncated);
}
