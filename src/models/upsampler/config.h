#pragma once
// LatentUpsampler configuration: the flat `config` JSON of an upsampler checkpoint
// (LatentUpsamplerConfigurator's keys and defaults), validated up front.
#include <string>

#include <nlohmann/json_fwd.hpp>

namespace ltx2 {

enum class UpsamplerMode {
    Spatial,          // Conv2d(mid, 4·mid) per frame + pixel shuffle 2x2 (`upsampler.0`)
    SpatialRational,  // Conv2d(mid, num²·mid) + pixel shuffle by num + blur downsample by den (`upsampler.conv`)
    Temporal,         // Conv3d(mid, 2·mid) + temporal shuffle, first frame dropped (`upsampler.0`)
    SpatioTemporal,   // Conv3d(mid, 8·mid) + 2x2x2 shuffle, first frame dropped (`upsampler.0`)
};

struct UpsamplerConfig {
    int in_channels = 128;
    int mid_channels = 512;
    int num_blocks_per_stage = 4;
    int dims = 3;
    bool spatial_upsample = true;
    bool temporal_upsample = false;
    double spatial_scale = 2.0;
    bool rational_resampler = false;

    // Derived.
    UpsamplerMode mode = UpsamplerMode::Spatial;
    int scale_num = 2;  // rational resampler: scale = num / den
    int scale_den = 1;

    // Factors by which (frames, height, width) grow; frames: 2F − 1 when temporal.
    bool upsamples_time() const { return mode == UpsamplerMode::Temporal || mode == UpsamplerMode::SpatioTemporal; }
};

// Parses and validates the flat config object; `source` names the file in messages.
UpsamplerConfig parse_upsampler_config(const nlohmann::json& config, const std::string& source);

// The (num, den) of a rational resampler scale: 0.75 → 3/4, 1.5 → 3/2, 2.0 → 2/1, 4.0 → 4/1.
// Throws for any other scale.
void rational_for_scale(double scale, int& num, int& den, const std::string& source);

}  // namespace ltx2
