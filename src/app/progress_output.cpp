#include "app/progress_output.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

#include "core/error.h"

namespace ltx2 {

std::FILE* open_progress_output(int fd) {
    constexpr const char* kExpected =
        "expected 1 (stdout), 2 (stderr) or a descriptor the program inherited open for writing, e.g. "
        "`ltx2 ... --progress-fd 3 3>progress.jsonl`";
    struct stat st {};
    if (fd < 0 || ::fstat(fd, &st) != 0) fail("--progress-fd {}: not an open file descriptor; {}", fd, kExpected);
    const int flags = ::fcntl(fd, F_GETFL);
    if (flags < 0 || (flags & O_ACCMODE) == O_RDONLY)
        fail("--progress-fd {}: the descriptor is open for reading only; {}", fd, kExpected);
    if (fd == 1) return stdout;
    if (fd == 2) return stderr;
    std::FILE* out = ::fdopen(fd, "w");
    if (out == nullptr) fail("--progress-fd {}: cannot write to it ({}); {}", fd, std::strerror(errno), kExpected);
    return out;
}

}  // namespace ltx2
