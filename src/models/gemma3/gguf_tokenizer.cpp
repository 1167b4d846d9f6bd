#include "models/gemma3/gguf_tokenizer.h"

#include "core/error.h"

namespace ltx2 {

GemmaTokenizer gemma_tokenizer_from_gguf(const GgufFile& file) {
    const std::string model_key = "tokenizer.ggml.model";
    LTX2_CHECK(file.has_key(model_key), "{}: no embedded tokenizer (metadata key '{}' is missing)", file.path(),
               model_key);
    const std::string model = file.get_string(model_key);
    LTX2_CHECK(model == "llama", "{}: {} is '{}', expected 'llama' (the sentencepiece-style vocabulary Gemma 3 uses)",
               file.path(), model_key, model);
    for (const char* key : {"tokenizer.ggml.tokens", "tokenizer.ggml.scores", "tokenizer.ggml.token_type"})
        LTX2_CHECK(file.has_key(key), "{}: the embedded tokenizer has no '{}'", file.path(), key);
    std::vector<std::string> merges;
    if (file.has_key("tokenizer.ggml.merges")) merges = file.get_string_array("tokenizer.ggml.merges");
    try {
        return GemmaTokenizer::from_vocabulary(file.get_string_array("tokenizer.ggml.tokens"),
                                               file.get_f32_array("tokenizer.ggml.scores"),
                                               file.get_i32_array("tokenizer.ggml.token_type"), merges);
    } catch (const Error& e) {
        fail("{}: embedded tokenizer: {}", file.path(), e.what());
    }
}

}  // namespace ltx2
