#include "app/inspect.h"

#include <fmt/format.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/regular_file.h"
#include "io/gguf.h"
#include "io/gguf_value_text.h"
#include "io/safetensors.h"
#include "models/gemma3/gguf_weights.h"
#include "models/model_version.h"
#include "pipelines/model_files.h"

namespace ltx2::app {

namespace {

// Long metadata values (a checkpoint's config JSON) are cut at this many bytes unless asked.
constexpr size_t kShortValueChars = 160;

// Groups tensor names by their first two dotted components ("model.diffusion_model", "vae.decoder").
std::string component_of(const std::string& name) {
    auto first = name.find('.');
    if (first == std::string::npos) return name;
    auto second = name.find('.', first + 1);
    return second == std::string::npos ? name.substr(0, first) : name.substr(0, second);
}

struct StoredTensor {
    std::string name, type;
    Shape shape;
};

// What a .safetensors or .gguf file holds, as read.
struct StoredFile {
    std::string format;
    std::vector<StoredTensor> tensors;
    std::vector<std::pair<std::string, std::string>> metadata;  // key (with its type for GGUF), value text
    std::optional<std::string> config, model_version;           // a GGUF's ltx2.config / ltx2.model_version
};

StoredFile read_gguf(const std::string& path, const InspectOptions& options) {
    StoredFile out;
    const auto file = GgufFile::open(path);
    for (const auto& t : file->tensors()) out.tensors.push_back({t.name, std::string(ggml_type_name(t.type)), t.shape});
    const size_t max_chars = options.full_metadata ? 0 : kShortValueChars;
    for (const GgufKeyValue& kv : file->metadata())
        out.metadata.emplace_back(fmt::format("{} ({})", kv.key, gguf_value_type_text(kv)),
                                  gguf_value_text(*file, kv, options.full_metadata ? 64 : 8, max_chars));
    auto text = [&](const char* key) -> std::optional<std::string> {
        const GgufKeyValue* kv = file->find_key(key);
        return kv && kv->type == GgufValueType::STRING ? std::optional(file->get_string(key)) : std::nullopt;
    };
    out.config = text("ltx2.config");
    out.model_version = text("ltx2.model_version");
    const auto arch = text("general.architecture");
    out.format = fmt::format("GGUF v{}, architecture {}", file->version(), arch ? "'" + *arch + "'" : "not set");
    return out;
}

std::string short_value(const std::string& value, bool full) {
    if (full || value.size() <= kShortValueChars) return value;
    return fmt::format("{}... ({} bytes in all; --full-metadata prints it whole)", value.substr(0, kShortValueChars),
                       value.size());
}

StoredFile read_safetensors(const std::string& path, const InspectOptions& options) {
    StoredFile out;
    const auto file = SafetensorsFile::open(path);
    for (const auto& e : file->entries()) out.tensors.push_back({e.name, std::string(dtype_name(e.dtype)), e.shape});
    for (const auto& [key, value] : file->metadata()) out.metadata.emplace_back(key, short_value(value, options.full_metadata));
    out.config = file->metadata_value("config");
    out.model_version = file->metadata_value("model_version");
    out.format = "safetensors";
    return out;
}

void append_components(std::string& text, const std::vector<StoredTensor>& tensors) {
    struct Stats {
        size_t tensors = 0;
        uint64_t params = 0;
        std::map<std::string, size_t> types;
    };
    std::map<std::string, Stats> by_component;
    for (const StoredTensor& t : tensors) {
        auto& s = by_component[component_of(t.name)];
        s.tensors += 1;
        uint64_t n = 1;
        for (auto d : t.shape) n *= uint64_t(d);
        s.params += n;
        s.types[t.type] += 1;
    }
    for (const auto& [name, s] : by_component) {
        text += fmt::format("  {:<40} {:6} tensors {:16} parameters  ", name, s.tensors, s.params);
        for (const auto& [type, n] : s.types) text += fmt::format(" {}:{}", type, n);
        text += "\n";
    }
}

void append_model(std::string& text, const std::string& path, const StoredFile& f) {
    const auto json = f.config ? nlohmann::json::parse(*f.config, nullptr, false) : nlohmann::json();
    if (!f.config) {
        text += "  no config metadata\n";
    } else if (json.is_discarded()) {
        text += "  config: present but not valid JSON\n";
    } else {
        text += "  config sections:";
        for (auto it = json.begin(); it != json.end(); ++it) text += " " + it.key();
        text += "\n";
    }
    if (f.model_version) text += fmt::format("  model_version: {}\n", *f.model_version);
    try {
        if (f.config && !json.is_discarded())
            text += fmt::format("  model: {}\n", model_semantics(f.model_version, json, path).name());
        else if (const auto generation = ltx_file_generation(path))
            text += fmt::format("  model: {} (from its tensors)\n",
                                *generation == ModelGeneration::Ltx2_3 ? "LTX-2.3" : "LTX-2 (19B)");
    } catch (const Error& e) {
        text += fmt::format("  model: not supported ({})\n", e.what());
    }
    try {
        const std::vector<std::string> parts = describe_ltx_parts(path);
        if (parts.empty()) text += "  LTX parts: none (not an LTX model file)\n";
        for (const std::string& line : parts) text += fmt::format("  LTX {}\n", line);
    } catch (const Error& e) {
        text += fmt::format("  LTX parts: not readable ({})\n", e.what());
    }
}

}  // namespace

std::string inspect_model_path(const std::string& path, const InspectOptions& options) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) return inspect_gemma_folder(path, options);
    if (const auto problem = regular_file_problem(path)) fail("{}: {}", path, *problem);
    const StoredFile f = is_gguf_path(path) ? read_gguf(path, options) : read_safetensors(path, options);
    std::string text = fmt::format("{}: {} tensors ({}, header valid)\n", path, f.tensors.size(), f.format);
    append_components(text, f.tensors);
    if (f.metadata.empty()) text += "  metadata: none\n";
    else text += fmt::format("  metadata ({} keys):\n", f.metadata.size());
    for (const auto& [key, value] : f.metadata) text += fmt::format("    {}: {}\n", key, value);
    append_model(text, path, f);
    if (options.list_tensors)
        for (const StoredTensor& t : f.tensors) text += fmt::format("{} {} {}\n", t.name, t.type, shape_str(t.shape));
    else
        text += fmt::format("  (--tensors lists all {} with type and shape)\n", f.tensors.size());
    return text;
}

}  // namespace ltx2::app
