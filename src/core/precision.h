#pragma once
// The arithmetic precision of an execution: F32, or BF16 (products in bf16 with f32
// accumulation). A property of how a model runs, chosen once by the program or the model's
// loader, not of a kernel and not of the dtype a weight happens to be stored in.
#include <optional>

#include "core/dtype.h"

namespace ltx2 {

enum class Precision { F32, BF16 };
inline const char* precision_name(Precision p) { return p == Precision::BF16 ? "bf16" : "f32"; }

// The precision of the calling thread's execution while a PrecisionScope lives on it (the
// innermost one), else none.
std::optional<Precision> execution_precision();

// Runs the products of the calling thread (linear, convolutions) at `precision` while it lives:
// a model opens one for its forward pass with the precision it was loaded for. Scopes nest.
class PrecisionScope {
public:
    explicit PrecisionScope(Precision precision);
    ~PrecisionScope();
    PrecisionScope(const PrecisionScope&) = delete;
    PrecisionScope& operator=(const PrecisionScope&) = delete;

private:
    std::optional<Precision> previous_;
};

// The precision of a product with a weight stored as `weight_dtype`: the execution's, or
// without one the stored dtype's (BF16 for BF16, else F32), which is how a model loaded as
// stored (the VAEs, the vocoder, the upsampler) computes.
Precision product_precision(DType weight_dtype);

}  // namespace ltx2
