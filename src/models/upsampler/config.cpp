#include "models/upsampler/config.h"

#include <cmath>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "models/config_section.h"

namespace ltx2 {

void rational_for_scale(double scale, int& num, int& den, const std::string& source) {
    if (scale == 0.75) { num = 3; den = 4; return; }
    if (scale == 1.5) { num = 3; den = 2; return; }
    if (scale == 2.0) { num = 2; den = 1; return; }
    if (scale == 4.0) { num = 4; den = 1; return; }
    fail("{}: upsampler spatial_scale {} is not supported by the rational resampler, expected one of 0.75, 1.5, 2.0, 4.0",
         source, scale);
}

UpsamplerConfig parse_upsampler_config(const nlohmann::json& config, const std::string& source) {
    const ConfigSection r = ConfigSection::of(config, "", source + " (upsampler)");
    UpsamplerConfig c;
    c.in_channels = r.integer("in_channels", 128, 1);
    c.mid_channels = r.integer("mid_channels", 512, 32);
    c.num_blocks_per_stage = r.integer("num_blocks_per_stage", 4, 0);
    c.dims = r.integer("dims", 3, 2);
    c.spatial_upsample = r.boolean("spatial_upsample", true);
    c.temporal_upsample = r.boolean("temporal_upsample", false);
    c.spatial_scale = r.number("spatial_scale", 2.0, false);
    c.rational_resampler = r.boolean("rational_resampler", false);
    r.choice("_class_name", "LatentUpsampler", {"LatentUpsampler"});
    r.reject_unknown();

    if (c.dims != 2 && c.dims != 3) fail("{}: upsampler config key 'dims' is {}, expected 2 or 3", source, c.dims);
    if (c.mid_channels % 32 != 0)
        fail("{}: upsampler config key 'mid_channels' is {}, expected a multiple of 32 (GroupNorm with 32 groups)",
             source, c.mid_channels);
    if (!c.spatial_upsample && !c.temporal_upsample)
        fail("{}: upsampler config has spatial_upsample and temporal_upsample both false; one must be true", source);

    if (c.spatial_upsample && c.temporal_upsample) {
        c.mode = UpsamplerMode::SpatioTemporal;
    } else if (c.spatial_upsample) {
        if (c.rational_resampler) {
            c.mode = UpsamplerMode::SpatialRational;
            rational_for_scale(c.spatial_scale, c.scale_num, c.scale_den, source);
        } else {
            c.mode = UpsamplerMode::Spatial;
            c.scale_num = 2;
            c.scale_den = 1;
        }
    } else {
        c.mode = UpsamplerMode::Temporal;
    }
    // The reference builds a Conv3d upsampler for temporal modes and applies it to 2-D
    // (per-frame) activations when dims is 2, which cannot run.
    if (c.dims == 2 && c.upsamples_time())
        fail("{}: upsampler config with dims 2 cannot upsample in time (temporal_upsample needs dims 3)", source);
    return c;
}

}  // namespace ltx2
