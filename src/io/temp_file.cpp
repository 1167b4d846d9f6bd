#include "io/temp_file.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/error.h"

namespace ltx2 {

TempFile::TempFile(const std::string& path) : temp_(path, TempKind::File) {}

void TempFile::write(const void* data, size_t bytes) {
    const char* p = static_cast<const char*>(data);
    while (bytes > 0) {
        ssize_t n = ::write(temp_.fd(), p, std::min<size_t>(bytes, size_t(1) << 30));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) fail("{}: write failed: {}", temp_.target(), n < 0 ? std::strerror(errno) : "no progress");
        p += n;
        bytes -= size_t(n);
    }
}

void TempFile::truncate(size_t size) {
    if (::ftruncate(temp_.fd(), off_t(size)) != 0)
        fail("{}: cannot extend to {} bytes: {}", temp_.target(), size, std::strerror(errno));
}

void TempFile::skip(size_t bytes) {
    if (::lseek(temp_.fd(), off_t(bytes), SEEK_CUR) < 0)
        fail("{}: cannot seek {} bytes on: {}", temp_.target(), bytes, std::strerror(errno));
}

void TempFile::commit() { temp_.commit(); }

}  // namespace ltx2
