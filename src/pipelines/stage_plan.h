#pragma once
// One denoising stage as data: output size, schedule, noise scale, denoise function
// (plain or guided), the transformer it needs and the conditioning media it encodes. The
// pipelines are lists of these (pipelines.h); stage_runner.h runs one.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "diffusion/diffusion_steps.h"
#include "diffusion/guiders.h"
#include "pipelines/generation_params.h"
#include "pipelines/pipeline_io.h"

namespace ltx2 {

enum class ConditioningKind {
    ReplaceLatent,   // VideoConditionByLatentIndex: frame_idx is a latent frame
    Keyframe,        // VideoConditionByKeyframeIndex: appended, frame_idx is a pixel frame
    ReferenceVideo,  // VideoConditionByReferenceLatent: appended, positions × downscale_factor
};

struct ConditioningRequest {
    ConditioningKind kind = ConditioningKind::ReplaceLatent;
    EncodeRequest media;
    int64_t frame_idx = 0;
    double strength = 1.0;
    int64_t downscale_factor = 1;  // reference videos
};

// multi_modal_guider_denoising_func's parameters.
struct StageGuidance {
    MultiModalGuiderParams video, audio;
    // false: the audio guider has no negative context (A2V), so the unconditional pass pairs the
    // negative video context with the positive audio one.
    bool audio_negative_context = true;
};

struct StagePlan {
    std::string name;                           // "stage1", "stage2": prefixes tap names, shown by progress
    int64_t frames = 0, height = 0, width = 0;  // output pixel shape
    double fps = 24.0;
    std::vector<float> sigmas;
    float noise_scale = 1.0f;               // float32, as the reference's sigmas[0] tensor
    std::optional<StageGuidance> guidance;  // none: simple_denoising_func (positive prompt only)
    TransformerRequest transformer;
    std::vector<ConditioningRequest> conditionings;  // applied in order
    // ModalitySpec(frozen=True, noise_scale=0, initial_latent=PipelineInputs::frozen_audio): the
    // audio starts from the given latent and stays bit-identical (its noise is still drawn).
    bool audio_frozen = false;
    // false: the pipeline's audio stays the previous stage's; this stage still denoises the audio
    // along with the video (which attends to it) and then discards it.
    bool returns_audio = true;
    // Retake: a regenerated stream is denoised only on the tokens inside [start, end) seconds
    // (TemporalRegionMask); a kept stream is noised like the others, then frozen (mask 0, sigma 0)
    // so that the steps bring it back to its initial latent.
    struct TimeWindow {
        double start = 0, end = 0;
    };
    std::optional<TimeWindow> regenerate_window;
    bool keep_video = false, keep_audio = false;
    // Ancestral Euler instead of plain Euler (LTX-2.5 distilled stage 1): a second generator,
    // seeded noise_seed when the loop starts, draws the renoising noise of every step but the
    // last, video then audio, in the latents' token shape.
    struct Ancestral {
        AncestralStep step;
        uint64_t noise_seed = 0;
    };
    std::optional<Ancestral> ancestral;
};

// The images of the pipelines that replace latent frames, each encoded at height × width:
// image_conditionings_by_replacing_latent (28c3c73), or combined_image_conditionings when the
// model's semantics make the images after frame 0 guiding keyframes.
std::vector<ConditioningRequest> image_conditionings(const std::vector<ImageCondition>& images, int64_t height,
                                                     int64_t width, const ModelSemantics& model);
// image_conditionings_by_adding_guiding_latent (keyframe interpolation).
std::vector<ConditioningRequest> image_keyframes(const std::vector<ImageCondition>& images, int64_t height,
                                                 int64_t width);

// A stage named `name` producing params.num_frames frames of height × width at the frame rate
// (no schedule, denoiser, LoRAs or conditionings set yet).
StagePlan stage_at(const GenerationParams& params, const std::string& name, int64_t height, int64_t width);
// "stage1" at the size the spatial upsampler brings to height × width (params.spatial_upscale:
// half of it for x2), where the upsampling pipelines start.
StagePlan low_resolution_stage(const GenerationParams& params);
// Their second stage: full resolution, STAGE_2_DISTILLED_SIGMA_VALUES, noise scale σ0, one
// transformer call per step on the positive prompt, the given LoRAs and conditionings.
StagePlan refine_stage(const GenerationParams& params, std::vector<LoraSpec> loras,
                       std::vector<ConditioningRequest> conditionings);

}  // namespace ltx2
