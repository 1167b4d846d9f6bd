#include "core/precision.h"

namespace ltx2 {

namespace {
thread_local std::optional<Precision> t_execution_precision;
}  // namespace

std::optional<Precision> execution_precision() { return t_execution_precision; }

PrecisionScope::PrecisionScope(Precision precision) : previous_(t_execution_precision) {
    t_execution_precision = precision;
}

PrecisionScope::~PrecisionScope() { t_execution_precision = previous_; }

Precision product_precision(DType weight_dtype) {
    if (t_execution_precision) return *t_execution_precision;
    return weight_dtype == DType::BF16 ? Precision::BF16 : Precision::F32;
}

}  // namespace ltx2
