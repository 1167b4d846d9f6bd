// GemmaTokenizer::decode: the tokenizer.json decoder of Gemma (Replace "▁" -> " ", ByteFallback, Fuse).
#include <optional>

#include "core/error.h"
#include "models/gemma3/tokenizer.h"
#include "models/gemma3/tokenizer_impl.h"
#include "models/gemma3/utf8.h"

namespace ltx2 {

namespace {

constexpr std::string_view kSpaceMark = "\xE2\x96\x81";  // U+2581 "▁"
constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// The byte a token "<0xNN>" stands for.
std::optional<unsigned char> byte_token(std::string_view text) {
    if (text.size() != 6 || !text.starts_with("<0x") || text.back() != '>') return std::nullopt;
    unsigned value = 0;
    for (char c : text.substr(3, 2)) {
        const int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (digit < 0) return std::nullopt;
        value = value * 16 + unsigned(digit);
    }
    return static_cast<unsigned char>(value);
}

bool valid_utf8(std::string_view bytes) {
    for (size_t i = 0; i < bytes.size();) {
        const size_t n = decode_utf8_at(bytes, i).length;
        if (n == 0) return false;
        i += n;
    }
    return true;
}

}  // namespace

bool GemmaTokenizer::is_special(int32_t id) const {
    return id >= 0 && size_t(id) < impl_->special.size() && impl_->special[size_t(id)];
}

std::string GemmaTokenizer::decode(std::span<const int64_t> ids, bool skip_special) const {
    std::string out, bytes;  // `bytes`: the pending run of byte tokens
    const auto flush_bytes = [&] {
        if (valid_utf8(bytes))
            out += bytes;
        else
            for (size_t i = 0; i < bytes.size(); ++i) out += kReplacement;
        bytes.clear();
    };
    for (const int64_t id : ids) {
        LTX2_CHECK(id >= 0 && size_t(id) < vocab_size(), "{}: token id {} out of range [0, {})", source(), id,
                   vocab_size());
        const std::string& text = token_text(int32_t(id));
        if (skip_special && is_special(int32_t(id))) continue;
        if (const auto byte = byte_token(text)) {
            bytes.push_back(char(*byte));
            continue;
        }
        flush_bytes();
        for (size_t pos = 0; pos < text.size();) {
            if (std::string_view(text).substr(pos).starts_with(kSpaceMark)) {
                out += ' ';
                pos += kSpaceMark.size();
            } else {
                out += text[pos++];
            }
        }
    }
    flush_bytes();
    return out;
}

}  // namespace ltx2
