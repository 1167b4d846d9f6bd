#include "app/run_summary.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace ltx2 {

nlohmann::json run_summary_json(const GenerateRequest& r, const GenerateResult& result) {
    nlohmann::json outputs = nlohmann::json::object();
    for (const auto& [name, path] : {std::pair{"mp4", &r.output},
                                     {"audio", &r.audio_out},
                                     {"frames_dir", &r.frames_dir},
                                     {"thumbnail", &r.thumbnail_out},
                                     {"sidecar", &r.sidecar_out}})
        if (!path->empty()) outputs[name] = *path;
    nlohmann::json j = {{"outputs", std::move(outputs)},
                        {"frames", result.frames},
                        {"width", result.width},
                        {"height", result.height},
                        {"fps", result.fps.value()},
                        {"fps_num", result.fps.num},
                        {"fps_den", result.fps.den},
                        {"duration_s", double(result.frames) / result.fps.value()},
                        {"audio_sample_rate", result.audio_sample_rate},
                        {"audio_samples", result.audio_samples},
                        {"seed", r.params.seed},
                        {"seed_drawn", r.seed_drawn},
                        {"pipeline", pipeline_name(r.pipeline)},
                        {"model", result.model},
                        {"model_version", result.model_version}};
    if (r.enhance_prompt) j["enhanced_prompt"] = result.enhanced_prompt;
    return j;
}

std::string run_summary_line(const GenerateRequest& r, const GenerateResult& result) {
    const std::string& first = !r.output.empty() ? r.output : !r.frames_dir.empty() ? r.frames_dir : r.audio_out;
    return fmt::format("{} ({} frames {}x{}, {:.2f} s of audio)", first, result.frames, result.width, result.height,
                       double(result.audio_samples) / result.audio_sample_rate);
}

}  // namespace ltx2
