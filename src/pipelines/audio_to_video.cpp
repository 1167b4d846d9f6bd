// A2VidPipelineTwoStage (ltx_pipelines/a2vid_two_stage.py @ 400fd31): the input audio, encoded by
// the caller, stays fixed while the video is generated as in the two-stage pipeline: a guided
// low-resolution stage (video guidance only), upsample, the distilled-LoRA refine stage. Images
// condition both stages as the model's image_conditionings place them (2.3: combined).
#include "diffusion/schedulers.h"
#include "pipelines/pipelines.h"

namespace ltx2 {

std::vector<StagePlan> audio_to_video_plan(const GenerationParams& params, const ModelSemantics& model) {
    StagePlan stage1 = low_resolution_stage(params);
    stage1.sigmas = ltx2_scheduler_sigmas(params.num_inference_steps);
    // The audio guider is MultiModalGuiderParams() with no negative context: its prediction is
    // the conditional one, and it never runs a pass of its own.
    stage1.guidance = StageGuidance{params.video_guider, MultiModalGuiderParams{}, false};
    stage1.transformer.loras = params.loras;
    stage1.conditionings = image_conditionings(params.images, stage1.height, stage1.width, model);
    stage1.audio_frozen = true;

    std::vector<LoraSpec> stage2_loras = params.loras;
    stage2_loras.insert(stage2_loras.end(), params.distilled_loras.begin(), params.distilled_loras.end());
    StagePlan stage2 =
        refine_stage(params, stage2_loras, image_conditionings(params.images, params.height, params.width, model));
    stage2.audio_frozen = true;
    return {stage1, stage2};
}

}  // namespace ltx2
