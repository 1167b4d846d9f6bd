#include "io/temp_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "core/error.h"

namespace ltx2 {

TempFile::TempFile(const std::string& path) : path_(path), tmp_(path + ".tmp") {
    fd_ = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd_ < 0) fail("{}: cannot create {}: {}", path_, tmp_, std::strerror(errno));
}

TempFile::~TempFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_) ::unlink(tmp_.c_str());
}

void TempFile::write(const void* data, size_t bytes) {
    const char* p = static_cast<const char*>(data);
    while (bytes > 0) {
        ssize_t n = ::write(fd_, p, std::min<size_t>(bytes, size_t(1) << 30));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) fail("{}: write failed: {}", path_, n < 0 ? std::strerror(errno) : "no progress");
        p += n;
        bytes -= size_t(n);
    }
}

void TempFile::truncate(size_t size) {
    if (::ftruncate(fd_, off_t(size)) != 0)
        fail("{}: cannot extend to {} bytes: {}", path_, size, std::strerror(errno));
}

void TempFile::skip(size_t bytes) {
    if (::lseek(fd_, off_t(bytes), SEEK_CUR) < 0) fail("{}: cannot seek {} bytes on: {}", path_, bytes, std::strerror(errno));
}

void TempFile::commit() {
    int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) fail("{}: close failed: {}", path_, std::strerror(errno));
    if (::rename(tmp_.c_str(), path_.c_str()) != 0)
        fail("{}: cannot rename {} onto it: {}", path_, tmp_, std::strerror(errno));
    committed_ = true;
}

}  // namespace ltx2
