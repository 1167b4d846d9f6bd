// TI2VidTwoStagesPipeline (ltx_pipelines/ti2vid_two_stages.py) and KeyframeInterpolationPipeline
// (ltx_pipelines/keyframe_interpolation.py): a guided stage at half resolution with the user's
// LoRAs, x2 upsample, then the refine stage with the distilled LoRA added. They differ only in
// how the images condition: replaced latent frames, or appended guiding keyframes (and, for
// LTX-2.3, in which stage's audio the two-stage pipeline returns).
#include <functional>

#include "diffusion/schedulers.h"
#include "pipelines/pipelines.h"

namespace ltx2 {

namespace {

// The conditionings of params.images for a stage of height × width pixels.
using ImageConditionings = std::function<std::vector<ConditioningRequest>(int64_t height, int64_t width)>;

std::vector<StagePlan> guided_then_refined(const GenerationParams& params, const ImageConditionings& conditionings) {
    StagePlan stage1 = low_resolution_stage(params);
    stage1.sigmas = ltx2_scheduler_sigmas(params.num_inference_steps);
    stage1.guidance = StageGuidance{params.video_guider, params.audio_guider};
    stage1.transformer.loras = params.loras;
    stage1.conditionings = conditionings(stage1.height, stage1.width);

    std::vector<LoraSpec> stage2_loras = params.loras;
    stage2_loras.insert(stage2_loras.end(), params.distilled_loras.begin(), params.distilled_loras.end());
    StagePlan stage2 = refine_stage(params, stage2_loras, conditionings(params.height, params.width));
    return {stage1, stage2};
}

}  // namespace

std::vector<StagePlan> two_stage_plan(const GenerationParams& params, const ModelSemantics& model) {
    std::vector<StagePlan> plans = guided_then_refined(params, [&](int64_t height, int64_t width) {
        return image_conditionings(params.images, height, width, model);
    });
    plans.back().returns_audio = !model.two_stage_keeps_stage1_audio;
    return plans;
}

std::vector<StagePlan> keyframe_interpolation_plan(const GenerationParams& params) {
    return guided_then_refined(
        params, [&](int64_t height, int64_t width) { return image_keyframes(params.images, height, width); });
}

}  // namespace ltx2
