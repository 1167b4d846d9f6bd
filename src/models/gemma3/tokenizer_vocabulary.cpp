// GemmaTokenizer::from_vocabulary: a GGUF-style vocabulary (texts, scores, token types, optional
// merges) -> GemmaTokenizer. Assumes Gemma's text handling, as llama.cpp applies it to a
// "llama" (sentencepiece) vocabulary with add_space_prefix = false: each space becomes "▁",
// no dummy prefix, no other normalization.
#include <algorithm>

#include "core/error.h"
#include "models/gemma3/tokenizer.h"
#include "models/gemma3/tokenizer_impl.h"
#include "models/gemma3/utf8.h"

namespace ltx2 {

namespace {

constexpr const char* kSource = "GGUF vocabulary";

bool in_bpe_vocabulary(VocabTokenType type) {
    return type == VocabTokenType::Normal || type == VocabTokenType::UserDefined || type == VocabTokenType::Byte;
}
bool matched_as_added(VocabTokenType type) {
    return type == VocabTokenType::Unknown || type == VocabTokenType::Control || type == VocabTokenType::UserDefined;
}
bool mergeable(VocabTokenType type) { return type == VocabTokenType::Normal || type == VocabTokenType::UserDefined; }

void add_listed_merges(const std::vector<std::string>& merges, BpeModel& bpe) {
    bpe.reserve_merges(merges.size());
    std::string joined;
    for (size_t i = 0; i < merges.size(); ++i) {
        const std::string& merge = merges[i];
        const size_t space = merge.find(' ', 1);  // a token text may itself start with a space
        LTX2_CHECK(space != std::string::npos, "{}: merges[{}] = \"{}\": expected \"left right\"", kSource, i, merge);
        const std::string_view left = std::string_view(merge).substr(0, space);
        const std::string_view right = std::string_view(merge).substr(space + 1);
        joined.assign(left).append(right);
        const auto left_id = bpe.find(left), right_id = bpe.find(right), merged = bpe.find(joined);
        LTX2_CHECK(left_id && right_id && merged, "{}: merges[{}] = \"{}\": \"{}\" is not a token", kSource, i, merge,
                   !left_id    ? left
                   : !right_id ? right
                               : std::string_view(joined));
        bpe.add_merge(*left_id, *right_id, uint32_t(i), *merged);
    }
}

// Sentencepiece BPE: any adjacent pair whose concatenation is a mergeable token merges, the
// token with the higher score first; tokens with equal scores share a rank.
void derive_merges_from_scores(const std::vector<std::string>& tokens, const std::vector<float>& scores,
                               const std::vector<VocabTokenType>& types, BpeModel& bpe) {
    std::vector<int32_t> targets;
    for (size_t id = 0; id < tokens.size(); ++id)
        if (mergeable(types[id]) && tokens[id].size() > 1 && bpe.find(tokens[id]) == int32_t(id))
            targets.push_back(int32_t(id));
    std::stable_sort(targets.begin(), targets.end(), [&](int32_t a, int32_t b) { return scores[a] > scores[b]; });

    const auto mergeable_id = [&](std::string_view text) -> std::optional<int32_t> {
        const auto id = bpe.find(text);
        if (id && mergeable(types[size_t(*id)])) return id;
        return std::nullopt;
    };
    uint32_t rank = 0;
    for (size_t k = 0; k < targets.size(); ++k) {
        if (k > 0 && scores[targets[k]] != scores[targets[k - 1]]) ++rank;
        const std::string_view text = tokens[size_t(targets[k])];
        for (size_t split = 0; split < text.size();) {
            const size_t length = decode_utf8_at(text, split).length;
            if (length == 0) break;  // not UTF-8: text can never produce it
            split += length;
            if (split == text.size()) break;
            const auto left = mergeable_id(text.substr(0, split)), right = mergeable_id(text.substr(split));
            if (left && right) bpe.add_merge(*left, *right, rank, targets[k]);
        }
    }
}

}  // namespace

GemmaTokenizer GemmaTokenizer::from_vocabulary(std::vector<std::string> tokens, const std::vector<float>& scores,
                                               const std::vector<int32_t>& token_types,
                                               const std::vector<std::string>& merges) {
    LTX2_CHECK(!tokens.empty(), "{}: no tokens", kSource);
    LTX2_CHECK(scores.size() == tokens.size(), "{}: {} scores for {} tokens", kSource, scores.size(), tokens.size());
    LTX2_CHECK(token_types.size() == tokens.size(), "{}: {} token types for {} tokens", kSource, token_types.size(),
               tokens.size());

    auto impl = std::make_unique<Impl>();
    impl->source = kSource;
    impl->tokens = std::move(tokens);
    impl->normalizer = {{" ", "\xE2\x96\x81"}};  // U+2581 "▁"

    impl->special.resize(token_types.size());
    std::vector<VocabTokenType> types(token_types.size());
    std::vector<int32_t> bpe_ids;
    BpeOptions options;
    options.fuse_unk = true;
    for (size_t id = 0; id < types.size(); ++id) {
        const int32_t t = token_types[id];
        LTX2_CHECK(t >= 1 && t <= 6, "{}: token {} (\"{}\") has type {}; expected 1 (normal) .. 6 (byte)", kSource, id,
                   impl->tokens[id], t);
        const auto type = types[id] = VocabTokenType(t);
        if (in_bpe_vocabulary(type)) bpe_ids.push_back(int32_t(id));
        if (matched_as_added(type) && !impl->tokens[id].empty()) impl->added.add(impl->tokens[id], int32_t(id));
        impl->special[id] = type == VocabTokenType::Control || type == VocabTokenType::Unknown;
        if (type == VocabTokenType::Unknown && !options.unk_id) options.unk_id = int32_t(id);
        if (type == VocabTokenType::Byte) options.byte_fallback = true;
    }
    impl->make_bpe(bpe_ids, options);
    if (merges.empty())
        derive_merges_from_scores(impl->tokens, scores, types, *impl->bpe);
    else
        add_listed_merges(merges, *impl->bpe);
    return GemmaTokenizer(std::move(impl));
}

}  // namespace ltx2
