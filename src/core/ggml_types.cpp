#include "core/ggml_types.h"

#include <fmt/format.h>

#include "core/error.h"

namespace ltx2 {

namespace {

constexpr GgmlTypeTraits kTraits[] = {
    {GgmlType::F32, "f32", 1, 4},          {GgmlType::F16, "f16", 1, 2},
    {GgmlType::BF16, "bf16", 1, 2},        {GgmlType::Q4_0, "q4_0", 32, 18},
    {GgmlType::Q4_1, "q4_1", 32, 20},      {GgmlType::Q5_0, "q5_0", 32, 22},
    {GgmlType::Q5_1, "q5_1", 32, 24},      {GgmlType::Q8_0, "q8_0", 32, 34},
    {GgmlType::Q2_K, "q2_K", kQK_K, 84},   {GgmlType::Q3_K, "q3_K", kQK_K, 110},
    {GgmlType::Q4_K, "q4_K", kQK_K, 144},  {GgmlType::Q5_K, "q5_K", kQK_K, 176},
    {GgmlType::Q6_K, "q6_K", kQK_K, 210},  {GgmlType::IQ4_NL, "iq4_nl", 32, 18},
    {GgmlType::IQ4_XS, "iq4_xs", kQK_K, 136},
};

// ggml's names of the ids it defines (empty: retired ids); only used in messages.
constexpr std::string_view kAllGgmlNames[] = {
    "f32",    "f16",   "q4_0",  "q4_1",   "",      "",       "q5_0",   "q5_1",    "q8_0",   "q8_1",  "q2_K",
    "q3_K",   "q4_K",  "q5_K",  "q6_K",   "q8_K",  "iq2_xxs", "iq2_xs", "iq3_xxs", "iq1_s",  "iq4_nl", "iq3_s",
    "iq2_s",  "iq4_xs", "i8",   "i16",    "i32",   "i64",    "f64",    "iq1_m",   "bf16",   "",      "",
    "",       "tq1_0", "tq2_0", "",       "",      "",       "mxfp4",  "nvfp4",   "q1_0",   "q2_0",
};

}  // namespace

const GgmlTypeTraits* ggml_type_traits(uint32_t id) {
    for (const auto& t : kTraits)
        if (uint32_t(t.type) == id) return &t;
    return nullptr;
}

const GgmlTypeTraits& ggml_type_traits(GgmlType type) {
    const GgmlTypeTraits* t = ggml_type_traits(uint32_t(type));
    if (!t) fail("internal: ggml type id {} has no traits", uint32_t(type));
    return *t;
}

std::string_view ggml_type_name(GgmlType type) { return ggml_type_traits(type).name; }

std::string ggml_type_describe(uint32_t id) {
    if (const GgmlTypeTraits* t = ggml_type_traits(id)) return fmt::format("{} ({})", t->name, id);
    if (id < std::size(kAllGgmlNames) && !kAllGgmlNames[id].empty())
        return fmt::format("{} ({}), not supported", kAllGgmlNames[id], id);
    return fmt::format("{} (unknown)", id);
}

bool ggml_type_from_name(std::string_view name, GgmlType& out) {
    for (const auto& t : kTraits)
        if (t.name == name) {
            out = t.type;
            return true;
        }
    return false;
}

size_t ggml_row_bytes(GgmlType type, int64_t n) {
    const GgmlTypeTraits& t = ggml_type_traits(type);
    return size_t(n / t.block_elems) * t.block_bytes;
}

}  // namespace ltx2
