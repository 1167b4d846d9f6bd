#pragma once
// The web page served at / (with its script and style sheet): plain HTML, CSS and JavaScript
// compiled into the binary, no CDN and no build step.
#include <string_view>

namespace ltx2::service {

extern const std::string_view kWebPageHtml;
extern const std::string_view kWebPageScript;
extern const std::string_view kWebPageStyle;

}  // namespace ltx2::service
