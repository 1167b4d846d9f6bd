#pragma once
// A tokenizer.json vocabulary the way llama.cpp stores it in a Gemma 3 GGUF's metadata
// (`tokenizer.ggml.model` "llama"): texts by id, token types, and scores that order merges like
// tokenizer.json's merge list (score = −(rank of the first merge producing the token); tokens no
// merge produces score lowest). For writing GGUF test, demo and benchmark files.
#include <cstdint>
#include <string>
#include <vector>

#include "io/gguf_writer.h"

namespace ltx2 {

struct GgufVocabulary {
    std::vector<std::string> tokens;
    std::vector<float> scores;
    std::vector<int32_t> types;
    std::vector<std::string> merges;  // "left right", in tokenizer.json's order
};

GgufVocabulary gguf_vocabulary_from_tokenizer_json(const std::string& path);

// tokenizer.ggml.model, tokens, scores and token_type (merges too with `with_merges`).
void set_gguf_vocabulary(GgufWriter& writer, const GgufVocabulary& vocabulary, bool with_merges = false);

}  // namespace ltx2
