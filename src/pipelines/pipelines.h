#pragma once
// The five official LTX-2 pipelines (ltx_pipelines @ 28c3c73; @ 400fd31 for LTX-2.3 models,
// where ModelSemantics names what differs), from text contexts to the latents the VAE decoders take. Each pipeline is a list of stages (its plan, one file per
// pipeline, mirroring the reference file); run_pipeline runs them in order with one noise
// generator, upsampling the video between stages.
#include <vector>

#include "pipelines/generation_params.h"
#include "pipelines/pipeline_io.h"
#include "pipelines/stage_plan.h"
#include "pipelines/stage_runner.h"

namespace ltx2 {

// The upsampling pipelines run stage 1 at half resolution and upsample x2, or at the size
// another spatial upsampler (params.spatial_upscale) brings to the requested one.
// distilled.py: 8 distilled steps at half resolution, x2 upsample, 3 refine steps.
std::vector<StagePlan> distilled_plan(const GenerationParams& params, const ModelSemantics& model);
// ti2vid_one_stage.py: LTX2Scheduler sigmas, multi-modal guidance, full resolution.
std::vector<StagePlan> one_stage_plan(const GenerationParams& params, const ModelSemantics& model);
// ti2vid_two_stages.py: guided half-resolution stage, x2 upsample, refine with the distilled LoRA
// (whose audio the model version may discard, see ModelSemantics).
std::vector<StagePlan> two_stage_plan(const GenerationParams& params, const ModelSemantics& model);
// keyframe_interpolation.py: as two-stage, the images appended as guiding keyframes.
std::vector<StagePlan> keyframe_interpolation_plan(const GenerationParams& params);
// ic_lora.py: distilled stage 1 with the IC-LoRA and the reference videos (encoded at the
// stage-1 size ÷ the LoRA's reference_downscale_factor), refine stage without LoRAs.
// Reads the LoRA files' metadata.
std::vector<StagePlan> ic_lora_plan(const GenerationParams& params, const ModelSemantics& model);
// a2vid_two_stage.py (LTX-2.3): as two-stage with the audio kept fixed at PipelineInputs::frozen_audio
// in both stages; stage 1 guides the video only (the audio guider is the default one, without a
// negative context).
std::vector<StagePlan> audio_to_video_plan(const GenerationParams& params, const ModelSemantics& model);

// retake.py (LTX-2.3): regenerate params.retake's span of a source clip in one full-size stage
// (the params' guidance when not distilled, the user's LoRAs). The run starts from
// PipelineInputs::source_video / source_audio.
std::vector<StagePlan> retake_plan(const GenerationParams& params, bool distilled);

// Validates the parameters, then the plan of `kind` for a transformer of the `model` version.
std::vector<StagePlan> pipeline_plan(PipelineKind kind, const GenerationParams& params, const ModelSemantics& model);

// reference_downscale_factor of an IC-LoRA file's metadata (absent: 1). Throws naming the file
// when it is not a positive integer.
int64_t lora_reference_downscale_factor(const std::string& lora_path);

struct PipelineResult {
    Tensor video_latent;              // [1, 128, F, H/32, W/32] → video decoder (the last stage's)
    Tensor audio_latent;              // [1, 8, T, 16]           → audio decoder (the last stage's that returns audio)
    std::vector<StageResult> stages;  // each stage's own result
    Tensor upsampled_video_latent;    // the last upsampling's output (upsampling pipelines)
};

// Runs the stages: stage i > 0 starts from upsample(stage i−1 video), which must have stage i's
// latent size (else an error naming --spatial-upsampler), and stage i−1 audio. The
// transformer of a stage is requested when the stage starts and released before a stage that
// requests a different one (an equal request keeps the model).
PipelineResult run_pipeline(const std::vector<StagePlan>& plans, uint64_t seed, const PipelineInputs& inputs,
                            const PipelineHooks& hooks = {});

// pipeline_plan + run_pipeline.
PipelineResult generate_latents(PipelineKind kind, const GenerationParams& params, const ModelSemantics& model,
                                const PipelineInputs& inputs, const PipelineHooks& hooks = {});

}  // namespace ltx2
