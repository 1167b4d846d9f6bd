#include "models/gemma3/utf8.h"

#include "core/error.h"

namespace ltx2 {

Utf8Char decode_utf8_at(std::string_view text, size_t pos) {
    const auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
    const unsigned char lead = byte(pos);
    if (lead < 0x80) return {1, lead};
    size_t length;
    char32_t cp, min_cp;
    if ((lead & 0xE0) == 0xC0) {
        length = 2, cp = lead & 0x1F, min_cp = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
        length = 3, cp = lead & 0x0F, min_cp = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
        length = 4, cp = lead & 0x07, min_cp = 0x10000;
    } else {
        return {};
    }
    if (pos + length > text.size()) return {};
    for (size_t i = 1; i < length; ++i) {
        const unsigned char b = byte(pos + i);
        if ((b & 0xC0) != 0x80) return {};
        cp = (cp << 6) | (b & 0x3F);
    }
    if (cp < min_cp || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return {};
    return {length, cp};
}

void check_utf8(std::string_view text, std::string_view what) {
    for (size_t pos = 0; pos < text.size();) {
        const size_t length = decode_utf8_at(text, pos).length;
        LTX2_CHECK(length != 0, "{}: invalid UTF-8 at byte {} (0x{:02X})", what, pos,
                   static_cast<unsigned char>(text[pos]));
        pos += length;
    }
}

}  // namespace ltx2
