#include "pipelines/stage_plan.h"

#include "diffusion/sigmas.h"

namespace ltx2 {

namespace {

template <typename KindOf>
std::vector<ConditioningRequest> encoded_images(const std::vector<ImageCondition>& images, int64_t height,
                                                int64_t width, KindOf kind_of) {
    std::vector<ConditioningRequest> out;
    for (const ImageCondition& im : images) {
        ConditioningRequest r;
        r.kind = kind_of(im);
        r.media = {im.path, MediaKind::Image, height, width, std::nullopt};
        r.frame_idx = im.frame_idx;
        r.strength = im.strength;
        out.push_back(std::move(r));
    }
    return out;
}

}  // namespace

std::vector<ConditioningRequest> image_conditionings(const std::vector<ImageCondition>& images, int64_t height,
                                                     int64_t width, const ModelSemantics& model) {
    return encoded_images(images, height, width, [&model](const ImageCondition& im) {
        return model.images_after_frame_0_are_keyframes && im.frame_idx != 0 ? ConditioningKind::Keyframe
                                                                               : ConditioningKind::ReplaceLatent;
    });
}

std::vector<ConditioningRequest> image_keyframes(const std::vector<ImageCondition>& images, int64_t height,
                                                 int64_t width) {
    return encoded_images(images, height, width, [](const ImageCondition&) { return ConditioningKind::Keyframe; });
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

StagePlan low_resolution_stage(const GenerationParams& params) {
    const SpatialUpscale& up = params.spatial_upscale;
    return stage_at(params, "stage1", params.height * up.den / up.num, params.width * up.den / up.num);
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
