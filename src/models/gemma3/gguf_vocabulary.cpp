#include "models/gemma3/gguf_vocabulary.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <unordered_map>

#include "core/error.h"
#include "models/gemma3/tokenizer.h"
#include "models/gemma3/tokenizer_json_reader.h"

namespace ltx2 {

GgufVocabulary gguf_vocabulary_from_tokenizer_json(const std::string& path) {
    const TokenizerJsonTables tables = read_tokenizer_json(path);
    const nlohmann::json& added = tables.document->at("added_tokens");
    const nlohmann::json& model = tables.document->at("model");
    const std::string unk = model.contains("unk_token") && model.at("unk_token").is_string()
                                ? model.at("unk_token").get<std::string>()
                                : std::string();
    uint64_t size = 0;
    for (const auto& [text, id] : tables.vocab) size = std::max(size, id + 1);
    for (const nlohmann::json& a : added) size = std::max(size, a.at("id").get<uint64_t>() + 1);

    GgufVocabulary v;
    v.tokens.resize(size_t(size));
    for (const auto& [text, id] : tables.vocab) v.tokens.at(id) = text;
    std::unordered_map<std::string, int32_t> ids;
    for (size_t id = 0; id < v.tokens.size(); ++id) ids[v.tokens[id]] = int32_t(id);

    v.types.assign(v.tokens.size(), int32_t(VocabTokenType::Normal));
    for (int b = 0; b < 256; ++b)
        if (auto it = ids.find(fmt::format("<0x{:02X}>", b)); it != ids.end())
            v.types.at(size_t(it->second)) = int32_t(VocabTokenType::Byte);
    for (const nlohmann::json& a : added) {
        const auto id = a.at("id").get<size_t>();
        v.tokens.at(id) = a.at("content").get<std::string>();
        v.types.at(id) = int32_t(v.tokens[id] == unk           ? VocabTokenType::Unknown
                                 : a.at("special").get<bool>() ? VocabTokenType::Control
                                                               : VocabTokenType::UserDefined);
    }
    v.scores.assign(v.tokens.size(), -1e9f);
    for (size_t i = tables.merge_count(); i-- > 0;) {
        const std::string left(tables.merge_left(i)), right(tables.merge_right(i));
        const auto it = ids.find(left + right);
        LTX2_CHECK(it != ids.end(), "{}: merge {} ('{}' '{}') produces a token that is not in the vocabulary", path,
                   i, left, right);
        v.scores.at(size_t(it->second)) = -float(i);
        v.merges.push_back(left + " " + right);
    }
    std::reverse(v.merges.begin(), v.merges.end());
    return v;
}

void set_gguf_vocabulary(GgufWriter& writer, const GgufVocabulary& v, bool with_merges) {
    writer.set_string("tokenizer.ggml.model", "llama");
    writer.set_string_array("tokenizer.ggml.tokens", v.tokens);
    writer.set_f32_array("tokenizer.ggml.scores", v.scores);
    writer.set_i32_array("tokenizer.ggml.token_type", v.types);
    if (with_merges) writer.set_string_array("tokenizer.ggml.merges", v.merges);
}

}  // namespace ltx2
