#pragma once
// The Gemma 3 tokenizer embedded in a GGUF file's metadata, as llama.cpp writes it
// (`tokenizer.ggml.model` "llama": tokens, scores, token types, optional merges).
#include "io/gguf.h"
#include "models/gemma3/tokenizer.h"

namespace ltx2 {

// Errors name the file and the metadata key that is missing or of the wrong kind.
GemmaTokenizer gemma_tokenizer_from_gguf(const GgufFile& file);

}  // namespace ltx2
