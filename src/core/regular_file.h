#pragma once
// Input files are opened without blocking and must be regular files: a FIFO, device or socket
// given as an input is refused at once instead of hanging in open() or read().
#include <optional>
#include <string>

namespace ltx2 {

// Why `path` is not a readable regular file ("no such file", "is a folder", "is a FIFO", "is a
// character device", ...), or nullopt when it is one. Does not open the file.
std::optional<std::string> regular_file_problem(const std::string& path);

// Why an output file may not be written at `path`: nullopt when nothing is there or a regular
// file is (it is replaced); else "is a symbolic link, not a regular file", "is a FIFO ...", ...
// Does not follow a symbolic link: renaming onto one would replace the link, not its target.
std::optional<std::string> output_file_problem(const std::string& path);

// Opens `path` for reading without blocking; fails "WHAT PATH: REASON" unless it is a regular
// file. Returns the descriptor (O_CLOEXEC; the caller closes it).
int open_regular_file(const std::string& path, const std::string& what);

// The whole file's bytes, read through open_regular_file.
std::string read_regular_file(const std::string& path, const std::string& what);

}  // namespace ltx2
