// RetakePipeline (ltx_pipelines/retake.py, LTX-2.3): one full-resolution stage that starts from
// the source's video and audio latents and regenerates only [start_time, end_time): the
// regenerated streams get a TemporalRegionMask, a stream that is not regenerated is kept
// (frozen). Distilled (8 fixed steps, one call per step) or guided (LTX2Scheduler steps and the
// multi-modal guider). A source without audio has its audio generated whole, as the reference
// does when audio_latent_from_file finds no audio stream.
#include "core/error.h"
#include "diffusion/schedulers.h"
#include "diffusion/sigmas.h"
#include "pipelines/pipelines.h"

namespace ltx2 {

std::vector<StagePlan> retake_plan(const GenerationParams& params, bool distilled) {
    const RetakeOptions& r = params.retake;
    StagePlan s = stage_at(params, "stage1", params.height, params.width);
    s.sigmas = distilled ? distilled_sigmas() : ltx2_scheduler_sigmas(params.num_inference_steps);
    if (!distilled) s.guidance = StageGuidance{params.video_guider, params.audio_guider};
    s.transformer.loras = params.loras;
    s.regenerate_window = StagePlan::TimeWindow{r.start_time, r.end_time};
    s.keep_video = !r.regenerate_video;
    s.keep_audio = !r.regenerate_audio;
    return {s};
}

}  // namespace ltx2
