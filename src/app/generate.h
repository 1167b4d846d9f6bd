#pragma once
// One generation, prompt to MP4, the way the official pipelines' scripts run it: resolve the
// model files, encode the prompts (Gemma, then the text projection), denoise with the chosen
// pipeline, decode video (tiled) and audio, write the outputs. Each stage loads its models and
// releases them before the next stage loads, so peak memory is the largest stage's.
#include <optional>
#include <string>

#include "app/model_locator.h"
#include "app/progress.h"
#include "core/cancellation.h"
#include "io/media/mp4_writer.h"
#include "core/precision.h"
#include "core/tensor.h"
#include "pipelines/generation_params.h"
#include "pipelines/model_cache.h"

namespace ltx2 {

// The reference's DEFAULT_NEGATIVE_PROMPT (ltx_pipelines.utils.constants).
extern const char* const kDefaultNegativePrompt;

struct GenerateRequest {
    PipelineKind pipeline = PipelineKind::Distilled;
    std::string prompt;
    std::optional<std::string> negative_prompt;  // guided pipelines; default kDefaultNegativePrompt
    // The files the prompts were read from (--prompt-file, --negative-prompt-file), kept so that no
    // output replaces them.
    std::string prompt_file, negative_prompt_file;
    GenerationParams params;
    bool seed_drawn = false;  // --seed -1 / random: params.seed was drawn at random (printed when generating)
    ExplicitParams explicit_params;  // the rest follow the checkpoint's model version
    // --frames auto: the duration head predicts num_frames from the prompt (LTX-2.5), within
    // [auto_min_seconds, auto_max_seconds] (the official AutoDuration defaults).
    bool auto_num_frames = false;  // also the default for a model with a duration head (LTX-2.5)
    bool num_frames_given = false;  // --frames (a number or auto)
    double auto_min_seconds = 1.0, auto_max_seconds = 20.0;
    app::ModelLocateRequest models;  // models.pipeline is set from `pipeline`
    Precision precision = Precision::BF16;
    double memory_budget_gib = 0;  // 0: from the machine's available memory
    // Bytes of this process's memory held by models kept between jobs (ltx2 serve): released
    // before they would stand in the way, so the up-front memory check does not count them.
    double releasable_bytes = 0;
    std::string output;            // .mp4; may be empty when frames_dir or audio_out is given
    std::string frames_dir;        // PNG frames
    std::string audio_out;         // WAV
    std::string thumbnail_out;     // PNG of the first frame
    std::string sidecar_out;       // JSON record of the run (--sidecar: app/sidecar.h)
    double crf = 23;
    std::string preset = "medium";
    // The decoded frames and audio also go into the result (the C API's in-memory output); the
    // file outputs are then optional.
    bool decoded_in_result = false;

    // Prompt enhancement (--enhance-prompt): Gemma rewrites `prompt` before it is encoded.
    bool enhance_prompt = false;
    std::string prompt_enhancer_gemma;  // empty: the text encoder's Gemma
    int enhance_max_tokens = 512;
    bool enhance_greedy = false;        // greedy instead of the reference's sampling
};

struct GenerateResult {
    int64_t frames = 0, height = 0, width = 0;
    int64_t audio_samples = 0;
    int audio_sample_rate = 0;
    FrameRate fps;                // as written (a retake's: its source's)
    std::string model;            // ModelSemantics::name(), e.g. "LTX-2 (19B)"
    std::string model_version;    // as stored in the checkpoint ("" when it has none)
    std::string enhanced_prompt;  // what was generated from, when the prompt was enhanced
    // With GenerateRequest::decoded_in_result: the frames U8 [F, H, W, 3] and the audio F32 [2, N].
    Tensor decoded_frames, decoded_waveform;
};

// Whether the run encodes a negative prompt (a guided pipeline with CFG above 1).
bool uses_negative_prompt(const GenerateRequest& request);

// Checks everything that needs no model file (sizes, frames, conditioning; the outputs are
// checked with the model files found, app/output_checks.h) before anything is loaded, for a checkpoint of the `model` version; throws ltx2::Error
// naming the option.
void validate_generate_request(const GenerateRequest& request, const ModelSemantics& model);

// Everything generate() checks before it loads weights (model files found and of one release,
// the model's defaults applied, the request valid for it); throws ltx2::Error naming the option.
void check_generate_request(GenerateRequest request);

// What a ModelCache kept between generations may hold within the memory budget
// (app::memory_budget_bytes): the models, leaving the room a denoising step needs for its
// activations.
size_t kept_models_capacity_bytes(double memory_budget_gib);

// The one entry point of a generation (the CLI and the server): progress goes to `progress` (and
// its listener); `cancel` is checked before every stage and after every denoising step, where a
// cancelled generation throws Cancelled without writing any output. `kept_models`: models are
// taken from and kept in it (the server, between jobs); the video decode gets room in it first,
// so a kept model never shrinks the decode's tiles. Without it every model is freed after use.
GenerateResult generate(GenerateRequest request, ProgressReporter& progress, const CancellationToken& cancel,
                        ModelCache* kept_models = nullptr);

}  // namespace ltx2
