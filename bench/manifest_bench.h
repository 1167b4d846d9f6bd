#pragma once
// The tensor manifests of tests/golden/*/manifest/ as the benchmarks read them: the JSON itself,
// and its `config_metadata` (stored as a JSON string or an object) as an object.
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "core/error.h"

namespace ltx2::bench {

inline nlohmann::json read_manifest(const std::string& path) {
    std::ifstream in(path);
    LTX2_CHECK(in.good(), "{}: cannot open the tensor manifest", path);
    return nlohmann::json::parse(in);
}

inline nlohmann::json manifest_config(const nlohmann::json& manifest) {
    nlohmann::json config = manifest.at("config_metadata");
    return config.is_string() ? nlohmann::json::parse(config.get<std::string>()) : config;
}

}  // namespace ltx2::bench
