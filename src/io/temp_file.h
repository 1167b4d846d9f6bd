#pragma once
// Writing a file atomically: the bytes go to PATH.tmp, which commit() renames onto PATH; if
// commit() never runs (an error was thrown), PATH.tmp is removed and PATH stays untouched.
#include <cstddef>
#include <string>

namespace ltx2 {

class TempFile {
public:
    explicit TempFile(const std::string& path);  // throws naming PATH when PATH.tmp cannot be created
    ~TempFile();
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;

    void write(const void* data, size_t bytes);  // all of it, or throws naming PATH (e.g. disk full)
    void truncate(size_t size);                  // sets the size (extending leaves a hole)
    void skip(size_t bytes);                     // moves past `bytes` unwritten ones (a hole)
    void commit();

private:
    std::string path_, tmp_;
    int fd_ = -1;
    bool committed_ = false;
};

}  // namespace ltx2
