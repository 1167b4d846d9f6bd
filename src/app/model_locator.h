#pragma once
// Finds the model files a pipeline needs, so that a user who ran
//   hf download Lightricks/LTX-2 ...   and   hf download google/gemma-3-12b-it
// needs no path flags. Per file, the first place that has it wins:
//   1. the explicit path (must exist, else an error naming the option),
//   2. the model directory, --model-dir or else $LTX2_MODEL_DIR (the file directly inside it; Gemma as a subfolder
//      gemma-3-12b-it / gemma-3-12b-it-qat-q4_0-unquantized / gemma, or the model directory
//      itself when its config.json is a Gemma config),
//   3. the Hugging Face cache (see hf_cache.h): the snapshot refs/main names, then the other
//      snapshots, newest first. Gemma folders must be complete (config, tokenizer, every shard).
// With precision auto, each place is searched for the bf16 checkpoint, then the fp8 one.
// When anything is missing, one error lists every missing file, what needs it, every path
// looked at, and the commands that would fetch it.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "app/hf_cache.h"
#include "pipelines/generation_params.h"

namespace ltx2::app {

using Pipeline = PipelineKind;  // parse_pipeline_kind / pipeline_name in pipelines/generation_params.h

enum class CheckpointPrecision { Auto, BF16, FP8 };
CheckpointPrecision parse_checkpoint_precision(std::string_view name);  // auto | bf16 | fp8

inline constexpr const char* kLtxRepo = "Lightricks/LTX-2";
inline constexpr const char* kLtx23Repo = "Lightricks/LTX-2.3";
inline constexpr const char* kLtx23Fp8Repo = "Lightricks/LTX-2.3-fp8";  // ltx-2.3-22b-{dev,distilled}-fp8
inline constexpr const char* kGemmaRepo = "google/gemma-3-12b-it";
inline constexpr const char* kGemmaQatRepo = "google/gemma-3-12b-it-qat-q4_0-unquantized";

// The command-line options the messages name.
inline constexpr const char* kCheckpointOption = "--checkpoint";
inline constexpr const char* kGemmaOption = "--gemma";
inline constexpr const char* kSpatialUpsamplerOption = "--spatial-upsampler";
inline constexpr const char* kSpatialUpscaleOption = "--spatial-upscale";
inline constexpr const char* kDistilledLoraOption = "--distilled-lora";
inline constexpr const char* kIcLoraOption = "--ic-lora";
inline constexpr const char* kModelDirOption = "--model-dir";
// The model directory when no --model-dir is given (as if it were given; explicit file options win).
inline constexpr const char* kModelDirEnv = "LTX2_MODEL_DIR";

struct ExplicitModelPaths {
    std::optional<std::filesystem::path> checkpoint;  // .safetensors or .gguf, used as given
    // The parts of a split bundle (see pipelines/model_files.h); with all four, no checkpoint is
    // needed. The transformer alone replaces the checkpoint's transformer.
    std::optional<std::filesystem::path> transformer, text_projection, video_vae, audio_vae;
    bool holds_every_part() const { return transformer && text_projection && video_vae && audio_vae; }
    std::optional<std::filesystem::path> duration_head;  // LTX-2.5's duration head file (optional part)
    std::optional<std::filesystem::path> gemma;       // a Gemma folder or a .gguf file
    std::optional<std::filesystem::path> spatial_upsampler;
    std::optional<std::filesystem::path> distilled_lora;
    std::optional<std::filesystem::path> ic_lora;  // never searched for (see default_ic_lora)
};

struct ModelLocateRequest {
    Pipeline pipeline = Pipeline::Distilled;
    CheckpointPrecision precision = CheckpointPrecision::Auto;
    // Which official spatial upsampler to look for (none given: the x2 one). An explicit
    // --spatial-upsampler file is used as given; its config says its factor.
    std::optional<SpatialUpscale> spatial_upscale;
    ExplicitModelPaths explicit_paths;
    std::optional<std::filesystem::path> model_dir;  // none: $LTX2_MODEL_DIR of `env`, if set
    // The IC-LoRA when no --ic-lora is given (the demo model's own), and where it comes from.
    std::optional<std::filesystem::path> default_ic_lora;
    std::string default_ic_lora_origin;
    EnvLookup env = process_environment();
};

enum class ModelSource { ExplicitPath, ModelDir, HfCache };

struct LocatedModel {
    std::filesystem::path path;  // a file, or the Gemma folder
    ModelSource source;
    std::string origin;  // for people: "--checkpoint", "--model-dir /m", "HF cache Lightricks/LTX-2 snapshot 0123abcd"
};

// Only the files the pipeline needs are set; no checkpoint when the explicit parts hold every part.
struct LocatedModels {
    std::optional<LocatedModel> checkpoint;
    std::optional<LocatedModel> gemma;
    std::optional<LocatedModel> spatial_upsampler;
    std::optional<LocatedModel> distilled_lora;
    std::optional<LocatedModel> ic_lora;
    std::string describe() const;  // one line per file: role, path, origin
};

LocatedModels locate_models(const ModelLocateRequest& request);

}  // namespace ltx2::app
