#include "core/log.h"

#include <cstdio>

namespace ltx2 {

void warn(std::string_view message) {
    std::fprintf(stderr, "warning: %.*s\n", int(message.size()), message.data());
    std::fflush(stderr);
}

void info(std::string_view message) {
    std::fprintf(stderr, "%.*s\n", int(message.size()), message.data());
    std::fflush(stderr);
}

}  // namespace ltx2
