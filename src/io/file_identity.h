#pragma once
// A cheap identity of an input file for a run's record (the --sidecar JSON): what tells two files
// apart without reading 40 GB. Every file has its size and modification time; a small file (at
// most 16 MiB: images, audio, configs, tokenizers) its whole sha256; a safetensors file the sha256
// of its header (the 8-byte length and the JSON: every tensor's name, dtype, shape and offsets,
// and the metadata); any other large file (GGUF) the sha256 of its first 4 MiB.
#include <string>

#include <nlohmann/json_fwd.hpp>

namespace ltx2 {

// {"path", "size", "mtime" (UTC, ISO 8601), and one of "sha256" / "header_sha256" /
// "head_sha256"}; a folder (a Gemma model) gives {"path", "files": [...]} of its regular files,
// sorted by name. Throws naming `who` and the path when it cannot be read.
nlohmann::json file_identity_json(const std::string& path, const std::string& who);

// The content digest alone ("sha256:..." / "header-sha256:..." / "head-sha256:..."), without the
// path, size or time: the same bytes give the same text on any machine.
std::string file_content_digest(const std::string& path, const std::string& who);

// "PATH@SIZE:MTIME" from the file's metadata alone (0s when it cannot be read): tells a replaced
// file apart at no I/O cost, for keys such as the kept models' (pipelines/model_cache.h).
std::string file_stat_identity(const std::string& path);

}  // namespace ltx2
