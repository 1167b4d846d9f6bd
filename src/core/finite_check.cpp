// NaN / infinity detection on stored bits (see finite_check.h).
#include "core/finite_check.h"

#include <cmath>
#include <cstring>

#include "core/error.h"

namespace ltx2 {

namespace {

// Index of the first element whose exponent bits are all ones, scanning in blocks so the common
// all-finite case is a branch-free OR per block that the compiler vectorizes.
template <class Bits>
std::optional<int64_t> first_all_ones_exponent(const Bits* bits, int64_t n, Bits exponent_mask) {
    constexpr int64_t kBlock = 4096;
    for (int64_t start = 0; start < n; start += kBlock) {
        const int64_t end = std::min(n, start + kBlock);
        bool any = false;
        for (int64_t i = start; i < end; ++i) any |= (bits[i] & exponent_mask) == exponent_mask;
        if (!any) continue;
        for (int64_t i = start; i < end; ++i)
            if ((bits[i] & exponent_mask) == exponent_mask) return i;
    }
    return std::nullopt;
}

}  // namespace

std::optional<int64_t> first_non_finite(const Tensor& t) {
    if (!t.defined() || t.numel() == 0) return std::nullopt;
    const DType dtype = t.dtype();
    if (dtype != DType::F32 && dtype != DType::BF16 && dtype != DType::F16) return std::nullopt;
    const Tensor c = t.contiguous();
    const int64_t n = c.numel();
    switch (dtype) {
        case DType::F32: return first_all_ones_exponent<uint32_t>(c.data<uint32_t>(), n, 0x7F800000u);
        case DType::BF16: return first_all_ones_exponent<uint16_t>(c.data<uint16_t>(), n, uint16_t(0x7F80));
        default: return first_all_ones_exponent<uint16_t>(c.data<uint16_t>(), n, uint16_t(0x7C00));
    }
}

std::string element_coordinates(const Shape& shape, int64_t index) {
    std::vector<int64_t> coords(shape.size());
    for (size_t d = shape.size(); d-- > 0;) {
        const int64_t extent = std::max<int64_t>(shape[d], 1);
        coords[d] = index % extent;
        index /= extent;
    }
    std::string out = "[";
    for (size_t d = 0; d < coords.size(); ++d) out += (d ? ", " : "") + std::to_string(coords[d]);
    return out + "]";
}

void require_finite_weight(const Tensor& t, const std::string& where, const std::string& name) {
    const std::optional<int64_t> bad = first_non_finite(t);
    if (!bad) return;
    const double value = t.contiguous().reshape({-1}).at({*bad});
    fail("{}: tensor '{}' holds {} at {} (element {} of shape {}); the file is damaged or was saved from a "
         "diverged model, and would only produce noise",
         where, name, std::isnan(value) ? "NaN" : (value > 0 ? "+Inf" : "-Inf"), element_coordinates(t.shape(), *bad),
         *bad, shape_str(t.shape()));
}

}  // namespace ltx2
