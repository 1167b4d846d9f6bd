// Output-file checks and temp-then-rename writing for the media writers (see output_file.h).
#include "io/media/output_file.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "core/error.h"

namespace ltx2::media {

namespace fs = std::filesystem;

void require_output_folder(const std::string& dir, const char* what) {
    std::error_code ec;
    const fs::file_status st = fs::status(dir, ec);
    LTX2_CHECK(fs::exists(st), "{}: cannot write {} here: the folder does not exist", dir, what);
    LTX2_CHECK(fs::is_directory(st), "{}: cannot write {} here: not a folder", dir, what);
    LTX2_CHECK(::access(dir.c_str(), W_OK | X_OK) == 0, "{}: cannot write {} here: the folder is not writable ({})",
               dir, what, std::strerror(errno));
}

void require_output_location(const std::string& path, const char* what) {
    LTX2_CHECK(!path.empty(), "cannot write {}: the output path is empty", what);
    const fs::path p(path);
    LTX2_CHECK(p.has_filename(), "{}: cannot write {}: the output path names a folder, not a file", path, what);
    const std::string dir = p.parent_path().empty() ? std::string(".") : p.parent_path().string();
    std::error_code ec;
    const fs::file_status dst = fs::status(dir, ec);
    LTX2_CHECK(fs::exists(dst), "{}: cannot write {}: the folder {} does not exist", path, what, dir);
    LTX2_CHECK(fs::is_directory(dst), "{}: cannot write {}: {} is not a folder", path, what, dir);
    LTX2_CHECK(::access(dir.c_str(), W_OK | X_OK) == 0, "{}: cannot write {}: the folder {} is not writable ({})", path,
               what, dir, std::strerror(errno));
    LTX2_CHECK(!fs::is_directory(fs::status(p, ec)), "{}: cannot write {}: a folder of that name exists", path, what);
}

TempOutput::~TempOutput() {
    if (!committed_) ::unlink(tmp_.c_str());
}

void TempOutput::commit() {
    if (::rename(tmp_.c_str(), path_.c_str()) != 0)
        fail("{}: cannot rename {} onto it: {}", path_, tmp_, std::strerror(errno));
    committed_ = true;
}

}  // namespace ltx2::media
