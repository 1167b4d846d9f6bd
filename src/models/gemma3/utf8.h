#pragma once
// UTF-8 decoding with validation (the tokenizer and the prompt wrapper work on code points).
#include <cstddef>
#include <string_view>

namespace ltx2 {

// The valid UTF-8 sequence starting at text[pos]: its length in bytes (1..4) and code point,
// or length 0 when the bytes there are not valid UTF-8 (overlong, surrogate, > U+10FFFF,
// truncated, stray continuation byte).
struct Utf8Char {
    size_t length = 0;
    char32_t code_point = 0;
};
Utf8Char decode_utf8_at(std::string_view text, size_t pos);

// Throws ltx2::Error "<what>: invalid UTF-8 at byte N" for the first invalid sequence.
void check_utf8(std::string_view text, std::string_view what);

}  // namespace ltx2
