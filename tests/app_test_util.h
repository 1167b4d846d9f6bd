#pragma once
// Helpers of the program-layer tests (model locator, Hub download): a controlled environment
// and small files.
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>

#include "app/hf_cache.h"

namespace ltx2::test {

// An environment holding exactly `vars`.
inline app::EnvLookup env_of(std::map<std::string, std::string> vars) {
    return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
        auto it = vars.find(name);
        if (it == vars.end()) return std::nullopt;
        return it->second;
    };
}

inline void write_file(const std::filesystem::path& p, const std::string& bytes = "") {
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << bytes;
}

inline std::string read_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace ltx2::test
