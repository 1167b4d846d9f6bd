#include "models/gemma3/generation_config.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/regular_file.h"

namespace ltx2 {

namespace {

using nlohmann::json;

bool is_whole(const json& v) {
    return v.is_number_integer() || (v.is_number_float() && v.get<double>() == std::floor(v.get<double>()));
}

}  // namespace

GenerationConfig parse_generation_config(const std::string& json_text, const std::string& source) {
    json j;
    try {
        j = json::parse(json_text);
    } catch (const json::exception& e) {
        fail("{}: not valid JSON: {}", source, e.what());
    }
    LTX2_CHECK(j.is_object(), "{}: expected a JSON object, got {}", source, j.type_name());
    const auto present = [&](const char* key) { return j.contains(key) && !j.at(key).is_null(); };
    GenerationConfig c;
    if (present("eos_token_id")) {
        const json& v = j.at("eos_token_id");
        const json ids = v.is_array() ? v : json::array({v});
        for (const json& id : ids) {
            LTX2_CHECK(is_whole(id) && id.get<double>() >= 0, "{}: eos_token_id {} is not a token id (or a list of them)",
                       source, v.dump());
            c.eos_token_ids.push_back(id.get<int64_t>());
        }
    }
    if (present("top_k")) {
        const json& v = j.at("top_k");
        LTX2_CHECK(is_whole(v) && v.get<double>() >= 0, "{}: top_k {} must be a whole number >= 0", source, v.dump());
        c.top_k = v.get<int>();
    }
    if (present("top_p")) {
        const json& v = j.at("top_p");
        LTX2_CHECK(v.is_number() && v.get<double>() > 0 && v.get<double>() <= 1, "{}: top_p {} must lie in (0, 1]",
                   source, v.dump());
        c.top_p = v.get<double>();
    }
    if (present("temperature")) {
        const json& v = j.at("temperature");
        LTX2_CHECK(v.is_number() && v.get<double>() > 0, "{}: temperature {} must be a positive number", source,
                   v.dump());
        c.temperature = v.get<double>();
    }
    return c;
}

GenerationConfig load_generation_config(const std::string& folder) {
    const std::filesystem::path file = std::filesystem::path(folder) / "generation_config.json";
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) return {};
    return parse_generation_config(read_regular_file(file.string(), "Gemma generation config"), file.string());
}

}  // namespace ltx2
