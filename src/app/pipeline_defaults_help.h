#pragma once
// The --help table of each pipeline's defaults (size, steps, guidance), with the values that
// differ between LTX-2 and LTX-2.3, built from the defaults the generator applies.
#include <string>

namespace ltx2::app {

std::string pipeline_defaults_help();

}  // namespace ltx2::app
