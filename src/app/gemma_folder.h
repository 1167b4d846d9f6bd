#pragma once
// What makes a folder a usable Gemma 3 text encoder (as `hf download google/gemma-3-12b-it`
// leaves it): config.json, tokenizer.json, and the weights: model.safetensors.index.json plus
// every shard it lists, or a single model.safetensors.
#include <filesystem>
#include <string>
#include <vector>

namespace ltx2::app {

inline constexpr const char* kGemmaIndexFile = "model.safetensors.index.json";

// What the folder lacks, one entry per file ("model-00003-of-00005.safetensors"); empty when
// complete. A malformed index is reported as an entry naming it and why.
std::vector<std::string> gemma_folder_missing_files(const std::filesystem::path& dir);

// The distinct shard files a safetensors index maps its tensors to, sorted.
std::vector<std::string> safetensors_index_shards(const std::filesystem::path& index_json);

// Whether config.json at this path describes a Gemma model ("model_type": "gemma...").
bool is_gemma_config(const std::filesystem::path& config_json);

}  // namespace ltx2::app
