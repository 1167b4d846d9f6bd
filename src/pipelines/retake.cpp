// RetakePipeline (ltx_pipelines/retake.py, LTX-2.3): one full-resolution stage that starts from
// the source's video and audio latents and regenerates only [start_time, end_time): the
// regenerated streams get a TemporalRegionMask, a stream that is not regenerated is kept
// (frozen). Distilled (8 fixed steps, one call per step) or guided (LTX2Scheduler steps and the
// multi-modal guider).
#include <cmath>

#include "core/error.h"
#include "diffusion/schedulers.h"
#include "diffusion/sigmas.h"
#include "pipelines/pipelines.h"

namespace ltx2 {

void validate_retake(const RetakeOptions& r, const GenerationParams& params) {
    const double duration = double(params.num_frames) / params.frame_rate;
    LTX2_CHECK(std::isfinite(r.start_time) && std::isfinite(r.end_time) && r.start_time < r.end_time,
               "--start-time {} / --end-time {}: the start must be before the end", r.start_time, r.end_time);
    LTX2_CHECK(r.start_time >= 0 && r.start_time < duration,
               "--start-time {}: outside the clip, which lasts {:.4g} s ({} frames at {} fps)", r.start_time,
               duration, params.num_frames, params.frame_rate);
    LTX2_CHECK(r.end_time <= duration, "--end-time {}: outside the clip, which lasts {:.4g} s ({} frames at {} fps)",
               r.end_time, duration, params.num_frames, params.frame_rate);
    LTX2_CHECK(r.regenerate_video || r.regenerate_audio,
               "retake: neither the video nor the audio is regenerated; nothing would change");
}

std::vector<StagePlan> retake_plan(const GenerationParams& params, const RetakeOptions& r) {
    // One full-size stage, like the one-stage pipeline's (no images, no reference video).
    validate_generation_params(PipelineKind::OneStage, params, ModelSemantics{});
    validate_retake(r, params);
    StagePlan s = stage_at(params, "stage1", params.height, params.width);
    s.sigmas = r.distilled ? distilled_sigmas() : ltx2_scheduler_sigmas(params.num_inference_steps);
    if (!r.distilled) s.guidance = StageGuidance{params.video_guider, params.audio_guider};
    s.transformer.loras = params.loras;
    s.regenerate_window = StagePlan::TimeWindow{r.start_time, r.end_time};
    s.keep_video = !r.regenerate_video;
    s.keep_audio = !r.regenerate_audio;
    return {s};
}

StageResult run_retake(const StagePlan& plan, uint64_t seed, const PipelineInputs& inputs, const Tensor& source_video,
                       const Tensor& source_audio, const PipelineHooks& hooks) {
    LTX2_CHECK(bool(inputs.transformer), "retake: no transformer provider was given");
    TorchGenerator generator(seed);
    const std::shared_ptr<const LTXModel> model = inputs.transformer(plan.transformer);
    LTX2_CHECK(model != nullptr, "retake: the transformer provider returned no model");
    return run_stage(plan, *model, inputs, generator, hooks, source_video, source_audio);
}

}  // namespace ltx2
