#include "io/gguf_value_text.h"

#include <fmt/format.h>

#include <cstring>

namespace ltx2 {

namespace {

template <class T>
T read(const std::byte* p) {
    T v;
    std::memcpy(&v, p, sizeof(T));
    return v;
}

std::string cut(std::string text, size_t max_chars) {
    if (max_chars == 0 || text.size() <= max_chars) return text;
    const size_t total = text.size();
    text.resize(max_chars);
    return fmt::format("{}... ({} bytes in all)", text, total);
}

// One value of a fixed type or a string at `p`; `p` moves past it.
std::string scalar_text(GgufValueType type, const std::byte*& p, size_t max_chars) {
    auto take = [&p]<class T>(T) {
        const T v = read<T>(p);
        p += sizeof(T);
        return v;
    };
    switch (type) {
        case GgufValueType::U8: return fmt::format("{}", take(uint8_t{}));
        case GgufValueType::I8: return fmt::format("{}", take(int8_t{}));
        case GgufValueType::U16: return fmt::format("{}", take(uint16_t{}));
        case GgufValueType::I16: return fmt::format("{}", take(int16_t{}));
        case GgufValueType::U32: return fmt::format("{}", take(uint32_t{}));
        case GgufValueType::I32: return fmt::format("{}", take(int32_t{}));
        case GgufValueType::U64: return fmt::format("{}", take(uint64_t{}));
        case GgufValueType::I64: return fmt::format("{}", take(int64_t{}));
        case GgufValueType::F32: return fmt::format("{}", take(float{}));
        case GgufValueType::F64: return fmt::format("{}", take(double{}));
        case GgufValueType::BOOL: return take(uint8_t{}) != 0 ? "true" : "false";
        case GgufValueType::STRING: {
            const uint64_t length = take(uint64_t{});
            std::string s(reinterpret_cast<const char*>(p), size_t(length));
            p += length;
            return cut(std::move(s), max_chars);
        }
        case GgufValueType::ARRAY: break;  // nested arrays are refused when the file is opened
    }
    return "?";
}

}  // namespace

std::string gguf_value_type_text(const GgufKeyValue& kv) {
    if (kv.type != GgufValueType::ARRAY) return std::string(gguf_value_type_name(kv.type));
    return fmt::format("array of {} {}", kv.count, gguf_value_type_name(kv.element_type));
}

std::string gguf_value_text(const GgufFile& file, const GgufKeyValue& kv, size_t max_elements, size_t max_chars) {
    const std::byte* p = file.mapping()->data() + kv.offset;
    if (kv.type != GgufValueType::ARRAY) return scalar_text(kv.type, p, max_chars);
    std::string text = "[";
    const uint64_t shown = std::min<uint64_t>(kv.count, max_elements);
    for (uint64_t i = 0; i < shown; ++i) {
        const std::string element = scalar_text(kv.element_type, p, max_chars);
        text += (i ? ", " : "") + (kv.element_type == GgufValueType::STRING ? "\"" + element + "\"" : element);
    }
    if (shown < kv.count) text += fmt::format(", ... {} more", kv.count - shown);
    return text + "]";
}

}  // namespace ltx2
