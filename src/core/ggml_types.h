#pragma once
// The ggml tensor types (as GGUF files store them): type ids, names and block geometry.
// A block-quantized row of n values is n / block_elems blocks of block_bytes bytes.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ltx2 {

// The ggml types this engine reads; the values are ggml's type ids.
enum class GgmlType : uint32_t {
    F32 = 0,
    F16 = 1,
    Q4_0 = 2,
    Q4_1 = 3,
    Q5_0 = 6,
    Q5_1 = 7,
    Q8_0 = 8,
    Q2_K = 10,
    Q3_K = 11,
    Q4_K = 12,
    Q5_K = 13,
    Q6_K = 14,
    IQ4_NL = 20,
    IQ4_XS = 23,
    BF16 = 30,
};

inline constexpr int64_t kQK_K = 256;  // values per K-quant super-block

struct GgmlTypeTraits {
    GgmlType type;
    std::string_view name;  // ggml's spelling: "f32", "q4_K", "iq4_nl", ...
    int64_t block_elems;
    size_t block_bytes;
};

// Traits of a supported type id; nullptr for any other id.
const GgmlTypeTraits* ggml_type_traits(uint32_t id);
const GgmlTypeTraits& ggml_type_traits(GgmlType type);
std::string_view ggml_type_name(GgmlType type);
// "q4_K (12)" for a supported id; ggml's name for ids it defines that are not supported here
// ("iq2_xxs (16), not supported"); "99 (unknown)" otherwise. For messages.
std::string ggml_type_describe(uint32_t id);
// Parses ggml's spelling (case-sensitive, as ggml writes it); false for an unsupported name.
bool ggml_type_from_name(std::string_view name, GgmlType& out);
// Bytes of n values (n must be a multiple of the block size; checked by the callers that read files).
size_t ggml_row_bytes(GgmlType type, int64_t n);

}  // namespace ltx2
