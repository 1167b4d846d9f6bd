#pragma once
// The one error type of the engine: every failure carries a message that names the
// file / tensor / option involved and what was expected.
#include <fmt/format.h>
#include <stdexcept>
#include <string>

namespace ltx2 {

class Error : public std::runtime_error {
public:
    explicit Error(const std::string& message) : std::runtime_error(message) {}
};

template <class... Args>
[[noreturn]] void fail(fmt::format_string<Args...> pattern, Args&&... args) {
    throw Error(fmt::format(pattern, std::forward<Args>(args)...));
}

#define LTX2_CHECK(cond, ...)                 \
    do {                                      \
        if (!(cond)) ::ltx2::fail(__VA_ARGS__); \
    } while (0)

}  // namespace ltx2
