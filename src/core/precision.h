#pragma once
// The arithmetic precision of an execution: F32, or BF16 (products in bf16 with f32
// accumulation). A property of how a model runs, chosen once by the program, not of a kernel.
namespace ltx2 {

enum class Precision { F32, BF16 };
inline const char* precision_name(Precision p) { return p == Precision::BF16 ? "bf16" : "f32"; }

}  // namespace ltx2
