#include "app/generation_record.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "io/file_identity.h"
#include "io/media/mp4_writer.h"
#include "ltx2/version.h"

namespace ltx2 {

namespace {

using nlohmann::json;

// An input file: its path, or its name and content digest (the same on any machine).
json input_file(const std::string& path, const char* who, bool with_paths) {
    if (with_paths) return path;
    return {{"file", std::filesystem::path(path).filename().string()}, {"digest", file_content_digest(path, who)}};
}

json guider_json(const MultiModalGuiderParams& g) {
    return {{"cfg_scale", g.cfg_scale},
            {"stg_scale", g.stg_scale},
            {"rescale_scale", g.rescale_scale},
            {"modality_scale", g.modality_scale},
            {"stg_blocks", g.stg_blocks}};
}

json loras_json(const std::vector<LoraSpec>& loras, const char* who, bool with_paths) {
    json out = json::array();
    for (const LoraSpec& l : loras)
        out.push_back({{"path", input_file(l.path, who, with_paths)}, {"strength", l.strength}});
    return out;
}

// Shortest text that reads back as the same double ("0.7", "29.97").
std::string number(double v) { return fmt::format("{}", v); }

}  // namespace

std::string reference_of(const ModelSemantics& model) {
    return model.generation == ModelGeneration::Ltx2 ? "Lightricks/LTX-2@28c3c73" : "Lightricks/LTX-2@400fd31";
}

json generation_parameters_json(const GenerateRequest& r, const std::string& enhanced_prompt, bool with_paths) {
    const GenerationParams& p = r.params;
    const FrameRate fps = FrameRate::exact(p.frame_rate);
    json j = {{"pipeline", pipeline_name(r.pipeline)},
              {"prompt", r.prompt},
              {"seed", p.seed},
              {"width", p.width},
              {"height", p.height},
              {"num_frames", p.num_frames},
              {"fps", p.frame_rate},
              {"fps_rational", fmt::format("{}/{}", fps.num, fps.den)},
              {"precision", precision_name(r.precision)},
              {"crf", r.crf},
              {"preset", r.preset}};
    if (uses_negative_prompt(r)) j["negative_prompt"] = r.negative_prompt.value_or(kDefaultNegativePrompt);
    if (r.enhance_prompt) {
        j["enhance_prompt"] = {{"max_tokens", r.enhance_max_tokens}, {"greedy", r.enhance_greedy}};
        if (!r.prompt_enhancer_gemma.empty())
            j["enhance_prompt"]["gemma"] = input_file(r.prompt_enhancer_gemma, "--prompt-enhancer-gemma", with_paths);
        j["enhanced_prompt"] = enhanced_prompt;
    }
    if (is_guided(r.pipeline)) {
        j["steps"] = p.num_inference_steps;
        j["video_guidance"] = guider_json(p.video_guider);
        if (r.pipeline != PipelineKind::AudioToVideo) j["audio_guidance"] = guider_json(p.audio_guider);
    }
    if (upsamples(r.pipeline)) j["spatial_upscale"] = p.spatial_upscale.label();
    if (!p.images.empty()) {
        json images = json::array();
        for (const ImageCondition& image : p.images)
            images.push_back({{"path", input_file(image.path, "--image", with_paths)},
                              {"frame", image.frame_idx},
                              {"strength", image.strength}});
        j["images"] = std::move(images);
    }
    if (!p.video_conditioning.empty()) {
        json videos = json::array();
        for (const VideoReference& v : p.video_conditioning)
            videos.push_back(
                {{"path", input_file(v.path, "--video-conditioning", with_paths)}, {"strength", v.strength}});
        j["video_conditioning"] = std::move(videos);
    }
    if (!p.loras.empty()) j["loras"] = loras_json(p.loras, "--lora", with_paths);
    if (!p.distilled_loras.empty())
        j["distilled_loras"] = loras_json(p.distilled_loras, "--distilled-lora", with_paths);
    if (r.pipeline == PipelineKind::AudioToVideo) {
        j["audio"] = {{"path", input_file(p.audio.path, "--audio-path", with_paths)},
                      {"start_time", p.audio.start_time}};
        if (p.audio.max_duration) j["audio"]["max_duration"] = *p.audio.max_duration;
    }
    if (is_retake(r.pipeline))
        j["retake"] = {{"video_path", input_file(p.retake.video_path, "--video-path", with_paths)},
                       {"start_time", p.retake.start_time},
                       {"end_time", p.retake.end_time},
                       {"regenerate_video", p.retake.regenerate_video},
                       {"regenerate_audio", p.retake.regenerate_audio}};
    return j;
}

std::vector<std::string> reproducing_arguments(const GenerateRequest& r, const GenerateRequest& asked) {
    const GenerationParams& p = r.params;
    std::vector<std::string> a{"--pipeline", pipeline_name(r.pipeline), "--prompt", r.prompt,
                               "--seed", std::to_string(p.seed)};
    auto add = [&](std::initializer_list<std::string> values) { a.insert(a.end(), values); };
    if (!is_retake(r.pipeline))
        add({"--width", std::to_string(p.width), "--height", std::to_string(p.height), "--frames",
             std::to_string(p.num_frames), "--fps", number(p.frame_rate)});
    if (is_guided(r.pipeline)) {
        if (r.negative_prompt) add({"--negative-prompt", *r.negative_prompt});
        add({"--steps", std::to_string(p.num_inference_steps)});
        auto guidance = [&](const std::string& stream, const MultiModalGuiderParams& g) {
            add({"--" + stream + "-cfg-guidance-scale", number(g.cfg_scale), "--" + stream + "-stg-guidance-scale",
                 number(g.stg_scale), "--" + stream + "-rescale-scale", number(g.rescale_scale),
                 "--" + stream + "-modality-scale", number(g.modality_scale)});
            if (!g.stg_blocks.empty()) {
                a.push_back("--" + stream + "-stg-blocks");
                for (int block : g.stg_blocks) a.push_back(std::to_string(block));
            }
        };
        guidance("video", p.video_guider);
        if (r.pipeline != PipelineKind::AudioToVideo) guidance("audio", p.audio_guider);
    }
    if (upsamples(r.pipeline)) add({"--spatial-upscale", p.spatial_upscale.label()});
    for (const ImageCondition& image : p.images)
        add({"--image", image.path, std::to_string(image.frame_idx), number(image.strength)});
    for (const VideoReference& v : p.video_conditioning)
        add({"--video-conditioning", fmt::format("{}:{}", v.path, number(v.strength))});
    for (const LoraSpec& l : asked.params.loras) add({"--lora", fmt::format("{}:{}", l.path, number(l.strength))});
    for (const LoraSpec& l : asked.params.distilled_loras)
        add({"--distilled-lora", fmt::format("{}:{}", l.path, number(l.strength))});
    if (r.pipeline == PipelineKind::AudioToVideo) {
        add({"--audio-path", p.audio.path, "--audio-start-time", number(p.audio.start_time)});
        if (p.audio.max_duration) add({"--audio-max-duration", number(*p.audio.max_duration)});
    }
    if (is_retake(r.pipeline)) {
        add({"--video-path", p.retake.video_path, "--start-time", number(p.retake.start_time), "--end-time",
             number(p.retake.end_time)});
        if (!p.retake.regenerate_video) a.push_back("--keep-video");
        if (!p.retake.regenerate_audio) a.push_back("--keep-audio");
    }
    if (r.enhance_prompt) {
        add({"--enhance-prompt", "--enhance-max-tokens", std::to_string(r.enhance_max_tokens)});
        if (r.enhance_greedy) a.push_back("--enhance-greedy");
        if (!r.prompt_enhancer_gemma.empty()) add({"--prompt-enhancer-gemma", r.prompt_enhancer_gemma});
    }
    add({"--precision", precision_name(r.precision), "--crf", number(r.crf), "--preset", r.preset});
    return a;
}

std::vector<std::pair<std::string, std::string>> generation_mp4_tags(const GenerateRequest& r,
                                                                     const ModelSemantics& model,
                                                                     const std::string& enhanced_prompt) {
    std::vector<std::pair<std::string, std::string>> tags{{"prompt", r.prompt}};
    if (uses_negative_prompt(r))
        tags.emplace_back("negative_prompt", r.negative_prompt.value_or(kDefaultNegativePrompt));
    if (r.enhance_prompt) tags.emplace_back("enhanced_prompt", enhanced_prompt);
    tags.emplace_back("seed", std::to_string(r.params.seed));
    tags.emplace_back("pipeline", pipeline_name(r.pipeline));
    tags.emplace_back("model", model.name());
    if (is_retake(r.pipeline))
        tags.emplace_back("retake", fmt::format("{} [{}, {}) s",
                                                std::filesystem::path(r.params.retake.video_path).filename().string(),
                                                r.params.retake.start_time, r.params.retake.end_time));
    tags.emplace_back("generator", "ltx2.cpp " LTX2_VERSION_STRING);
    tags.emplace_back("ltx2_parameters", generation_parameters_json(r, enhanced_prompt, false).dump());
    return tags;
}

}  // namespace ltx2
