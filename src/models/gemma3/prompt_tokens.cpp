#include "models/gemma3/prompt_tokens.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/error.h"
#include "core/log.h"
#include "models/gemma3/utf8.h"

namespace ltx2 {

bool is_python_whitespace(char32_t c) {
    return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 || c == 0x1680 ||
           (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

std::string_view strip_python_whitespace(std::string_view text) {
    check_utf8(text, "prompt");
    size_t begin = 0;
    while (begin < text.size()) {
        const Utf8Char ch = decode_utf8_at(text, begin);
        if (!is_python_whitespace(ch.code_point)) break;
        begin += ch.length;
    }
    size_t end = text.size();
    while (end > begin) {
        size_t start = end - 1;
        while (start > begin && (static_cast<unsigned char>(text[start]) & 0xC0) == 0x80) --start;
        if (!is_python_whitespace(decode_utf8_at(text, start).code_point)) break;
        end = start;
    }
    return text.substr(begin, end - begin);
}

PromptTokens layout_prompt_tokens(std::span<const int32_t> text_ids, int32_t bos_id, int32_t pad_id, int max_length) {
    LTX2_CHECK(max_length >= 2, "max_length must be at least 2 (<bos> and one token), got {}", max_length);
    PromptTokens out;
    out.untruncated_tokens = int(text_ids.size()) + 1;
    out.truncated = out.untruncated_tokens > max_length;
    out.real_tokens = out.truncated ? max_length : out.untruncated_tokens;
    const size_t padding = size_t(max_length - out.real_tokens);
    out.ids.assign(size_t(max_length), pad_id);
    out.mask.assign(size_t(max_length), 0);
    out.ids[padding] = bos_id;
    for (size_t i = 0; i + 1 < size_t(out.real_tokens); ++i) out.ids[padding + 1 + i] = text_ids[i];
    std::fill(out.mask.begin() + std::ptrdiff_t(padding), out.mask.end(), 1);
    return out;
}

std::string truncation_warning(const PromptTokens& tokens) {
    return fmt::format("prompt has {} tokens (with <bos>), more than max_length {}: keeping the first {}",
                       tokens.untruncated_tokens, tokens.ids.size(), tokens.real_tokens);
}

PromptTokens tokenize_prompt(const GemmaTokenizer& tokenizer, std::string_view prompt, int max_length,
                             EmptyPrompt empty) {
    LTX2_CHECK(max_length >= 2, "max_length must be at least 2 (<bos> and one token), got {}", max_length);
    const std::string_view text = strip_python_whitespace(prompt);
    LTX2_CHECK(!text.empty() || empty == EmptyPrompt::Allow, "prompt is empty{}",
               prompt.empty() ? "" : " (only whitespace)");
    const std::vector<int32_t> ids = tokenizer.encode(text);
    PromptTokens out = layout_prompt_tokens(ids, tokenizer.token_id("<bos>"), tokenizer.token_id("<pad>"), max_length);
    if (out.truncated) warn(truncation_warning(out));
    return out;
}

}  // namespace ltx2
