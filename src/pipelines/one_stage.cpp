// TI2VidOneStagePipeline (ltx_pipelines/ti2vid_one_stage.py): one guided stage at the full
// resolution, LTX2Scheduler sigmas (shifted for its default 4096 tokens), images replacing
// latent frames.
#include "diffusion/schedulers.h"
#include "pipelines/pipelines.h"

namespace ltx2 {

std::vector<StagePlan> one_stage_plan(const GenerationParams& params, const ModelSemantics& model) {
    StagePlan s = stage_at(params, "stage1", params.height, params.width);
    s.sigmas = ltx2_scheduler_sigmas(params.num_inference_steps);
    s.guidance = StageGuidance{params.video_guider, params.audio_guider};
    s.transformer.loras = params.loras;
    s.conditionings = image_conditionings(params.images, params.height, params.width, model);
    return {s};
}

}  // namespace ltx2
