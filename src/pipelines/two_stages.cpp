// TI2VidTwoStagesPipeline (ltx_pipelines/ti2vid_two_stages.py) and KeyframeInterpolationPipeline
// (ltx_pipelines/keyframe_interpolation.py): a guided stage at half resolution with the user's
// LoRAs, x2 upsample, then the refine stage with the distilled LoRA added. They differ only in
// how the images condition: replaced latent frames, or appended guiding keyframes (and, for
// LTX-2.3, in which stage's audio the two-stage pipeline returns).
#include "diffusion/schedulers.h"
#include "pipelines/pipelines.h"

namespace ltx2 {

namespace {

using ImageConditionings = std::vector<ConditioningRequest> (*)(const std::vector<ImageCondition>&, int64_t, int64_t);

std::vector<StagePlan> guided_then_refined(const GenerationParams& params, ImageConditionings conditionings) {
    StagePlan stage1 = half_resolution_stage(params);
    stage1.sigmas = ltx2_scheduler_sigmas(params.num_inference_steps);
    stage1.guidance = StageGuidance{params.video_guider, params.audio_guider};
    stage1.transformer.loras = params.loras;
    stage1.conditionings = conditionings(params.images, stage1.height, stage1.width);

    std::vector<LoraSpec> stage2_loras = params.loras;
    stage2_loras.insert(stage2_loras.end(), params.distilled_loras.begin(), params.distilled_loras.end());
    StagePlan stage2 = refine_stage(params, stage2_loras, conditionings(params.images, params.height, params.width));
    return {stage1, stage2};
}

}  // namespace

std::vector<StagePlan> two_stage_plan(const GenerationParams& params, const ModelSemantics& model) {
    std::vector<StagePlan> plans = guided_then_refined(params, image_replacements);
    plans.back().returns_audio = !model.two_stage_keeps_stage1_audio;
    return plans;
}

std::vector<StagePlan> keyframe_interpolation_plan(const GenerationParams& params) {
    return guided_then_refined(params, image_keyframes);
}

}  // namespace ltx2
