#include "core/regular_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/error.h"

namespace ltx2 {

namespace {

const char* kind_of(mode_t mode) {
    if (S_ISDIR(mode)) return "is a folder, not a file";
    if (S_ISFIFO(mode)) return "is a FIFO (named pipe), not a regular file";
    if (S_ISCHR(mode)) return "is a character device, not a regular file";
    if (S_ISBLK(mode)) return "is a block device, not a regular file";
    if (S_ISSOCK(mode)) return "is a socket, not a regular file";
    return S_ISREG(mode) ? nullptr : "is not a regular file";
}

}  // namespace

std::optional<std::string> regular_file_problem(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return errno == ENOENT ? "no such file" : std::strerror(errno);
    if (const char* kind = kind_of(st.st_mode)) return std::string(kind);
    return std::nullopt;
}

std::optional<std::string> output_file_problem(const std::string& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) return errno == ENOENT ? std::nullopt : std::optional(std::string(std::strerror(errno)));
    if (S_ISLNK(st.st_mode)) return "is a symbolic link, not a regular file";
    if (const char* kind = kind_of(st.st_mode)) return std::string(kind);
    return std::nullopt;
}

int open_regular_file(const std::string& path, const std::string& what) {
    const std::string who = what.empty() ? path : what + " " + path;
    const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) fail("{}: cannot open: {}", who, errno == ENOENT ? "no such file" : std::strerror(errno));
    struct stat st {};
    const char* kind = ::fstat(fd, &st) != 0 ? "cannot be examined (fstat failed)" : kind_of(st.st_mode);
    if (kind) {
        ::close(fd);
        fail("{}: {}", who, kind);
    }
    // Regular files never block; reads go on in the usual blocking mode.
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    return fd;
}

std::string read_regular_file(const std::string& path, const std::string& what) {
    const int fd = open_regular_file(path, what);
    std::string bytes;
    char buffer[1 << 16];
    for (;;) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n == 0) break;
        if (n < 0) {
            if (errno == EINTR) continue;
            const int e = errno;
            ::close(fd);
            fail("{}{}{}: read failed: {}", what, what.empty() ? "" : " ", path, std::strerror(e));
        }
        bytes.append(buffer, size_t(n));
    }
    ::close(fd);
    return bytes;
}

}  // namespace ltx2
