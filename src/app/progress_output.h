#pragma once
// Where the progress stream goes (--progress-fd N): stderr by default, stdout (1), or any
// descriptor the program inherited open for writing (`3>progress.jsonl`, a pipe), checked before
// any work.
#include <cstdio>

namespace ltx2 {

// The stream writing to descriptor `fd` (stdout for 1, stderr for 2); throws naming --progress-fd
// when `fd` is not open, or open for reading only.
std::FILE* open_progress_output(int fd);

}  // namespace ltx2
