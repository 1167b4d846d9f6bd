#pragma once
// A Gemma 3 GGUF made by llama.cpp (convert_hf_to_gguf.py, optionally llama-quantize): its
// config from the metadata, its tensors under the Hugging Face names the model loads.
#include <memory>
#include <string>

#include "io/gguf.h"
#include "io/weight_store.h"
#include "models/gemma3/config.h"

namespace ltx2 {

struct Gemma3Gguf {
    std::shared_ptr<const GgufFile> file;  // the store's own mapping
    WeightStore store;                     // the file's tensors under Hugging Face names (gguf_names.h)
    Gemma3Config config;
};

bool is_gguf_path(const std::string& path);  // a ".gguf" file name
Gemma3Gguf open_gemma3_gguf(const std::string& path);

}  // namespace ltx2
