#include "app/demo_tokenizer.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <vector>

namespace ltx2 {

using json = nlohmann::json;

namespace {

constexpr const char* kSpace = "\u2581";  // "▁"
constexpr int kMerges = 320;

constexpr const char* kCorpus =
    "A golden retriever runs across a sunlit meadow in slow motion. The camera slowly dollies forward "
    "through a rain soaked neon alley at night while a woman in a red coat walks away from the lens. "
    "Waves crash against the rocks under a stormy sky and seagulls call over the water. A man plays the "
    "guitar and sings softly by the fire in a quiet cabin in the mountains. Cinematic lighting, shallow "
    "depth of field, warm colors, the sound of wind and rain, people talking and laughing in the street.";

// Splits UTF-8 text into code points.
std::vector<std::string> code_points(const std::string& s) {
    std::vector<std::string> out;
    for (size_t i = 0; i < s.size();) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        const size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : 4;
        out.push_back(s.substr(i, n));
        i += n;
    }
    return out;
}

}  // namespace

DemoTokenizer build_demo_tokenizer() {
    json vocab = json::object();
    std::vector<std::string> by_id;
    auto add = [&](const std::string& token) {
        if (vocab.contains(token)) return;
        vocab[token] = by_id.size();
        by_id.push_back(token);
    };
    const std::vector<std::string> specials = {"<pad>", "<eos>", "<bos>", "<unk>", "<start_of_turn>", "<end_of_turn>"};
    for (const auto& s : specials) add(s);
    for (int b = 0; b < 256; ++b) add(fmt::format("<0x{:02X}>", b));
    add(kSpace);
    for (char c = '!'; c <= '~'; ++c) add(std::string(1, c));

    // Words as the normalizer leaves them ("▁" for each space), split into symbols.
    std::vector<std::vector<std::string>> words;
    std::istringstream in(kCorpus);
    for (std::string w; in >> w;) words.push_back([&] {
        std::vector<std::string> symbols{kSpace};
        for (const auto& cp : code_points(w)) symbols.push_back(cp);
        return symbols;
    }());

    json merges = json::array();
    for (int m = 0; m < kMerges; ++m) {
        std::map<std::pair<std::string, std::string>, int> counts;  // ordered: ties break the same everywhere
        for (const auto& w : words)
            for (size_t i = 0; i + 1 < w.size(); ++i) ++counts[{w[i], w[i + 1]}];
        if (counts.empty()) break;
        auto best = counts.begin();
        for (auto it = counts.begin(); it != counts.end(); ++it)
            if (it->second > best->second) best = it;
        if (best->second < 2) break;
        const auto [a, b] = best->first;
        merges.push_back({a, b});
        add(a + b);
        for (auto& w : words) {
            std::vector<std::string> next;
            for (size_t i = 0; i < w.size(); ++i) {
                if (i + 1 < w.size() && w[i] == a && w[i + 1] == b) {
                    next.push_back(a + b);
                    ++i;
                } else {
                    next.push_back(w[i]);
                }
            }
            w = std::move(next);
        }
    }

    json added = json::array();
    for (const auto& s : specials)
        added.push_back({{"id", vocab[s]},
                         {"content", s},
                         {"single_word", false},
                         {"lstrip", false},
                         {"rstrip", false},
                         {"normalized", false},
                         {"special", true}});
    const json tokenizer = {
        {"version", "1.0"},
        {"truncation", nullptr},
        {"padding", nullptr},
        {"added_tokens", added},
        {"normalizer", {{"type", "Replace"}, {"pattern", {{"String", " "}}}, {"content", kSpace}}},
        {"pre_tokenizer",
         {{"type", "Split"}, {"pattern", {{"String", " "}}}, {"behavior", "MergedWithPrevious"}, {"invert", false}}},
        {"post_processor", nullptr},
        {"decoder",
         {{"type", "Sequence"},
          {"decoders",
           {{{"type", "Replace"}, {"pattern", {{"String", kSpace}}}, {"content", " "}},
            {{"type", "ByteFallback"}},
            {{"type", "Fuse"}}}}}},
        {"model",
         {{"type", "BPE"},
          {"dropout", nullptr},
          {"unk_token", "<unk>"},
          {"continuing_subword_prefix", nullptr},
          {"end_of_word_suffix", nullptr},
          {"fuse_unk", true},
          {"byte_fallback", true},
          {"ignore_merges", false},
          {"vocab", vocab},
          {"merges", merges}}}};
    return {tokenizer.dump(), int64_t(by_id.size())};
}

}  // namespace ltx2
