#pragma once
// Messages for the user on stderr that are not errors.
#include <fmt/format.h>

#include <string_view>

namespace ltx2 {

void warn(std::string_view message);  // "warning: <message>" on stderr

template <class... Args>
void warn(fmt::format_string<Args...> pattern, Args&&... args) {
    warn(std::string_view(fmt::format(pattern, std::forward<Args>(args)...)));
}

void info(std::string_view message);  // "<message>" on stderr

template <class... Args>
void info(fmt::format_string<Args...> pattern, Args&&... args) {
    info(std::string_view(fmt::format(pattern, std::forward<Args>(args)...)));
}

}  // namespace ltx2
