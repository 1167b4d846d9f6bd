#pragma once
// ltx2-quantize --type fp8: an LTX-2 bf16 checkpoint to the official fp8 layout. Each Linear
// weight [out, in] inside transformer_blocks.N (except the layers the reference keeps in bf16)
// becomes float8_e4m3fn with a per-tensor float32 `.weight_scale` (dequantized weight =
// float(w) · weight_scale) and an `.input_scale`; every other tensor and the metadata are copied.
#include <string>

namespace ltx2 {

// Reads the single-file safetensors checkpoint IN one tensor at a time and writes OUT
// atomically, with a progress line. Refuses a checkpoint that is already float8.
void write_fp8_checkpoint(const std::string& in, const std::string& out);

}  // namespace ltx2
