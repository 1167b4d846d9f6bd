#pragma once
// From one measured distilled generation to the time of another size (a projection, not a
// measurement). The model, stage by stage:
//   - denoising: a step costs fixed + r·G(tokens), where G is the transformer's FLOPs for one
//     call (48 × block_gflop: projections, feed-forwards, and attention's quadratic terms, at the
//     stage's video and audio tokens and 1024 context tokens) and `fixed` what does not grow with
//     tokens (decoding each block's Q4_K weights, per-call overhead). The two measured stages
//     (stage 1 at half size, stage 2 at full size: 4x the video tokens) give the two unknowns;
//     if the fit is not physical (fixed < 0 or r <= 0 on a noisy machine) fixed is set to 0 and r
//     fitted through the origin, and the result says so. A stage's remainder beyond its steps
//     (the text K/V cache, the first cold read of the weights) is kept as it was;
//   - the spatial upsampler scales with the stage-1 latent's voxels, the video decode and the
//     MP4 writing with the output's pixels x frames, the audio decode with the audio latent's
//     length;
//   - everything else (resolving files, loading, prompt encoding: 1024 padded tokens whatever
//     the prompt) is constant.
// It assumes the same throughput for attention FLOPs as for the products, and enough memory at
// the target size to keep the same streaming regime.
#include <algorithm>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "bench_transformer.h"
#include "diffusion/patchifiers.h"

namespace ltx2::bench {

inline constexpr int64_t kContextTokens = 1024;

struct GenerationSize {
    int64_t width = 0, height = 0, frames = 0;
    double fps = 24;

    int64_t pixels_x_frames() const { return width * height * frames; }
    int64_t audio_tokens() const { return audio_latent_shape_from_video(1, frames, fps).frames; }
    // Stage 1 runs at half the width and height, stage 2 at the full size (stage 1 or 2).
    int64_t video_tokens(int stage) const {
        const int64_t div = stage == 1 ? 2 : 1;
        const VideoLatentShape s = video_latent_shape_from_pixels(1, frames, height / div, width / div);
        return s.frames * s.height * s.width;
    }
};

// One call of the transformer, GFLOP.
inline double call_gflop(const TransformerConfig& c, const GenerationSize& size, int stage) {
    return c.num_layers * block_gflop(c, size.video_tokens(stage), size.audio_tokens(), kContextTokens, false);
}

// A denoising stage as measured: its duration, its step times from the progress events.
struct MeasuredDenoise {
    int stage = 1;
    double seconds = 0;
    std::vector<double> step_seconds;

    double median_step() const {
        std::vector<double> s = step_seconds;
        std::sort(s.begin(), s.end());
        const size_t n = s.size();
        return n == 0 ? 0 : n % 2 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
    }
    // What the stage spent beyond its steady steps: the text K/V cache, the first step's cold read.
    double remainder() const { return seconds - double(step_seconds.size()) * median_step(); }
};

struct StepFit {
    double fixed_s = 0, s_per_gflop = 0;
    bool through_origin = false;
};

inline StepFit fit_step_time(const TransformerConfig& c, const GenerationSize& size, const MeasuredDenoise& a,
                             const MeasuredDenoise& b) {
    const double ga = call_gflop(c, size, a.stage), gb = call_gflop(c, size, b.stage);
    const double ta = a.median_step(), tb = b.median_step();
    StepFit fit;
    fit.s_per_gflop = (tb - ta) / (gb - ga);
    fit.fixed_s = ta - fit.s_per_gflop * ga;
    if (fit.fixed_s < 0 || fit.s_per_gflop <= 0) fit = {0, (ta + tb) / (ga + gb), true};
    return fit;
}

struct ProjectedStage {
    std::string stage;
    double measured_s = 0, projected_s = 0;
    std::string rule;  // how it was scaled
};

// `stages`: the run's stages in order (done.stages); `denoise`: the measured denoising stages by
// their stage name ("denoise stage1", "denoise stage2").
inline std::vector<ProjectedStage> project_stages(const std::vector<std::pair<std::string, double>>& stages,
                                                  const std::map<std::string, MeasuredDenoise>& denoise,
                                                  const TransformerConfig& c, const StepFit& fit,
                                                  const GenerationSize& from, const GenerationSize& to) {
    const double pixel_ratio = double(to.pixels_x_frames()) / double(from.pixels_x_frames());
    const double stage1_ratio = double(to.video_tokens(1)) / double(from.video_tokens(1));
    const double audio_ratio = double(to.audio_tokens()) / double(from.audio_tokens());
    std::vector<ProjectedStage> out;
    for (const auto& [stage, seconds] : stages) {
        ProjectedStage p{stage, seconds, seconds, "constant"};
        if (const auto it = denoise.find(stage); it != denoise.end()) {
            const MeasuredDenoise& m = it->second;
            const double step = fit.fixed_s + fit.s_per_gflop * call_gflop(c, to, m.stage);
            p.projected_s = m.remainder() + double(m.step_seconds.size()) * step;
            p.rule = fmt::format("{} steps x {:.1f} s (fit at {} video tokens) + {:.1f} s remainder",
                                 m.step_seconds.size(), step, to.video_tokens(m.stage), m.remainder());
        } else if (stage.starts_with("upsample")) {
            p.projected_s = seconds * stage1_ratio;
            p.rule = fmt::format("x {:.2f} (stage-1 latent voxels)", stage1_ratio);
        } else if (stage == "decode video" || stage == "write outputs") {
            p.projected_s = seconds * pixel_ratio;
            p.rule = fmt::format("x {:.2f} (pixels x frames)", pixel_ratio);
        } else if (stage == "decode audio") {
            p.projected_s = seconds * audio_ratio;
            p.rule = fmt::format("x {:.2f} (audio latent frames)", audio_ratio);
        }
        out.push_back(p);
    }
    return out;
}

}  // namespace ltx2::bench
