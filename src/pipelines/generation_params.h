#pragma once
// What a generation asks for: the pipeline, resolution, length, seed, conditioning media,
// LoRAs and guidance, with the official pipelines' defaults (ltx_pipelines.utils.constants)
// and the checks the command line runs before anything is loaded. Error messages name the
// option as the official command line spells it (--height, --image, --video-cfg-guidance-scale, ...).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "diffusion/guiders.h"
#include "models/model_version.h"

namespace ltx2 {

enum class PipelineKind {
    Distilled,              // DistilledPipeline: 8 + 3 distilled steps, no guidance
    OneStage,               // TI2VidOneStagePipeline: guided, full resolution
    TwoStage,               // TI2VidTwoStagesPipeline: guided half resolution, x2 upsampler, distilled-LoRA refine
    KeyframeInterpolation,  // KeyframeInterpolationPipeline: as TwoStage, images as appended keyframes
    ICLora,                 // ICLoraPipeline: distilled steps, IC-LoRA + reference video in stage 1
    AudioToVideo,           // A2VidPipelineTwoStage (LTX-2.3): as TwoStage, the input audio encoded and kept fixed
    Retake,                 // RetakePipeline (LTX-2.3), distilled: 8 fixed steps regenerate a time span of a clip
    RetakeGuided,           // RetakePipeline(distilled=False): LTX2Scheduler steps and the multi-modal guider
};

const char* pipeline_name(PipelineKind kind);  // "distilled", "one-stage", ...
// Throws listing the valid names.
PipelineKind parse_pipeline_kind(const std::string& name);
// Pipelines that denoise at a lower resolution first and upsample it (see SpatialUpscale).
bool upsamples(PipelineKind kind);
// Pipelines whose first stage uses the multi-modal guider (negative prompt, guidance scales, steps).
bool is_guided(PipelineKind kind);
// The retake pipelines (distilled or guided): size, length and frame rate are the source clip's.
bool is_retake(PipelineKind kind);

// --image PATH FRAME_IDX STRENGTH. FRAME_IDX is a latent frame index for the pipelines that
// replace latent frames, a pixel frame index for keyframe interpolation (and, with LTX-2.3, for
// every pipeline: see ModelSemantics::images_after_frame_0_are_keyframes).
struct ImageCondition {
    std::string path;
    int64_t frame_idx = 0;
    double strength = 1.0;
};

// --video-conditioning PATH STRENGTH (IC-LoRA reference video).
struct VideoReference {
    std::string path;
    double strength = 1.0;
};

// --audio-path FILE [--audio-start-time S] [--audio-max-duration S] (a2v). Without a maximum the
// audio is read for the video's duration (num_frames / frame_rate), as the official script does.
struct AudioCondition {
    std::string path;
    double start_time = 0.0;
    std::optional<double> max_duration;
};

// --video-path FILE --start-time S --end-time S [--keep-video | --keep-audio] (retake): the span
// [start_time, end_time) seconds of the source clip is regenerated, the rest kept bit for bit.
struct RetakeOptions {
    std::string video_path;
    double start_time = 0, end_time = 0;
    bool regenerate_video = true, regenerate_audio = true;  // false: that stream is kept as it is
    bool operator==(const RetakeOptions&) const = default;
};

// --lora / --distilled-lora PATH [STRENGTH].
struct LoraSpec {
    std::string path;
    double strength = 1.0;
    bool operator==(const LoraSpec&) const = default;
};

// The spatial upsampler's factor num/den (from its file's config): the upsampling pipelines run
// stage 1 at height·den/num × width·den/num, so that the upsampled latent has the requested
// size. The official pipelines hard-code x2 (half resolution); the x1.5 upsampler of LTX-2.3
// (stage 1 at 2/3 of the size) is our extension.
struct SpatialUpscale {
    int num = 2, den = 1;
    std::string label() const;  // "x2", "x1.5"
    bool operator==(const SpatialUpscale&) const = default;
};
inline constexpr SpatialUpscale kUpscaleX2{2, 1};
inline constexpr SpatialUpscale kUpscaleX1_5{3, 2};
// "x2" or "x1.5" (`option` names the option in the error).
SpatialUpscale parse_spatial_upscale(const std::string& label, const char* option);

// LoRA strengths accepted by validation. The official scripts take any float; beyond ±2 a
// LoRA's delta outweighs the weights it adapts, which is a typo rather than a setting.
constexpr double kMaxLoraStrength = 2.0;

// Bounds that keep every size computed from a request far inside 64-bit arithmetic; what they
// allow is then checked against the memory budget. 16384 pixels is four times 4K's width.
constexpr int64_t kMaxSide = 16384;
constexpr int64_t kMaxFrames = 8 * 8192 + 1;
constexpr double kMaxFrameRate = 1000;
constexpr int kMaxSteps = 1000;
// Guidance scales beyond this are typos (the official defaults are 1..7).
constexpr double kMaxGuidanceScale = 100;

struct GenerationParams {
    uint64_t seed = 10;
    int64_t height = 0;  // pixels
    int64_t width = 0;
    int64_t num_frames = 121;
    double frame_rate = 24.0;
    int num_inference_steps = 40;  // guided pipelines (the distilled ones use fixed tables)
    MultiModalGuiderParams video_guider;
    MultiModalGuiderParams audio_guider;
    std::vector<ImageCondition> images;
    std::vector<VideoReference> video_conditioning;  // ic-lora only
    std::vector<LoraSpec> loras;                     // every stage (ic-lora: stage 1, the IC-LoRA)
    std::vector<LoraSpec> distilled_loras;           // two-stage, keyframe-interpolation, a2v: stage 2
    AudioCondition audio;                            // a2v only
    RetakeOptions retake;                            // retake only
    SpatialUpscale spatial_upscale;                  // pipelines that upsample
};

// DEFAULT_VIDEO_GUIDER_PARAMS / DEFAULT_AUDIO_GUIDER_PARAMS (stg_blocks [29]).
MultiModalGuiderParams default_video_guider_params();
MultiModalGuiderParams default_audio_guider_params();

// The official defaults for the pipeline: seed 10, 121 frames at 24 fps, 40 steps,
// 512x768 (one-stage) or 1024x1536 (pipelines that upsample), default guider params.
GenerationParams default_generation_params(PipelineKind kind);

// Options the user gave explicitly; the others take the model version's defaults.
struct ExplicitParams {
    bool steps = false;
    bool video_stg_blocks = false;
    bool audio_stg_blocks = false;
};

// The version-gated defaults of the reference pipelines (detect_params: LTX-2.3 runs 30 guided
// steps and perturbs block 28) for every option not in `given`.
void apply_model_defaults(GenerationParams& params, const ModelSemantics& model, const ExplicitParams& given);

// Latent frames of the video: (num_frames − 1)/8 + 1.
int64_t latent_frame_count(int64_t num_frames);

// Every check that needs no file: resolution multiple of 32 (32·num when the pipeline upsamples
// by num/den: 64 for x2, 96 for x1.5),
// num_frames = 8k + 1, frame rate > 0, steps >= 1, image frame indices and strengths, LoRA
// strengths, guider parameters, audio start and duration, the retake span (within the clip of
// num_frames / frame_rate seconds, start before end, a stream regenerated), options a pipeline
// does not take; image
// frame indices as the model version reads them. Throws ltx2::Error.
void validate_generation_params(PipelineKind kind, const GenerationParams& params, const ModelSemantics& model);

// Throws naming --video-path when a retake pipeline has no source clip.
void check_retake_source_given(PipelineKind kind, const RetakeOptions& retake);

// Guider parameters against the transformer that will run them (stg_blocks within its blocks).
void validate_guider_blocks(const MultiModalGuiderParams& params, int num_layers, const char* stg_blocks_option);

}  // namespace ltx2
