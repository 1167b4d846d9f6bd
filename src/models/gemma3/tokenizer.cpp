#include "models/gemma3/tokenizer.h"

#include "core/error.h"
#include "models/gemma3/tokenizer_impl.h"
#include "models/gemma3/utf8.h"

namespace ltx2 {

namespace {

void replace_all(std::string& text, const ReplaceStep& step) {
    if (step.pattern.empty() || text.find(step.pattern) == std::string::npos) return;
    std::string out;
    out.reserve(text.size());
    size_t pos = 0;
    for (size_t hit; (hit = text.find(step.pattern, pos)) != std::string::npos; pos = hit + step.pattern.size())
        out.append(text, pos, hit - pos).append(step.content);
    out.append(text, pos);
    text = std::move(out);
}

}  // namespace

void GemmaTokenizer::Impl::make_bpe(const std::vector<int32_t>& ids, const BpeOptions& options) {
    bpe.emplace(tokens, ids, options);
}

GemmaTokenizer::GemmaTokenizer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
GemmaTokenizer::GemmaTokenizer(GemmaTokenizer&&) noexcept = default;
GemmaTokenizer& GemmaTokenizer::operator=(GemmaTokenizer&&) noexcept = default;
GemmaTokenizer::~GemmaTokenizer() = default;

std::vector<int32_t> GemmaTokenizer::encode(std::string_view text) const {
    check_utf8(text, "text to tokenize");
    std::vector<int32_t> ids;
    std::string normalized;
    for (const AddedTokenMatcher::Piece& piece : impl_->added.split(text)) {
        if (piece.id >= 0) {
            ids.push_back(piece.id);
            continue;
        }
        normalized.assign(piece.text);
        for (const ReplaceStep& step : impl_->normalizer) replace_all(normalized, step);
        const std::string_view rest = normalized;
        const std::string& delimiter = impl_->split_after;
        size_t start = 0;
        if (!delimiter.empty())
            for (size_t hit; (hit = rest.find(delimiter, start)) != std::string_view::npos;) {
                impl_->bpe->encode(rest.substr(start, hit + delimiter.size() - start), ids);
                start = hit + delimiter.size();
            }
        impl_->bpe->encode(rest.substr(start), ids);
    }
    return ids;
}

std::optional<int32_t> GemmaTokenizer::find_token(std::string_view text) const {
    if (const auto id = impl_->added.find(text)) return id;
    return impl_->bpe->find(text);
}

int32_t GemmaTokenizer::token_id(std::string_view text) const {
    const auto id = find_token(text);
    LTX2_CHECK(id.has_value(), "{}: no token '{}' in the vocabulary", impl_->source, text);
    return *id;
}

const std::string& GemmaTokenizer::token_text(int32_t id) const {
    LTX2_CHECK(id >= 0 && size_t(id) < impl_->tokens.size(), "{}: token id {} out of range [0, {})", impl_->source, id,
               impl_->tokens.size());
    return impl_->tokens[size_t(id)];
}

size_t GemmaTokenizer::vocab_size() const { return impl_->tokens.size(); }
size_t GemmaTokenizer::added_token_count() const { return impl_->added.size(); }
size_t GemmaTokenizer::merge_count() const { return impl_->bpe->merge_count(); }
const std::string& GemmaTokenizer::source() const { return impl_->source; }

}  // namespace ltx2
