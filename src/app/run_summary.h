#pragma once
// The fields of the progress stream's `done` event (docs/PROGRESS.md) and the closing line for
// people, from the request as given and what the generation made.
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "app/generate.h"

namespace ltx2 {

// {"outputs": {mp4, audio, frames_dir, sidecar: those written}, frames, width, height, fps,
// fps_num, fps_den, duration_s, audio_sample_rate, audio_samples, seed, seed_drawn, pipeline,
// model, model_version[, enhanced_prompt]}; the reporter adds the timings and peak memory.
nlohmann::json run_summary_json(const GenerateRequest& request, const GenerateResult& result);

// "cat.mp4 (17 frames 192x128, 0.71 s of audio)".
std::string run_summary_line(const GenerateRequest& request, const GenerateResult& result);

}  // namespace ltx2
