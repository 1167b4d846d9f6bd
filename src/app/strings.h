#pragma once
// Small string helpers for the program layer.
#include <string>
#include <string_view>

namespace ltx2::app {

inline std::string trim_whitespace(std::string_view s) {
    const auto begin = s.find_first_not_of(" \t\r\n");
    if (begin == std::string_view::npos) return {};
    return std::string(s.substr(begin, s.find_last_not_of(" \t\r\n") - begin + 1));
}

}  // namespace ltx2::app
