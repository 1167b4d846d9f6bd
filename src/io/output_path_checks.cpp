// Output paths checked before any work (see output_path_checks.h).
#include "io/output_path_checks.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <filesystem>

#include "core/error.h"
#include "core/regular_file.h"
#include "io/sibling_temp.h"

namespace ltx2 {

namespace {

namespace fs = std::filesystem;

// The folder `p` goes into must exist and be writable, and the temp name of `p` must fit in it.
void check_folder_and_name(const fs::path& p, const std::string& who) {
    const fs::path folder = p.parent_path().empty() ? fs::path(".") : p.parent_path();
    std::error_code ec;
    const fs::file_status st = fs::status(folder, ec);
    if (!fs::exists(st)) fail("{}: the folder {} does not exist", who, folder.string());
    if (!fs::is_directory(st)) fail("{}: {} is not a folder", who, folder.string());
    if (::access(folder.c_str(), W_OK | X_OK) != 0)
        fail("{}: the folder {} is not writable ({})", who, folder.string(), std::strerror(errno));
    const long name_max = ::pathconf(folder.c_str(), _PC_NAME_MAX);
    const size_t limit = name_max > 0 ? size_t(name_max) : size_t(NAME_MAX);
    const std::string name = p.filename().string();
    const size_t temp_length = sibling_temp_name_length(name);
    if (temp_length > limit)
        fail("{}: the name is too long: {} bytes, and {} with the suffix of its temporary name while it is written, "
             "over the file system's limit of {}; choose a name of at most {} bytes",
             who, name.size(), temp_length, limit, limit - (temp_length - name.size()));
}

// A path to compare with others: absolute, normalised, symbolic links of its existing part resolved.
fs::path comparable(const std::string& path) {
    std::error_code ec;
    fs::path p = fs::absolute(path, ec).lexically_normal();
    if (!p.has_filename() && p.has_parent_path()) p = p.parent_path();
    const fs::path resolved = fs::weakly_canonical(p, ec);
    return ec ? p : resolved;
}

bool same_file(const std::string& a, const std::string& b) {
    std::error_code ec;
    return fs::equivalent(a, b, ec) || comparable(a) == comparable(b);
}

}  // namespace

void check_output_file_path(const std::string& path, const std::string& who) {
    if (path.empty()) fail("{}: the output path is empty", who);
    const fs::path p(path);
    if (!p.has_filename() || p.filename() == "." || p.filename() == "..")
        fail("{}: names a folder; expected a file name", who);
    check_folder_and_name(p, who);
    std::error_code ec;
    if (fs::is_directory(fs::symlink_status(p, ec))) fail("{}: a folder of that name exists; expected a file name", who);
    if (const auto problem = output_file_problem(path))
        fail("{}: {}; an output must be a new file or replace a regular file", who, *problem);
}

void check_output_folder_path(const NamedPath& output) {
    const std::string who = output.option + " " + output.path;
    if (output.path.empty()) fail("{}: the output path is empty", output.option);
    fs::path p(output.path);
    if (!p.has_filename() && p.has_parent_path()) p = p.parent_path();  // "frames/"
    if (p.filename() == "." || p.filename() == "..")
        fail("{}: name the folder itself (it is written whole and renamed into place), not . or ..", who);
    struct stat st {};
    if (::lstat(p.c_str(), &st) == 0) {
        if (S_ISLNK(st.st_mode)) fail("{}: is a symbolic link; give a new or an empty folder", who);
        if (!S_ISDIR(st.st_mode)) fail("{}: exists and is not a folder; give a new or an empty folder", who);
        std::error_code ec;
        fs::directory_iterator it(p, ec);
        if (ec) fail("{}: cannot list the folder: {}", who, ec.message());
        if (it != fs::directory_iterator())
            fail("{}: the folder is not empty (it holds {}, ...); this run's files would mix with an earlier run's: "
                 "give a new or an empty folder",
                 who, it->path().filename().string());
    }
    check_folder_and_name(p, who);
}

void check_outputs_spare_inputs(const std::vector<NamedPath>& outputs, const std::vector<NamedPath>& inputs) {
    for (size_t i = 0; i < outputs.size(); ++i) {
        const NamedPath& out = outputs[i];
        if (out.path.empty()) continue;
        for (const NamedPath& in : inputs)
            if (!in.path.empty() && same_file(out.path, in.path))
                fail("{} {}: is the input of {} {}; choose another output file so the input is not overwritten",
                     out.option, out.path, in.option, in.path);
        for (size_t j = 0; j < i; ++j)
            if (!outputs[j].path.empty() && same_file(out.path, outputs[j].path))
                fail("{} {} and {} {} are the same file: the second output would replace the first; give each its "
                     "own name",
                     outputs[j].option, outputs[j].path, out.option, out.path);
    }
}

}  // namespace ltx2
