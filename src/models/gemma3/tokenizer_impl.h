#pragma once
// What a GemmaTokenizer is made of; shared by its two loaders (tokenizer_json.cpp,
// tokenizer_vocabulary.cpp) and the encoder (tokenizer.cpp).
#include <optional>
#include <string>
#include <vector>

#include "models/gemma3/added_tokens.h"
#include "models/gemma3/bpe.h"
#include "models/gemma3/tokenizer.h"

namespace ltx2 {

struct ReplaceStep {
    std::string pattern, content;
};

struct GemmaTokenizer::Impl {
    std::string source;
    std::vector<std::string> tokens;  // text by id; the BPE vocabulary views these strings
    std::vector<bool> special;        // by id (may be shorter than tokens: the rest are not special)
    AddedTokenMatcher added;
    std::vector<ReplaceStep> normalizer;  // applied in order to text outside added tokens
    std::string split_after;              // pre-tokenizer: cut after each occurrence ("" = none)
    std::optional<BpeModel> bpe;

    // The BPE model over `tokens[id]` for the given ids (a repeated text keeps its first id).
    // `tokens` must not change afterwards.
    void make_bpe(const std::vector<int32_t>& ids, const BpeOptions& options);
};

}  // namespace ltx2
