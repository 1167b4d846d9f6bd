// The outputs of a generation checked before any model work (see output_checks.h).
#include "app/output_checks.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <vector>

#include "io/output_path_checks.h"
#include "pipelines/model_files.h"

namespace ltx2 {

namespace fs = std::filesystem;

namespace {

std::vector<NamedPath> generation_inputs(const GenerateRequest& r, const app::LocatedModels& models) {
    std::vector<NamedPath> inputs{{"--prompt-file", r.prompt_file},
                                  {"--negative-prompt-file", r.negative_prompt_file},
                                  {"--audio-path", r.params.audio.path},
                                  {"--video-path", r.params.retake.video_path}};
    for (const auto& image : r.params.images) inputs.push_back({"--image", image.path});
    for (const auto& video : r.params.video_conditioning) inputs.push_back({"--video-conditioning", video.path});
    for (const auto& lora : r.params.loras) inputs.push_back({"--lora", lora.path});
    for (const auto& lora : r.params.distilled_loras) inputs.push_back({app::kDistilledLoraOption, lora.path});
    const app::ExplicitModelPaths& m = r.models.explicit_paths;
    for (const auto& [option, path] :
         {std::pair{app::kCheckpointOption, m.checkpoint}, {kTransformerOption, m.transformer},
          {kTextProjectionOption, m.text_projection}, {kVideoVaeOption, m.video_vae}, {kAudioVaeOption, m.audio_vae},
          {kDurationHeadOption, m.duration_head}, {app::kGemmaOption, m.gemma},
          {app::kSpatialUpsamplerOption, m.spatial_upsampler}, {app::kDistilledLoraOption, m.distilled_lora},
          {app::kIcLoraOption, m.ic_lora}})
        if (path) inputs.push_back({option, path->string()});
    for (const auto& [role, located] :
         {std::pair{"the checkpoint", &models.checkpoint}, {"the Gemma model", &models.gemma},
          {"the spatial upsampler", &models.spatial_upsampler}, {"the distilled LoRA", &models.distilled_lora},
          {"the IC-LoRA", &models.ic_lora}})
        if (*located) inputs.push_back({role, (*located)->path.string()});
    return inputs;
}

// The MP4 writer writes MP4 whatever the name says: a name promising another container is refused.
void check_mp4_name(const std::string& path) {
    std::string extension = fs::path(path).extension().string();
    std::transform(extension.begin(), extension.end(), extension.begin(), [](unsigned char c) { return std::tolower(c); });
    if (extension != ".mp4" && extension != ".m4v")
        fail("--output {}: the video is written as MP4 (H.264 + AAC); give a file name ending in .mp4{}", path,
             extension.empty() ? "" : fmt::format(", not {}", fs::path(path).extension().string()));
}

}  // namespace

void check_generation_outputs(const GenerateRequest& r, const app::LocatedModels& models) {
    const std::vector<NamedPath> files{
        {"--output", r.output},
        {"--audio-out", r.audio_out},
        {"--thumbnail", r.thumbnail_out},
        {"--sidecar", r.sidecar_out}};
    for (const NamedPath& file : files)
        if (!file.path.empty()) check_output_file_path(file);
    const NamedPath frames{"--frames-dir", r.frames_dir};
    if (!frames.path.empty()) check_output_folder_path(frames);
    std::vector<NamedPath> outputs = files;
    outputs.push_back(frames);
    check_outputs_spare_inputs(outputs, generation_inputs(r, models));
    if (!r.output.empty()) check_mp4_name(r.output);
}

}  // namespace ltx2
