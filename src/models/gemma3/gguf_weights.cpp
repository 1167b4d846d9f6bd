#include "models/gemma3/gguf_weights.h"

#include "models/gemma3/gguf_config.h"
#include "models/gemma3/gguf_names.h"

namespace ltx2 {

bool is_gguf_path(const std::string& path) { return path.ends_with(".gguf"); }

Gemma3Gguf open_gemma3_gguf(const std::string& path) {
    std::shared_ptr<const GgufFile> file = GgufFile::open(path);
    Gemma3Config config = gemma3_config_from_gguf(*file);  // checks the architecture first
    WeightStore store = WeightStore::open_mapped(path, gemma3_name_from_llama_cpp);
    return {std::move(file), std::move(store), std::move(config)};
}

void advise_gemma3_gguf(const GgufFile& file, const std::string& name_prefix, bool need) {
    for (const GgufTensorInfo& t : file.tensors()) {
        if (!gemma3_name_from_llama_cpp(t.name).starts_with(name_prefix)) continue;
        if (need)
            file.mapping()->will_need(t.offset, t.nbytes);
        else
            file.mapping()->dont_need(t.offset, t.nbytes);
    }
}

}  // namespace ltx2
