#include "core/storage.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "core/error.h"
#include "core/regular_file.h"

namespace ltx2 {

bool poison_uninitialised_memory() {
    static const bool poison = [] {
        const char* v = std::getenv("LTX2_POISON_UNINITIALISED");
        return v && std::string_view(v) == "1";
    }();
    return poison;
}

OwnedStorage::OwnedStorage(size_t bytes, Fill fill, Device device) {
    size_ = bytes;
    device_ = device;
    size_t rounded = (bytes + 63) / 64 * 64;
    if (rounded == 0) rounded = 64;
    data_ = static_cast<std::byte*>(std::aligned_alloc(64, rounded));
    if (!data_) fail("out of memory allocating {} bytes", bytes);
    if (fill == Fill::Zero) std::memset(data_, 0, rounded);
    else if (poison_uninitialised_memory()) std::memset(data_, 0xFF, rounded);
}

OwnedStorage::~OwnedStorage() { std::free(data_); }

MappedFile::MappedFile(const std::string& path) : path_(path) {
    const int fd = open_regular_file(path, "");
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
        int e = errno;
        ::close(fd);
        fail("{}: cannot stat: {}", path, std::strerror(e));
    }
    size_ = size_t(st.st_size);
    if (size_ > 0) {
        void* p = ::mmap(nullptr, size_, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            int e = errno;
            ::close(fd);
            fail("{}: cannot map {} bytes: {}", path, size_, std::strerror(e));
        }
        data_ = static_cast<std::byte*>(p);
    }
    ::close(fd);
}

MappedFile::~MappedFile() {
    if (data_) ::munmap(data_, size_);
}

namespace {
void advise(std::byte* base, size_t total, size_t offset, size_t bytes, int advice) {
    if (!base || bytes == 0 || offset >= total) return;
    static const size_t page = size_t(::sysconf(_SC_PAGESIZE));
    size_t begin = offset / page * page;
    size_t end = std::min(total, offset + bytes);
    ::madvise(base + begin, end - begin, advice);
}
}  // namespace

void MappedFile::will_need(size_t offset, size_t bytes) const {
    advise(data_, size_, offset, bytes, MADV_WILLNEED);
}
void MappedFile::dont_need(size_t offset, size_t bytes) const {
    advise(data_, size_, offset, bytes, MADV_DONTNEED);
}

}  // namespace ltx2
