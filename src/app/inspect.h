#pragma once
// `ltx2 inspect PATH`: what a model file or folder holds, for people. A .safetensors or .gguf
// file: its tensors by component, every metadata key and value, the config's sections, which
// model and LTX parts it is; a folder: the Gemma 3 text encoder folder it should be (config,
// tokenizer, shards: what is there and what is missing).
#include <string>

namespace ltx2::app {

struct InspectOptions {
    bool list_tensors = false;   // every tensor with type and shape
    bool full_metadata = false;  // metadata values whole (else long ones are cut)
};

// Throws ltx2::Error naming the path when it cannot be read.
std::string inspect_model_path(const std::string& path, const InspectOptions& options);

// The folder part (inspect_gemma_folder.cpp).
std::string inspect_gemma_folder(const std::string& dir, const InspectOptions& options);

}  // namespace ltx2::app
