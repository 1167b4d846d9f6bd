// GemmaTokenizer::load: a Hugging Face `tokenizer.json` (BPE model) -> GemmaTokenizer.
// Used: model (BPE: vocab, merges, unk_token, fuse_unk, byte_fallback, ignore_merges),
// added_tokens, normalizer (Replace with a String pattern, or a Sequence of those),
// pre_tokenizer (Split on a String, MergedWithPrevious). Not used: post_processor (callers add
// <bos> themselves, see prompt_tokens.h), decoder, truncation, padding.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>

#include "core/error.h"
#include "models/gemma3/tokenizer.h"
#include "models/gemma3/tokenizer_impl.h"
#include "models/gemma3/tokenizer_json_reader.h"
#include "models/gemma3/utf8.h"

namespace ltx2 {

namespace {

using nlohmann::json;

// Typed access to the members of one JSON object; errors name the file and the JSON path.
class Fields {
public:
    Fields(const std::string& file, const json& object, std::string path)
        : file_(file), object_(object), path_(std::move(path)) {}

    std::string where(std::string_view key) const {
        return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
    }
    const std::string& file() const { return file_; }

    // nullptr when the member is absent or null.
    const json* find(std::string_view key) const {
        const auto it = object_.find(key);
        return it == object_.end() || it->is_null() ? nullptr : &*it;
    }
    bool boolean(std::string_view key, bool fallback) const {
        const json* v = find(key);
        if (!v) return fallback;
        LTX2_CHECK(v->is_boolean(), "{}: {} must be true or false, got {}", file_, where(key), v->dump());
        return v->get<bool>();
    }
    std::optional<std::string> string(std::string_view key) const {
        const json* v = find(key);
        if (!v) return std::nullopt;
        LTX2_CHECK(v->is_string(), "{}: {} must be a string, got {}", file_, where(key), v->dump());
        return v->get<std::string>();
    }
    std::string required_string(std::string_view key) const {
        auto s = string(key);
        LTX2_CHECK(s.has_value(), "{}: {} is missing", file_, where(key));
        return *s;
    }
    uint64_t required_unsigned(std::string_view key) const {
        const json* v = find(key);
        LTX2_CHECK(v, "{}: {} is missing", file_, where(key));
        LTX2_CHECK(v->is_number_unsigned(), "{}: {} must be a non-negative integer, got {}", file_, where(key),
                   v->dump());
        return v->get<uint64_t>();
    }
    Fields object(std::string_view key) const {
        const json* v = find(key);
        LTX2_CHECK(v, "{}: {} is missing", file_, where(key));
        LTX2_CHECK(v->is_object(), "{}: {} must be an object, got {}", file_, where(key), v->type_name());
        return Fields(file_, *v, where(key));
    }
    // The `String` of a {"String": ...} pattern; other patterns (Regex) are refused.
    std::string string_pattern(std::string_view key) const {
        const Fields pattern = object(key);
        const auto s = pattern.string("String");
        LTX2_CHECK(s.has_value() && !s->empty(),
                   "{}: {} must be {{\"String\": \"...\"}} (non-empty; Regex patterns are not supported), got {}",
                   file_, where(key), object_.at(key).dump());
        return *s;
    }

private:
    const std::string& file_;
    const json& object_;
    std::string path_;
};

BpeOptions read_bpe_options(const Fields& model, const std::vector<std::string>& vocab_tokens) {
    const std::string& file = model.file();
    const auto type = model.string("type");
    LTX2_CHECK(type.has_value(), "{}: model.type is missing (expected \"BPE\")", file);
    LTX2_CHECK(*type == "BPE", "{}: model.type is \"{}\"; only \"BPE\" models are supported", file, *type);

    if (const json* dropout = model.find("dropout")) {
        LTX2_CHECK(dropout->is_number(), "{}: model.dropout must be a number or null, got {}", file, dropout->dump());
        LTX2_CHECK(dropout->get<double>() == 0.0,
                   "{}: model.dropout = {}: BPE dropout makes tokenization random; not supported", file,
                   dropout->dump());
    }
    for (const char* affix : {"continuing_subword_prefix", "end_of_word_suffix"}) {
        const auto value = model.string(affix);
        LTX2_CHECK(!value || value->empty(), "{}: model.{} = \"{}\" is not supported (only null or \"\")", file, affix,
                   *value);
    }
    BpeOptions options;
    options.fuse_unk = model.boolean("fuse_unk", false);
    options.byte_fallback = model.boolean("byte_fallback", false);
    options.ignore_merges = model.boolean("ignore_merges", false);
    if (const auto unk = model.string("unk_token")) {
        const auto it = std::find(vocab_tokens.begin(), vocab_tokens.end(), *unk);
        LTX2_CHECK(it != vocab_tokens.end(), "{}: model.unk_token \"{}\" is not in model.vocab", file, *unk);
        options.unk_id = int32_t(it - vocab_tokens.begin());
    }
    return options;
}

// model.vocab -> texts by id; the ids must be exactly 0..N-1.
std::vector<std::string> tokens_by_id(const std::string& file, std::vector<std::pair<std::string, uint64_t>>& vocab) {
    std::vector<std::string> tokens(vocab.size());
    std::vector<bool> seen(vocab.size(), false);
    for (auto& [text, id] : vocab) {
        LTX2_CHECK(id < vocab.size(), "{}: model.vocab[\"{}\"] = {}: ids must be 0..{} (one per entry)", file, text, id,
                   vocab.size() - 1);
        LTX2_CHECK(!seen[id], "{}: model.vocab gives id {} to both \"{}\" and \"{}\"", file, id, tokens[id], text);
        seen[id] = true;
        tokens[id] = std::move(text);
    }
    vocab.clear();
    vocab.shrink_to_fit();
    return tokens;
}

void add_merges(const std::string& file, const TokenizerJsonTables& tables, BpeModel& bpe) {
    bpe.reserve_merges(tables.merge_count());
    std::string joined;
    for (size_t i = 0; i < tables.merge_count(); ++i) {
        const std::string_view left = tables.merge_left(i), right = tables.merge_right(i);
        const auto left_id = bpe.find(left), right_id = bpe.find(right);
        LTX2_CHECK(left_id && right_id, "{}: model.merges[{}] = [\"{}\", \"{}\"]: \"{}\" is not in model.vocab", file,
                   i, left, right, left_id ? right : left);
        joined.assign(left).append(right);
        const auto merged = bpe.find(joined);
        LTX2_CHECK(merged.has_value(),
                   "{}: model.merges[{}] = [\"{}\", \"{}\"]: the merged token \"{}\" is not in model.vocab", file, i,
                   left, right, joined);
        bpe.add_merge(*left_id, *right_id, uint32_t(i), *merged);
    }
}

// added_tokens: matched in the raw text; ids may extend the vocabulary (Gemma's
// <image_soft_token> is id 262144 while model.vocab has 262144 entries).
void add_added_tokens(const std::string& file, const json& document, GemmaTokenizer::Impl& impl) {
    const auto it = document.find("added_tokens");
    if (it == document.end() || it->is_null()) return;
    LTX2_CHECK(it->is_array(), "{}: added_tokens must be an array, got {}", file, it->type_name());
    const size_t vocab_entries = impl.tokens.size();
    const size_t max_id = vocab_entries + it->size();
    std::vector<bool> taken(it->size(), false);  // ids at and above vocab_entries
    for (size_t i = 0; i < it->size(); ++i) {
        const json& entry = (*it)[i];
        const std::string path = fmt::format("added_tokens[{}]", i);
        LTX2_CHECK(entry.is_object(), "{}: {} must be an object, got {}", file, path, entry.type_name());
        const Fields token(file, entry, path);
        const std::string content = token.required_string("content");
        const uint64_t id = token.required_unsigned("id");
        LTX2_CHECK(!content.empty(), "{}: {}.content is empty", file, path);
        check_utf8(content, fmt::format("{}: {}.content", file, path));
        const bool special = token.boolean("special", false);
        for (const char* flag : {"single_word", "lstrip", "rstrip"})
            LTX2_CHECK(
                !token.boolean(flag, false),
                "{}: {} (\"{}\") sets {}=true; only added tokens without single_word/lstrip/rstrip are supported", file,
                path, content, flag);
        LTX2_CHECK(!token.boolean("normalized", !special),
                   "{}: {} (\"{}\") is normalized=true (matched after normalization); only normalized=false added "
                   "tokens are supported",
                   file, path, content);

        LTX2_CHECK(id < max_id, "{}: {}.id = {} is beyond the vocabulary ({} entries + {} added tokens)", file, path,
                   id, vocab_entries, it->size());
        if (id < vocab_entries) {
            LTX2_CHECK(impl.tokens[id] == content, "{}: {} (\"{}\") has id {}, which model.vocab gives to \"{}\"", file,
                       path, content, id, impl.tokens[id]);
        } else {
            LTX2_CHECK(!taken[id - vocab_entries], "{}: {} (\"{}\") reuses id {}", file, path, content, id);
            taken[id - vocab_entries] = true;
            if (impl.tokens.size() <= id) impl.tokens.resize(id + 1);
            impl.tokens[id] = content;
        }
        LTX2_CHECK(impl.added.add(content, int32_t(id)), "{}: {} (\"{}\") is listed twice", file, path, content);
        if (special) {
            if (impl.special.size() <= id) impl.special.resize(id + 1);
            impl.special[id] = true;
        }
    }
}

std::vector<ReplaceStep> read_normalizer(const std::string& file, const json& document) {
    const auto it = document.find("normalizer");
    if (it == document.end() || it->is_null()) return {};
    LTX2_CHECK(it->is_object(), "{}: normalizer must be an object or null, got {}", file, it->type_name());
    const auto replace_step = [&](const json& step, const std::string& path) {
        LTX2_CHECK(step.is_object(), "{}: {} must be an object, got {}", file, path, step.type_name());
        const Fields fields(file, step, path);
        const std::string type = fields.required_string("type");
        LTX2_CHECK(type == "Replace", "{}: {}.type = \"{}\" is not supported (only Replace, or a Sequence of Replace)",
                   file, path, type);
        return ReplaceStep{fields.string_pattern("pattern"), fields.required_string("content")};
    };
    if (it->value("type", json()) != "Sequence") return {replace_step(*it, "normalizer")};
    const auto steps = it->find("normalizers");
    LTX2_CHECK(steps != it->end() && steps->is_array(), "{}: normalizer.normalizers must be an array", file);
    std::vector<ReplaceStep> out;
    for (size_t i = 0; i < steps->size(); ++i)
        out.push_back(replace_step((*steps)[i], fmt::format("normalizer.normalizers[{}]", i)));
    return out;
}

std::string read_split_pre_tokenizer(const std::string& file, const json& document) {
    const auto it = document.find("pre_tokenizer");
    if (it == document.end() || it->is_null()) return {};
    LTX2_CHECK(it->is_object(), "{}: pre_tokenizer must be an object or null, got {}", file, it->type_name());
    const Fields fields(file, *it, "pre_tokenizer");
    const std::string type = fields.required_string("type");
    LTX2_CHECK(type == "Split", "{}: pre_tokenizer.type = \"{}\" is not supported (only Split)", file, type);
    const std::string behavior = fields.required_string("behavior");
    LTX2_CHECK(behavior == "MergedWithPrevious",
               "{}: pre_tokenizer.behavior = \"{}\" is not supported (only MergedWithPrevious)", file, behavior);
    LTX2_CHECK(!fields.boolean("invert", false), "{}: pre_tokenizer.invert = true is not supported", file);
    return fields.string_pattern("pattern");
}

}  // namespace

GemmaTokenizer GemmaTokenizer::load(const std::string& path) {
    TokenizerJsonTables tables = read_tokenizer_json(path);
    const json& document = *tables.document;
    const Fields root(path, document, "");
    const Fields model = root.object("model");
    LTX2_CHECK(tables.has_vocab, "{}: model.vocab is {}", path,
               model.find("vocab") ? "not an object mapping token text to id" : "missing");
    LTX2_CHECK(tables.has_merges, "{}: model.merges is {}", path,
               model.find("merges") ? "not an array of merges" : "missing");

    auto impl = std::make_unique<Impl>();
    impl->source = path;
    impl->tokens = tokens_by_id(path, tables.vocab);
    const BpeOptions options = read_bpe_options(model, impl->tokens);
    const size_t vocab_entries = impl->tokens.size();
    std::vector<int32_t> vocab_ids(vocab_entries);
    for (size_t id = 0; id < vocab_entries; ++id) vocab_ids[id] = int32_t(id);

    // Added tokens may extend `tokens`, so they go in before the BPE model views the texts.
    add_added_tokens(path, document, *impl);
    impl->normalizer = read_normalizer(path, document);
    impl->split_after = read_split_pre_tokenizer(path, document);

    impl->make_bpe(vocab_ids, options);
    LTX2_CHECK(impl->bpe->vocab_size() == vocab_entries, "{}: model.vocab lists the same token text twice", path);
    add_merges(path, tables, *impl->bpe);
    return GemmaTokenizer(std::move(impl));
}

}  // namespace ltx2
