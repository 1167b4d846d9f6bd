#pragma once
// The generation options of the command line (prompt, pipeline, sizes, guidance, conditioning,
// model files, output) and the GenerateRequest they make. The server builds its requests with
// the same options, so an API field obeys exactly the rules of the option of the same name.
#include <string>
#include <vector>

#include "app/generate.h"

namespace CLI {
class App;
}

namespace ltx2 {

inline constexpr const char* kPipelineChoices =
    "distilled | one-stage | two-stage | keyframes | ic-lora | a2v | retake | retake-guided";

struct GenerationCli {
    std::string prompt, prompt_file, negative_prompt, negative_prompt_file;
    std::string pipeline = "distilled";
    int64_t width = 0, height = 0;
    std::string frames;
    double fps = 0;
    int steps = 0;
    std::string seed = "10";  // a whole number, or -1 / random
    std::vector<std::vector<std::string>> images;  // per --image: PATH[:FRAME[:STRENGTH]] or PATH FRAME STRENGTH
    std::vector<std::string> loras, videos, distilled_loras;
    std::string output, frames_dir, audio_out, thumbnail;
    int threads = 0;
    std::string precision = "bf16", checkpoint_precision = "auto", progress = "auto";
    int progress_fd = 2;   // where the progress stream goes (app/progress_output.h)
    bool sidecar = false;  // write OUTPUT.json (app/sidecar.h)
    double memory_budget = 0, crf = 23;
    std::string preset = "medium";
    std::string model_dir, checkpoint, gemma, upsampler, spatial_upscale, ic_lora, transformer, text_projection,
        video_vae, audio_vae, duration_head;
    std::string demo;  // the --demo release ("" = 19b) when the option was given
    double video_cfg = 0, video_stg = 0, video_rescale = 0, video_modality = 0;
    double audio_cfg = 0, audio_stg = 0, audio_rescale = 0, audio_modality = 0;
    std::vector<int> video_stg_blocks, audio_stg_blocks;
    std::string audio_path;
    double audio_start_time = 0, audio_max_duration = 0;
    std::string video_path;
    double start_time = 0, end_time = 0;
    bool keep_video = false, keep_audio = false;
    bool enhance_prompt = false, enhance_greedy = false;
    std::string prompt_enhancer_gemma;
    int enhance_max_tokens = 512;
};

void add_spatial_upscale_option(CLI::App& app, GenerationCli& c);
// The options that choose the model files (--demo, --model-dir, --checkpoint, --gemma, the
// split-bundle parts, --spatial-upsampler, --distilled-lora, --ic-lora, --checkpoint-precision):
// the generator's, `ltx2 locate`'s and `ltx2 serve`'s.
void add_model_file_options(CLI::App& app, GenerationCli& c);
// Every option of a generation, in their --help groups.
void add_generation_options(CLI::App& app, GenerationCli& c);

// The demo model's small defaults, so that it runs in seconds: 192x128 (96x64 where the pipeline
// does not upsample), 25 frames, 8 guided steps, STG on block 1 of its 2.
void apply_demo_defaults(GenerationParams& p, PipelineKind kind);

// The prompt, pipeline, parameters and outputs given on `app` (after parsing); `demo`: the demo
// model's small defaults apply where an option was not given. Throws ltx2::Error naming the option.
GenerateRequest build_generation_request(const CLI::App& app, const GenerationCli& c, bool demo);

// The model files given on `app` (see add_model_file_options; --demo writes the demo model on
// first use and supplies its IC-LoRA unless --ic-lora is given), into `models`.
void apply_model_file_options(const CLI::App& app, const GenerationCli& c, app::ModelLocateRequest& models);

// The model files, precision and memory options given on `app`, into `r`.
void apply_model_options(const CLI::App& app, const GenerationCli& c, GenerateRequest& r);

}  // namespace ltx2
