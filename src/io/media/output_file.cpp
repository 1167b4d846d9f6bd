// Output-file checks and temp-then-rename writing for the media writers (see output_file.h).
#include "io/media/output_file.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "core/error.h"
#include "io/output_path_checks.h"

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
    check_output_file_path(path, fmt::format("{}: cannot write {}", path, what));
}

}  // namespace ltx2::media
