#include "pipelines/stage_runner.h"

#include "core/error.h"
#include "diffusion/conditioning.h"
#include "diffusion/diffusion_steps.h"
#include "diffusion/noiser.h"
#include "diffusion/patchifiers.h"
#include "pipelines/denoisers.h"

namespace ltx2 {

namespace {

const char* conditioning_option(ConditioningKind kind) {
    return kind == ConditioningKind::ReferenceVideo ? "--video-conditioning" : "--image";
}

VideoConditioning encode_conditioning(const ConditioningRequest& r, const VideoEncoderFn& encode,
                                      const ModelSemantics& semantics) {
    LTX2_CHECK(bool(encode), "{} {}: conditioning media needs a video encoder, and the pipeline was given none",
               conditioning_option(r.kind), r.media.path);
    Tensor latent = encode(r.media);
    const char* option = conditioning_option(r.kind);
    LTX2_CHECK(latent.defined(), "{} {}: the video encoder returned nothing", option, r.media.path);
    const VideoLatentShape expected = video_latent_shape_from_pixels(1, 1, r.media.height, r.media.width);
    const bool image = r.media.kind == MediaKind::Image;
    LTX2_CHECK(latent.dim() == 5 && latent.size(0) == 1 && latent.size(1) == expected.channels &&
                   (!image || latent.size(2) == 1) && latent.size(3) == expected.height &&
                   latent.size(4) == expected.width,
               "{} {}: the video encoder returned a latent of shape {} for {}x{} pixels, expected (1, {}, {}, {}, {})",
               option, r.media.path, shape_str(latent.shape()), r.media.height, r.media.width, expected.channels,
               image ? "1" : "F", expected.height, expected.width);
    switch (r.kind) {
        case ConditioningKind::ReplaceLatent:
            return VideoConditionByLatentIndex{latent, r.strength, r.frame_idx,
                                               semantics.latent_index_keeps_noisy_latent};
        case ConditioningKind::Keyframe:
            return VideoConditionByKeyframeIndex{latent, r.frame_idx, r.strength};
        case ConditioningKind::ReferenceVideo:
            return VideoConditionByReferenceLatent{latent, r.downscale_factor, r.strength};
    }
    fail("unknown conditioning kind");
}

// The stage's fixed audio: PipelineInputs::frozen_audio, which must have the stage's audio shape.
Tensor frozen_audio(const StagePlan& plan, const PipelineInputs& inputs, const AudioLatentTools& tools) {
    const Tensor& a = inputs.frozen_audio;
    LTX2_CHECK(a.defined(), "{}: the stage keeps the audio fixed, but the pipeline was given no audio latent",
               plan.name);
    LTX2_CHECK(a.shape() == tools.target_shape.shape(),
               "{}: the fixed audio latent has shape {}, the stage's {} frames at {} fps need {}", plan.name,
               shape_str(a.shape()), plan.frames, plan.fps, shape_str(tools.target_shape.shape()));
    return a;
}

// DiffusionStage._build_state of a frozen ModalitySpec: after the noiser, nothing is denoised.
void freeze(LatentState& state) {
    state.denoise_mask = Tensor::zeros(state.denoise_mask.shape(), state.denoise_mask.dtype());
    state.frozen = true;
}

DenoiseFn denoiser_for(const StagePlan& plan, const LTXModel& model, const PipelineInputs& inputs,
                       const PipelineHooks& hooks) {
    if (plan.guidance) return guided_denoiser(model, inputs.text, *plan.guidance, hooks.cache_text);
    return simple_denoiser(model, inputs.text, hooks.cache_text);
}

}  // namespace

Tensor bf16_pipeline_video_positions(const Tensor& positions, int64_t grid_tokens) {
    LTX2_CHECK(positions.dim() == 4 && positions.size(2) >= grid_tokens,
               "video positions {} do not hold the {} grid tokens (expected [B, 3, N, 2])",
               shape_str(positions.shape()), grid_tokens);
    if (positions.size(2) == grid_tokens) return positions.to(DType::BF16);
    // The grid tokens' positions rounded to bf16 and back, per [B, axis] row.
    Tensor out = positions.to(DType::F32).clone();
    for (int64_t b = 0; b < out.size(0); ++b)
        for (int64_t a = 0; a < out.size(1); ++a) {
            Tensor grid = out.select(0, b).select(0, a).slice(0, 0, grid_tokens);
            grid.copy_from(grid.to(DType::BF16));
        }
    return out;
}

StageResult run_stage(const StagePlan& plan, const LTXModel& model, const PipelineInputs& inputs,
                      TorchGenerator& generator, const PipelineHooks& hooks, const std::optional<Tensor>& initial_video,
                      const std::optional<Tensor>& initial_audio) {
    LTX2_CHECK(plan.sigmas.size() >= 2, "{}: a schedule needs at least 2 sigmas, got {}", plan.name,
               plan.sigmas.size());
    const int steps = int(plan.sigmas.size()) - 1;
    auto tap = [&](const std::string& name, const Tensor& t) {
        if (hooks.tap) hooks.tap(plan.name + "." + name, t);
    };

    VideoLatentTools video_tools;
    video_tools.target_shape = video_latent_shape_from_pixels(1, plan.frames, plan.height, plan.width);
    video_tools.fps = plan.fps;
    AudioLatentTools audio_tools;
    audio_tools.target_shape = audio_latent_shape_from_video(1, plan.frames, plan.fps);

    std::vector<VideoConditioning> items;
    for (const ConditioningRequest& r : plan.conditionings)
        items.push_back(encode_conditioning(r, inputs.encode, model.config().semantics));
    LTX2_CHECK(!plan.keep_video || initial_video, "{}: the video is to be kept, but there is no source video", plan.name);
    LTX2_CHECK(!plan.keep_audio || initial_audio, "{}: the audio is to be kept, but there is no source audio", plan.name);
    std::optional<TemporalRegionMask> window;
    if (plan.regenerate_window) window = TemporalRegionMask{plan.regenerate_window->start, plan.regenerate_window->end};
    if (window && !plan.keep_video) items.push_back(*window);

    const ModelSemantics& semantics = model.config().semantics;
    const NoiseBlend blend = semantics.noise_blend_lerp ? NoiseBlend::Lerp : NoiseBlend::MaskTimesScale;
    Tensor video_noise;
    LatentState video =
        create_noised_state(video_tools, items, generator, plan.noise_scale, initial_video, &video_noise, blend);
    if (plan.keep_video) freeze(video);
    LatentState audio = audio_tools.create_initial_state(plan.audio_frozen ? frozen_audio(plan, inputs, audio_tools)
                                                                           : initial_audio);
    // No source audio (retake of a silent clip): the reference gives that stream no region mask.
    if (window && !plan.keep_audio && initial_audio) audio = window->apply_to(audio);
    NoisedLatent audio_noised = gaussian_noise_latent_with_noise(
        audio.latent, audio.denoise_mask, plan.audio_frozen ? 0.0 : plan.noise_scale, generator, blend, audio.clean_latent);
    audio.latent = audio_noised.latent;
    if (plan.keep_audio || plan.audio_frozen) freeze(audio);
    if (model.bf16() && !semantics.bf16_pipeline_video_positions_f32)
        video.positions = bf16_pipeline_video_positions(video.positions,
                                                        video_tools.patchifier.token_count(video_tools.target_shape));
    tap("video_noise", video_noise);
    tap("video_initial_latent", video.latent);
    tap("audio_noise", audio_noised.noise);
    tap("step0.video_latent_in", video.latent);
    tap("step0.audio_latent_in", audio.latent);

    DenoiseFn denoise = denoiser_for(plan, model, inputs, hooks);
    std::optional<TorchGenerator> ancestral_noise;
    if (plan.ancestral) ancestral_noise.emplace(plan.ancestral->noise_seed);
    if (hooks.progress) hooks.progress(plan.name, 0, steps);
    for (int i = 0; i < steps; ++i) {
        const std::string step = "step" + std::to_string(i) + ".";
        const PipelineTap step_tap = [&](const std::string& name, const Tensor& t) { tap(step + name, t); };
        AVTensors x0 = denoise(video, audio, plan.sigmas, i, step_tap);
        const Tensor video_x0 = post_process_latent(x0.video, video.denoise_mask, video.clean_latent);
        const Tensor audio_x0 = post_process_latent(x0.audio, audio.denoise_mask, audio.clean_latent);
        // One step of the plan's sampler; the ancestral one re-applies the mask after renoising.
        auto advance = [&](LatentState& s, const Tensor& x0_post, const char* stream) {
            const bool last = plan.sigmas[size_t(i) + 1] == 0.0f;
            if (!ancestral_noise || last) {
                s.latent = ancestral_noise ? x0_post : euler_step(s.latent, x0_post, plan.sigmas, i);
                return;
            }
            const Tensor noise = ancestral_noise->randn(s.latent.shape(), DType::F32);
            tap(step + "ancestral_" + stream + "_noise", noise);
            s.latent = post_process_latent(
                euler_ancestral_step(s.latent, x0_post, plan.sigmas, i, noise, plan.ancestral->step), s.denoise_mask,
                s.clean_latent);
        };
        advance(video, video_x0, "video");
        advance(audio, audio_x0, "audio");
        tap(step + "video_denoised", video_x0);
        tap(step + "audio_denoised", audio_x0);
        tap(step + "video_latent", video.latent);
        tap(step + "audio_latent", audio.latent);
        if (hooks.progress) hooks.progress(plan.name, i + 1, steps);
    }

    StageResult out;
    out.video_latent = video_tools.unpatchify(video_tools.clear_conditioning(video)).latent;
    out.audio_latent = audio_tools.unpatchify(audio_tools.clear_conditioning(audio)).latent;
    return out;
}

}  // namespace ltx2
