// --target tokenizer: Gemma's tokenizer.json loader (GemmaTokenizer::load, with its streaming
// reader of model.vocab and model.merges). Seeds: small BPE tokenizers in the real file's
// format (added tokens, a Replace normalizer or a Sequence of them, byte fallback, merges as
// pairs or as "left right" strings, a Split pre-tokenizer). Exercise: load, then encode and
// decode texts that hit added tokens, merges, byte fallback and unknown runs, and look tokens up.
#include <nlohmann/json.hpp>

#include "fuzz/target.h"
#include "models/gemma3/tokenizer.h"
#include "small_tokenizer.h"

namespace ltx2::fuzz {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::vector<Seed> seeds(const fs::path&) {
    std::vector<Seed> out;
    json j = test::small_tokenizer();
    for (const char* unused : {"truncation", "padding", "post_processor", "decoder"}) j[unused] = nullptr;
    out.push_back(json_seed("builtin-pairs", j.dump(1)));
    j["model"]["merges"] = json::array({"b c", "a b", "a bc", "\u2581 a", "a a"});
    j["normalizer"] = {{"type", "Sequence"},
                       {"normalizers",
                        json::array({{{"type", "Replace"}, {"pattern", {{"String", " "}}}, {"content", "\u2581"}},
                                     {{"type", "Replace"}, {"pattern", {{"String", "\t"}}}, {"content", " "}}})}};
    j["pre_tokenizer"] = {
        {"type", "Split"}, {"pattern", {{"String", "c"}}}, {"behavior", "MergedWithPrevious"}, {"invert", false}};
    out.push_back(json_seed("builtin-strings-split", j.dump()));
    return out;
}

Outcome exercise(const std::string& path, const fs::path&) {
    Outcome o;
    allowing_errors([&] {
        const GemmaTokenizer t = GemmaTokenizer::load(path);
        o.opened = true;
        for (const char* text : {"abc", "aaa", " a a\tb", "\xC3\xA9", "a\xE2\x82\xAC\xE2\x82\xAC" "b", "<xy><x>a<x", "",
                                 "<bos><pad><unk>", "\xff"}) {
            allowing_errors([&] {
                const std::vector<int32_t> ids = t.encode(text);
                o.items += ids.size();
                const std::vector<int64_t> wide(ids.begin(), ids.end());
                t.decode(wide, true);
                t.decode(wide, false);
            });
        }
        std::vector<int64_t> every;
        for (size_t id = 0; id < t.vocab_size(); ++id) {
            every.push_back(int64_t(id));
            t.is_special(int32_t(id));
            allowing_errors([&] { t.find_token(t.token_text(int32_t(id))); });
        }
        allowing_errors([&] { t.decode(every, false); });
        allowing_errors([&] { t.decode(std::vector<int64_t>{-1, int64_t(t.vocab_size()), int64_t(1) << 40}); });
        allowing_errors([&] { t.token_id("<bos>"); });
        o.items += t.added_token_count() + t.merge_count();
    });
    return o;
}

}  // namespace

const Target& tokenizer_target() {
    static const Target t{"tokenizer", ".json", seeds, nullptr, exercise};
    return t;
}

}  // namespace ltx2::fuzz
