#include "models/gemma3/gguf_weights.h"

#include "models/gemma3/gguf_config.h"
#include "models/gemma3/gguf_names.h"

namespace ltx2 {

bool is_gguf_path(const std::string& path) { return path.ends_with(".gguf"); }

Gemma3Gguf open_gemma3_gguf(const std::string& path) {
    WeightStore store = WeightStore::open_mapped(path, gemma3_name_from_llama_cpp);
    std::shared_ptr<const GgufFile> file = store.gguf_file();
    Gemma3Config config = gemma3_config_from_gguf(*file);  // checks the architecture first
    return {std::move(file), std::move(store), std::move(config)};
}

}  // namespace ltx2
