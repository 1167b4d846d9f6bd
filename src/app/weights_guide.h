#pragma once
// What a newcomer without weights can do: the demo model, the download commands with their
// approximate sizes, and the smaller fp8 / GGUF alternatives. Appended to the locator's
// "cannot find the model files" error.
#include <string>

namespace ltx2::app {

std::string missing_weights_guide();

}  // namespace ltx2::app
