#pragma once
// The H.264 settings of the output (--crf, --preset), checked before any model work: libx264
// would refuse them only when the first frame is encoded, after the whole generation.
#include <string>

namespace ltx2::app {

// libx264's speed presets, fastest first (x264_preset_names of x264.h).
inline constexpr const char* kX264Presets[] = {"ultrafast", "superfast", "veryfast", "faster", "fast",
                                               "medium",    "slow",      "slower",   "veryslow", "placebo"};

// Throws naming --crf or --preset and what libx264 takes.
void check_encoder_settings(double crf, const std::string& preset);

}  // namespace ltx2::app
