#include "app/gemma_folder.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "core/error.h"

namespace ltx2::app {

namespace fs = std::filesystem;

std::vector<std::string> safetensors_index_shards(const fs::path& index_json) {
    std::ifstream in(index_json);
    LTX2_CHECK(in.good(), "{}: cannot open", index_json.string());
    const auto index = nlohmann::json::parse(in, nullptr, false);
    LTX2_CHECK(!index.is_discarded(), "{}: not valid JSON", index_json.string());
    const auto map = index.find("weight_map");
    LTX2_CHECK(map != index.end() && map->is_object() && !map->empty(),
               "{}: expected a non-empty \"weight_map\" object", index_json.string());
    std::set<std::string> shards;
    for (const auto& [tensor, shard] : map->items()) {
        LTX2_CHECK(shard.is_string(), "{}: weight_map entry '{}' is not a file name", index_json.string(), tensor);
        shards.insert(shard.get<std::string>());
    }
    return {shards.begin(), shards.end()};
}

std::vector<std::string> gemma_folder_missing_files(const fs::path& dir) {
    std::vector<std::string> missing;
    std::error_code ec;
    for (const char* required : {"config.json", "tokenizer.json"})
        if (!fs::is_regular_file(dir / required, ec)) missing.emplace_back(required);

    const fs::path index = dir / kGemmaIndexFile;
    if (fs::is_regular_file(index, ec)) {
        try {
            for (const auto& shard : safetensors_index_shards(index))
                if (!fs::is_regular_file(dir / shard, ec)) missing.push_back(shard);
        } catch (const Error& e) {
            missing.push_back(fmt::format("{} (unreadable: {})", kGemmaIndexFile, e.what()));
        }
    } else if (!fs::is_regular_file(dir / "model.safetensors", ec)) {
        missing.emplace_back(kGemmaIndexFile);
    }
    return missing;
}

bool is_gemma_config(const fs::path& config_json) {
    std::ifstream in(config_json);
    if (!in) return false;
    const auto config = nlohmann::json::parse(in, nullptr, false);
    if (!config.is_object()) return false;
    const auto type = config.find("model_type");
    return type != config.end() && type->is_string() && type->get<std::string>().rfind("gemma", 0) == 0;
}

}  // namespace ltx2::app
