#pragma once
// Output paths checked before any work, so that a mistake costs nothing and nothing is lost: an
// output is a new file or replaces a regular file, its folder exists and is writable, its temp
// name (io/sibling_temp.h) fits the file system, and it is neither an input nor another output.
#include <string>
#include <vector>

namespace ltx2 {

struct NamedPath {
    std::string option;  // how the user gave it: "--output", "--image", "input", ...
    std::string path;
};

// Throws "WHO: REASON" unless `path` can be written as a file: absent or a regular file (not a
// folder, symbolic link, FIFO or device), in an existing writable folder, its temp name within
// the folder's limit on name length.
void check_output_file_path(const std::string& path, const std::string& who);
inline void check_output_file_path(const NamedPath& output) {
    check_output_file_path(output.path, output.option + " " + output.path);
}

// The same for a folder of outputs that is written whole and renamed into place: absent or an
// empty folder (files of an earlier run would mix with this run's).
void check_output_folder_path(const NamedPath& output);

// Throws naming both paths when an output is one of the inputs (the same file by any path, hard
// links included) or two outputs are the same file.
void check_outputs_spare_inputs(const std::vector<NamedPath>& outputs, const std::vector<NamedPath>& inputs);

}  // namespace ltx2
