#include "app/encoder_settings.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>

#include "core/error.h"

namespace ltx2::app {

void check_encoder_settings(double crf, const std::string& preset) {
    if (!(std::isfinite(crf) && crf >= 0 && crf <= 51))
        fail("--crf {}: expected a value in [1, 51] (23 the default, 51 the worst)", crf);
    if (crf < 1)
        fail("--crf {}: libx264 encodes lossless then, in the High 4:4:4 Predictive profile, which browsers and most "
             "players cannot decode; give 1 or more (1: visually lossless)",
             crf);
    if (std::find(std::begin(kX264Presets), std::end(kX264Presets), preset) == std::end(kX264Presets))
        fail("--preset '{}': not a libx264 preset; expected one of {}", preset, fmt::join(kX264Presets, ", "));
}

}  // namespace ltx2::app
