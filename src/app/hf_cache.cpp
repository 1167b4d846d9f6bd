#include "app/hf_cache.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>

#include "app/strings.h"
#include "core/error.h"

namespace ltx2::app {

namespace fs = std::filesystem;

EnvLookup process_environment() {
    return [](const std::string& name) -> std::optional<std::string> {
        const char* value = std::getenv(name.c_str());
        if (value == nullptr || *value == '\0') return std::nullopt;
        return std::string(value);
    };
}

std::optional<std::string> env_value(const EnvLookup& env, const std::string& name) {
    auto value = env(name);
    if (value && value->empty()) return std::nullopt;
    return value;
}

fs::path hf_home(const EnvLookup& env) {
    if (auto home = env_value(env, "HF_HOME")) return *home;
    if (auto xdg = env_value(env, "XDG_CACHE_HOME")) return fs::path(*xdg) / "huggingface";
    auto user_home = env_value(env, "HOME");
    LTX2_CHECK(user_home.has_value(),
               "cannot find the Hugging Face cache: none of HF_HUB_CACHE, HF_HOME, XDG_CACHE_HOME or HOME is set");
    return fs::path(*user_home) / ".cache" / "huggingface";
}

fs::path hf_cache_root(const EnvLookup& env) {
    if (auto cache = env_value(env, "HF_HUB_CACHE")) return *cache;
    return hf_home(env) / "hub";
}

fs::path hf_repo_folder(const fs::path& cache_root, const std::string& repo) {
    const auto slash = repo.find('/');
    LTX2_CHECK(slash != std::string::npos && slash > 0 && slash + 1 < repo.size() &&
                   repo.find('/', slash + 1) == std::string::npos,
               "repository '{}': expected OWNER/NAME, e.g. Lightricks/LTX-2", repo);
    return cache_root / ("models--" + repo.substr(0, slash) + "--" + repo.substr(slash + 1));
}

std::optional<std::string> hf_read_ref(const fs::path& repo_folder, const std::string& revision) {
    std::ifstream in(repo_folder / "refs" / revision);
    std::string commit;
    if (!in || !std::getline(in, commit)) return std::nullopt;
    commit = trim_whitespace(commit);
    if (commit.empty()) return std::nullopt;
    return commit;
}

std::vector<fs::path> hf_snapshots_in_search_order(const fs::path& repo_folder) {
    const fs::path snapshots = repo_folder / "snapshots";
    std::error_code ec;
    if (!fs::is_directory(snapshots, ec)) return {};

    std::vector<std::pair<fs::file_time_type, fs::path>> others;
    for (const auto& entry : fs::directory_iterator(snapshots, ec)) {
        if (!entry.is_directory(ec)) continue;
        others.emplace_back(entry.last_write_time(ec), entry.path());
    }
    std::sort(others.begin(), others.end(), [](const auto& a, const auto& b) {
        return a.first != b.first ? a.first > b.first : a.second < b.second;
    });

    std::vector<fs::path> order;
    const auto main = hf_read_ref(repo_folder, "main");
    if (main) order.push_back(snapshots / *main);
    for (const auto& [time, path] : others)
        if (!main || path.filename() != *main) order.push_back(path);
    return order;
}

}  // namespace ltx2::app
