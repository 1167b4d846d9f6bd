#pragma once
// The Hugging Face cache layout shared with the `hf` tool:
//   <cache>/models--<org>--<name>/{blobs/<etag>, snapshots/<commit>/<file> -> ../../blobs/<etag>, refs/<revision>}
// and where that cache lives: $HF_HUB_CACHE, else $HF_HOME/hub, else
// ${XDG_CACHE_HOME:-~/.cache}/huggingface/hub.
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace ltx2::app {

// Reads an environment variable; tests pass their own. Empty values count as unset.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;
EnvLookup process_environment();
std::optional<std::string> env_value(const EnvLookup& env, const std::string& name);

std::filesystem::path hf_home(const EnvLookup& env);
std::filesystem::path hf_cache_root(const EnvLookup& env);

// "Lightricks/LTX-2" -> <cache>/models--Lightricks--LTX-2
std::filesystem::path hf_repo_folder(const std::filesystem::path& cache_root, const std::string& repo);

// The commit a ref (e.g. "main") points at, from <repo folder>/refs/<revision>.
std::optional<std::string> hf_read_ref(const std::filesystem::path& repo_folder, const std::string& revision);

// Snapshot folders to search, in order: the one refs/main names (when it exists), then the
// others, most recently modified first.
std::vector<std::filesystem::path> hf_snapshots_in_search_order(const std::filesystem::path& repo_folder);

}  // namespace ltx2::app
