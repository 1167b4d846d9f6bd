#include "app/sidecar.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "app/generation_record.h"
#include "io/file_identity.h"
#include "io/temp_file.h"
#include "ltx2/version.h"

namespace ltx2 {

namespace {

using nlohmann::json;

// Model files and inputs as {"role": ..., identity...}.
void add_file(json& list, const std::string& role, const std::string& path) {
    if (path.empty()) return;
    json entry = {{"role", role}};
    entry.update(file_identity_json(path, role));
    list.push_back(std::move(entry));
}

json model_files_json(const SidecarRecord& s) {
    json files = json::array();
    const LtxFilePaths& p = s.ltx_paths;
    for (const auto& [role, path] : {std::pair{"checkpoint", &p.checkpoint},
                                     {"transformer", &p.transformer},
                                     {"text_projection", &p.text_projection},
                                     {"video_vae", &p.video_vae},
                                     {"audio_vae", &p.audio_vae},
                                     {"duration_head", &p.duration_head}})
        add_file(files, role, *path);
    for (const auto& [role, located] : {std::pair{"gemma", &s.models.gemma},
                                        {"spatial_upsampler", &s.models.spatial_upsampler},
                                        {"distilled_lora", &s.models.distilled_lora},
                                        {"ic_lora", &s.models.ic_lora}})
        if (*located) add_file(files, role, (*located)->path.string());
    if (!s.request.prompt_enhancer_gemma.empty())
        add_file(files, "prompt_enhancer_gemma", s.request.prompt_enhancer_gemma);
    return files;
}

json inputs_json(const GenerateRequest& r) {
    json inputs = json::array();
    const GenerationParams& p = r.params;
    add_file(inputs, "--prompt-file", r.prompt_file);
    add_file(inputs, "--negative-prompt-file", r.negative_prompt_file);
    for (const ImageCondition& image : p.images) add_file(inputs, "--image", image.path);
    for (const VideoReference& v : p.video_conditioning) add_file(inputs, "--video-conditioning", v.path);
    for (const LoraSpec& l : p.loras) add_file(inputs, "--lora", l.path);
    for (const LoraSpec& l : p.distilled_loras) add_file(inputs, "--distilled-lora", l.path);
    add_file(inputs, "--audio-path", p.audio.path);
    add_file(inputs, "--video-path", p.retake.video_path);
    return inputs;
}

}  // namespace

std::string sidecar_path(const std::string& output) { return output + ".json"; }

void write_sidecar(const std::string& path, const SidecarRecord& s) {
    const GenerateRequest& r = s.request;
    const GenerateResult& result = s.result;
    json outputs = json::object();
    for (const auto& [name, value] :
         {std::pair{"mp4", &r.output}, {"audio", &r.audio_out}, {"frames_dir", &r.frames_dir}})
        if (!value->empty()) outputs[name] = *value;
    const json record = {
        {"sidecar_version", 1},
        {"engine", {{"name", "ltx2.cpp"}, {"version", LTX2_VERSION_STRING}}},
        {"reference", reference_of(s.model)},
        {"model", {{"name", s.model.name()}, {"model_version", s.model.version}}},
        {"parameters", generation_parameters_json(r, result.enhanced_prompt, true)},
        {"arguments", reproducing_arguments(r, s.asked)},
        {"inputs", inputs_json(r)},
        {"model_files", model_files_json(s)},
        {"result",
         {{"frames", result.frames},
          {"width", result.width},
          {"height", result.height},
          {"fps", result.fps.value()},
          {"fps_rational", fmt::format("{}/{}", result.fps.num, result.fps.den)},
          {"duration_s", double(result.frames) / result.fps.value()},
          {"audio_sample_rate", result.audio_sample_rate},
          {"audio_samples", result.audio_samples}}},
        {"outputs", outputs},
    };
    const std::string text = record.dump(2) + "\n";
    TempFile file(path);
    file.write(text.data(), text.size());
    file.commit();
}

}  // namespace ltx2
