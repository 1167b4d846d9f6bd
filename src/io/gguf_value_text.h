#pragma once
// A GGUF metadata value as text, for people (ltx2 inspect): numbers and booleans as such,
// strings as stored, arrays as [a, b, ...] with at most `max_elements` shown.
#include <cstddef>
#include <string>

#include "io/gguf.h"

namespace ltx2 {

// Strings longer than `max_chars` (0: no limit) are cut, saying how long they are.
std::string gguf_value_text(const GgufFile& file, const GgufKeyValue& kv, size_t max_elements = 8,
                            size_t max_chars = 0);

// "u32", "string", "array of 5 string".
std::string gguf_value_type_text(const GgufKeyValue& kv);

}  // namespace ltx2
