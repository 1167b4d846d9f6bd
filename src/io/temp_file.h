#pragma once
// Writing a file atomically: the bytes go to a temp beside PATH (io/sibling_temp.h), which
// commit() renames onto PATH; if commit() never runs (an error was thrown), the temp is removed
// and PATH stays untouched.
#include <cstddef>
#include <string>

#include "io/sibling_temp.h"

namespace ltx2 {

class TempFile {
public:
    explicit TempFile(const std::string& path);  // throws naming PATH when the temp cannot be created

    void write(const void* data, size_t bytes);  // all of it, or throws naming PATH (e.g. disk full)
    void truncate(size_t size);                  // sets the size (extending leaves a hole)
    void skip(size_t bytes);                     // moves past `bytes` unwritten ones (a hole)
    void commit();

private:
    SiblingTemp temp_;
};

}  // namespace ltx2
