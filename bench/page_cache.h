#pragma once
// Dropping a freshly written model file from the page cache, so the run that follows reads it
// from storage as a first run after a download would.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "core/error.h"

namespace ltx2::bench {

// Flushes the file to disk and drops it from the page cache.
inline void evict(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY);
    LTX2_CHECK(fd >= 0, "{}: cannot open to flush: {}", path, std::strerror(errno));
    ::fsync(fd);
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    ::close(fd);
}

}  // namespace ltx2::bench
