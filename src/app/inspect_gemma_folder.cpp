// `ltx2 inspect DIR`: a Gemma 3 folder as `hf download google/gemma-3-12b-it` leaves it.
#include <fmt/format.h>

#include <filesystem>
#include <map>

#include "app/gemma_folder.h"
#include "app/inspect.h"
#include "core/error.h"
#include "io/safetensors.h"
#include "models/gemma3/config.h"

namespace ltx2::app {

namespace fs = std::filesystem;

namespace {

bool present(const fs::path& p) {
    std::error_code ec;
    return fs::is_regular_file(p, ec);
}

std::string config_line(const fs::path& dir) {
    if (!present(dir / "config.json")) return "config.json: missing";
    if (!is_gemma_config(dir / "config.json")) return "config.json: not a Gemma config (model_type is not gemma*)";
    try {
        const Gemma3Config c = load_gemma3_config(dir.string());
        const std::vector<std::string> differences = check_matches_12b(c);
        return fmt::format("config.json: Gemma 3, {} layers, hidden {}, {} heads ({} key/value), vocabulary {}{}",
                           c.num_hidden_layers, c.hidden_size, c.num_attention_heads, c.num_key_value_heads,
                           c.vocab_size,
                           differences.empty() ? ", the 12B the LTX text encoder needs"
                                               : fmt::format(" (not the 12B: {} settings differ)", differences.size()));
    } catch (const Error& e) {
        return fmt::format("config.json: not a usable Gemma 3 config: {}", e.what());
    }
}

// The weight files the folder names (index shards, or model.safetensors).
std::vector<std::string> weight_files(const fs::path& dir, std::string& how) {
    if (present(dir / kGemmaIndexFile)) {
        try {
            const std::vector<std::string> shards = safetensors_index_shards(dir / kGemmaIndexFile);
            how = fmt::format("{} lists {} shard{}", kGemmaIndexFile, shards.size(), shards.size() == 1 ? "" : "s");
            return shards;
        } catch (const Error& e) {
            how = fmt::format("{} unreadable: {}", kGemmaIndexFile, e.what());
            return {};
        }
    }
    how = fmt::format("no {}", kGemmaIndexFile);
    return {"model.safetensors"};
}

}  // namespace

std::string inspect_gemma_folder(const std::string& dir_name, const InspectOptions& options) {
    const fs::path dir(dir_name);
    const std::vector<std::string> missing = gemma_folder_missing_files(dir);
    std::string text = fmt::format("{}: Gemma 3 text encoder folder, {}\n", dir_name,
                                   missing.empty() ? "complete (usable as --gemma)"
                                                   : fmt::format("incomplete: missing {}", fmt::join(missing, ", ")));
    text += "  " + config_line(dir) + "\n";
    text += "  tokenizer:";
    for (const char* file : {"tokenizer.json", "tokenizer.model", "tokenizer_config.json", "special_tokens_map.json",
                             "generation_config.json"})
        text += fmt::format(" {} ({})", file, present(dir / file) ? "present" : "absent");
    text += "\n";

    std::string how;
    const std::vector<std::string> files = weight_files(dir, how);
    size_t tensors = 0, present_files = 0;
    uint64_t params = 0, bytes = 0;
    std::map<std::string, size_t> types;
    std::vector<std::string> listing;
    for (const std::string& name : files) {
        if (!present(dir / name)) continue;
        ++present_files;
        std::error_code ec;
        bytes += fs::file_size(dir / name, ec);
        const auto shard = SafetensorsFile::open((dir / name).string());
        for (const auto& e : shard->entries()) {
            ++tensors;
            uint64_t n = 1;
            for (auto d : e.shape) n *= uint64_t(d);
            params += n;
            types[std::string(dtype_name(e.dtype))] += 1;
            if (options.list_tensors)
                listing.push_back(fmt::format("{} {} {} ({})", e.name, dtype_name(e.dtype), shape_str(e.shape), name));
        }
    }
    const std::string size = bytes >= 1e9 ? fmt::format("{:.1f} GB", double(bytes) / 1e9)
                                          : fmt::format("{:.1f} MB", double(bytes) / 1e6);
    text += fmt::format("  weights: {}; {} of {} present, {}\n", how, present_files, files.size(), size);
    text += fmt::format("  tensors in the present files: {}, {} parameters, types", tensors, params);
    for (const auto& [type, n] : types) text += fmt::format(" {}:{}", type, n);
    text += "\n";
    for (const std::string& line : listing) text += line + "\n";
    return text;
}

}  // namespace ltx2::app
