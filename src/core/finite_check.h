#pragma once
// Finding NaN and infinity in floating tensors without converting them: one pass over the stored
// bits (an all-ones exponent), cheap enough to run on every weight as it is loaded.
#include <cstdint>
#include <optional>
#include <string>

#include "core/tensor.h"

namespace ltx2 {

// The row-major index of the first NaN or ±Inf in `t` (F32, BF16 or F16, any strides), or
// nullopt when every value is finite or the dtype holds no such values (integers, float8's
// scale-free codes are checked by their decoder).
std::optional<int64_t> first_non_finite(const Tensor& t);

// "[i, j, k]": a row-major element index of `shape` written as coordinates, for messages.
std::string element_coordinates(const Shape& shape, int64_t index);

// Fails "WHERE: tensor 'NAME' holds NaN at [i, j] (element E of SHAPE); ..." for a weight with a
// non-finite value, which would otherwise surface only as a ruined generation.
void require_finite_weight(const Tensor& t, const std::string& where, const std::string& name);

}  // namespace ltx2
