#pragma once
// ltx2-quantize on a Gemma 3 checkpoint: a GGUF in llama.cpp's layout, as convert_hf_to_gguf.py
// and llama-quantize would write it, so llama.cpp and `ltx2 --gemma FILE.gguf` both read it:
// general.architecture "gemma3" and gemma3.* settings from the folder's config.json, llama.cpp
// tensor names (text model only: vision-tower and projector tensors are left out), norm weights
// stored as F32 (1 + w), matrices (the token table included) quantized where their rows are a
// whole number of blocks and F16 otherwise, no `output.weight` (the head is the tied table), and
// the vocabulary of the folder's tokenizer.json when there is one.
#include <string>

#include "io/weight_store.h"
#include "quantize_support.h"

namespace ltx2 {

// `checkpoint` is the store of `weights_path` (a file or an index, config.json beside it) under
// its own names; `name` goes to general.name. Writes `out` atomically, with a progress line.
void write_gemma3_gguf(const WeightStore& checkpoint, const std::string& weights_path, const std::string& name,
                       const TargetType& target, const std::string& out);

}  // namespace ltx2
