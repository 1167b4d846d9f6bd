#include "pipelines/pipelines.h"

#include "core/error.h"
#include "diffusion/patchifiers.h"

namespace ltx2 {

namespace {

void check_upsampled_shape(const Tensor& upsampled, const Tensor& stage1, const StagePlan& next) {
    const Shape expected = video_latent_shape_from_pixels(1, next.frames, next.height, next.width).shape();
    LTX2_CHECK(upsampled.shape() == expected,
               "--spatial-upsampler: the upsampler turned the latent {} into {}, but {} needs {} ({}x{} pixels)",
               shape_str(stage1.shape()), shape_str(upsampled.shape()), next.name, shape_str(expected), next.height,
               next.width);
}

}  // namespace

std::vector<StagePlan> pipeline_plan(PipelineKind kind, const GenerationParams& params, const ModelSemantics& model) {
    validate_generation_params(kind, params, model);
    switch (kind) {
        case PipelineKind::Distilled:
            return distilled_plan(params, model);
        case PipelineKind::OneStage:
            return one_stage_plan(params, model);
        case PipelineKind::TwoStage:
            return two_stage_plan(params, model);
        case PipelineKind::KeyframeInterpolation:
            return keyframe_interpolation_plan(params);
        case PipelineKind::ICLora:
            return ic_lora_plan(params, model);
        case PipelineKind::AudioToVideo:
            return audio_to_video_plan(params, model);
        case PipelineKind::Retake:
        case PipelineKind::RetakeGuided:
            return retake_plan(params, kind == PipelineKind::Retake);
    }
    fail("unknown pipeline kind {}", int(kind));
}

PipelineResult run_pipeline(const std::vector<StagePlan>& plans, uint64_t seed, const PipelineInputs& inputs,
                            const PipelineHooks& hooks) {
    LTX2_CHECK(!plans.empty(), "pipeline: no stages to run");
    LTX2_CHECK(bool(inputs.transformer), "pipeline: no transformer provider was given");
    TorchGenerator generator(seed);
    PipelineResult result;
    std::shared_ptr<const LTXModel> model;
    const TransformerRequest* model_request = nullptr;
    for (size_t i = 0; i < plans.size(); ++i) {
        const StagePlan& plan = plans[i];
        const bool same_model = model && model_request->loras == plan.transformer.loras;
        if (!same_model) model.reset();  // released before the upsampler and the next transformer load

        std::optional<Tensor> initial_video, initial_audio;
        if (i == 0) {
            if (inputs.source_video.defined()) initial_video = inputs.source_video;
            if (inputs.source_audio.defined()) initial_audio = inputs.source_audio;
        } else {
            LTX2_CHECK(bool(inputs.upsample), "{}: the pipeline upsamples between stages but has no upsampler",
                       plan.name);
            result.upsampled_video_latent = inputs.upsample(result.stages.back().video_latent);
            check_upsampled_shape(result.upsampled_video_latent, result.stages.back().video_latent, plan);
            initial_video = result.upsampled_video_latent;
            initial_audio = result.stages.back().audio_latent;
        }
        if (!same_model) {
            model = inputs.transformer(plan.transformer);
            LTX2_CHECK(model != nullptr, "{}: the transformer provider returned no model", plan.name);
            model_request = &plan.transformer;
        }
        result.stages.push_back(run_stage(plan, *model, inputs, generator, hooks, initial_video, initial_audio));
        if (plan.returns_audio) result.audio_latent = result.stages.back().audio_latent;
    }
    LTX2_CHECK(result.audio_latent.defined(), "pipeline: no stage returns the audio");
    result.video_latent = result.stages.back().video_latent;
    return result;
}

PipelineResult generate_latents(PipelineKind kind, const GenerationParams& params, const ModelSemantics& model,
                                const PipelineInputs& inputs, const PipelineHooks& hooks) {
    return run_pipeline(pipeline_plan(kind, params, model), params.seed, inputs, hooks);
}

}  // namespace ltx2
