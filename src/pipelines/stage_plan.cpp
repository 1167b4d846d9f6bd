#include "pipelines/stage_plan.h"

#include "diffusion/sigmas.h"

namespace ltx2 {

namespace {

std::vector<ConditioningRequest> encoded_images(const std::vector<ImageCondition>& images, int64_t height,
                                                int64_t width, ConditioningKind kind) {
    std::vector<ConditioningRequest> out;
    for (const ImageCondition& im : images) {
        ConditioningRequest r;
        r.kind = kind;
        r.media = {im.path, MediaKind::Image, height, width, std::nullopt};
        r.frame_idx = im.frame_idx;
        r.strength = im.strength;
        out.push_back(std::move(r));
    }
    return out;
}

}  // namespace

std::vector<ConditioningRequest> image_replacements(const std::vector<ImageCondition>& images, int64_t height,
                                                    int64_t width) {
    return encoded_images(images, height, width, ConditioningKind::ReplaceLatent);
}

std::vector<ConditioningRequest> image_keyframes(const std::vector<ImageCondition>& images, int64_t height,
                                                 int64_t width) {
    return encoded_images(images, height, width, ConditioningKind::Keyframe);
}

std::vector<ConditioningRequest> combined_image_conditionings(const std::vector<ImageCondition>& images,
                                                              int64_t height, int64_t width) {
    std::vector<ConditioningRequest> out = image_keyframes(images, height, width);
    for (ConditioningRequest& r : out)
        if (r.frame_idx == 0) r.kind = ConditioningKind::ReplaceLatent;
    return out;
}

StagePlan stage_at(const GenerationParams& params, const std::string& name, int64_t height, int64_t width) {
    StagePlan s;
    s.name = name;
    s.frames = params.num_frames;
    s.height = height;
    s.width = width;
    s.fps = params.frame_rate;
    s.transformer.stage = name;
    return s;
}

StagePlan half_resolution_stage(const GenerationParams& params) {
    return stage_at(params, "stage1", params.height / 2, params.width / 2);
}

StagePlan refine_stage(const GenerationParams& params, std::vector<LoraSpec> loras,
                       std::vector<ConditioningRequest> conditionings) {
    StagePlan s = stage_at(params, "stage2", params.height, params.width);
    s.sigmas = stage2_distilled_sigmas();
    s.noise_scale = s.sigmas.front();
    s.transformer.loras = std::move(loras);
    s.conditionings = std::move(conditionings);
    return s;
}

}  // namespace ltx2
