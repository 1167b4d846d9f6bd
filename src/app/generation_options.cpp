#include "app/generation_options.h"

#include <CLI/CLI.hpp>

#include <cmath>
#include <tuple>
#include <thread>

#include "app/demo_model.h"
#include "app/option_values.h"
#include "app/sidecar.h"
#include "core/error.h"
#include "core/regular_file.h"

namespace ltx2 {

namespace {

// Larger indices are refused before the conversion to an integer (the frame count bounds them anyway).
constexpr double kMaxFrameIndex = 1e9;

// "PATH", "PATH:A" or "PATH:A:B": up to `max_numbers` trailing numeric fields split off the right,
// so paths containing ':' still work when no number follows them.
std::pair<std::string, std::vector<double>> split_path_numbers(const std::string& spec, size_t max_numbers,
                                                               const char* option) {
    std::string path = spec;
    std::vector<double> numbers;
    while (numbers.size() < max_numbers) {
        const size_t colon = path.rfind(':');
        if (colon == std::string::npos) break;
        const std::string tail = path.substr(colon + 1);
        char* end = nullptr;
        const double v = std::strtod(tail.c_str(), &end);
        if (tail.empty() || end != tail.c_str() + tail.size()) break;
        numbers.insert(numbers.begin(), v);
        path.resize(colon);
    }
    if (path.empty()) fail("{} '{}': no file path", option, spec);
    return {path, numbers};
}

// One --image: "PATH[:FRAME[:STRENGTH]]", or the official CLI's three values PATH FRAME STRENGTH
// (PATH FRAME also works).
ImageCondition parse_image_condition(const std::vector<std::string>& values) {
    std::string path, spec = values.front();
    std::vector<double> n;
    if (values.size() == 1) {
        std::tie(path, n) = split_path_numbers(values.front(), 2, "--image");
    } else {
        path = values.front();
        for (size_t i = 1; i < values.size(); ++i) {
            spec += " " + values[i];
            char* end = nullptr;
            const double v = std::strtod(values[i].c_str(), &end);
            if (values[i].empty() || end != values[i].c_str() + values[i].size())
                fail("--image {}: '{}' is not a number; expected PATH FRAME STRENGTH (or PATH[:FRAME[:STRENGTH]])",
                     spec, values[i]);
            n.push_back(v);
        }
    }
    ImageCondition image{path, 0, 1.0};
    if (n.size() >= 1) {
        if (!(std::fabs(n[0]) <= kMaxFrameIndex))
            fail("--image '{}': frame index {} is out of range (expected a frame number from 0 to {})", spec, n[0],
                 kMaxFrameIndex);
        if (n[0] != std::floor(n[0])) fail("--image '{}': frame index {} is not a whole number", spec, n[0]);
        image.frame_idx = int64_t(n[0]);
    }
    if (n.size() >= 2) image.strength = n[1];
    return image;
}

// Options a pipeline would ignore are refused naming it, as the ones it cannot take are.
void check_options_apply(const CLI::App& app, PipelineKind kind) {
    auto given = [&](const char* name) { return app.count(name) > 0; };
    const char* name = pipeline_name(kind);
    if (!is_guided(kind)) {
        for (const char* option :
             {"--steps", "--negative-prompt", "--negative-prompt-file", "--video-cfg-guidance-scale",
              "--video-stg-guidance-scale", "--video-rescale-scale", "--video-modality-scale", "--video-stg-blocks",
              "--audio-cfg-guidance-scale", "--audio-stg-guidance-scale", "--audio-rescale-scale",
              "--audio-modality-scale", "--audio-stg-blocks"})
            if (given(option))
                fail("{}: the {} pipeline runs the distilled model's fixed steps without guidance, so it takes no {} "
                     "(the guided pipelines do: one-stage, two-stage, keyframes, a2v, retake-guided)",
                     option, name, option);
    }
    if (kind == PipelineKind::AudioToVideo)
        for (const char* option : {"--audio-cfg-guidance-scale", "--audio-stg-guidance-scale", "--audio-rescale-scale",
                                   "--audio-modality-scale", "--audio-stg-blocks"})
            if (given(option))
                fail("{}: the a2v pipeline keeps the input audio fixed and guides only the video, so it takes no "
                     "audio guidance",
                     option);
    if (given("--ic-lora") && kind != PipelineKind::ICLora)
        fail("--ic-lora: only the ic-lora pipeline takes an IC-LoRA (pipeline: {}); for another LoRA use --lora", name);
    if (!upsamples(kind))
        for (const char* option : {"--spatial-upsampler", "--spatial-upscale"})
            if (given(option))
                fail("{}: the {} pipeline does not upsample, so it takes no spatial upsampler", option, name);
}

}  // namespace

void add_spatial_upscale_option(CLI::App& app, GenerationCli& c) {
    app.add_option(app::kSpatialUpscaleOption, c.spatial_upscale,
                   "x2 | x1.5: which official spatial upsampler file to look for [x2] (LTX-2.3 has both)")
        ->group("Models");
}

void add_model_file_options(CLI::App& app, GenerationCli& c) {
    const char* models = "Models";
    app.add_option("--demo", c.demo,
                   "use the built-in tiny random-weight demo model (written on first use): --demo for LTX-2 (19B "
                   "layout), --demo 2.3 for LTX-2.3")
        ->expected(0, 1)
        ->group(models);
    app.add_option("--model-dir", c.model_dir,
                   "folder with the LTX-2 files and a Gemma 3 folder [$LTX2_MODEL_DIR when set; the files not found "
                   "there come from the Hugging Face cache]")
        ->group(models);
    app.add_option("--checkpoint,--checkpoint-path", c.checkpoint, "LTX-2 / LTX-2.3 single-file checkpoint (.safetensors, bf16 or fp8)")
        ->group(models);
    app.add_option("--transformer", c.transformer,
                   "transformer weights to use instead of the checkpoint's: a GGUF (ltx2-quantize, ComfyUI-GGUF, "
                   "unsloth / QuantStack) or an fp8/bf16 .safetensors (Kijai's transformer_only)")
        ->group(models);
    app.add_option("--text-projection", c.text_projection,
                   "text projection file of a split bundle (unsloth's *_embeddings_connectors.safetensors, Kijai's "
                   "*_text_projection_*.safetensors)")
        ->group(models);
    app.add_option("--video-vae", c.video_vae, "video VAE file of a split bundle (e.g. *_video_vae.safetensors)")
        ->group(models);
    app.add_option("--audio-vae", c.audio_vae,
                   "audio VAE + vocoder file of a split bundle (e.g. *_audio_vae.safetensors); with --transformer, "
                   "--text-projection and --video-vae no --checkpoint is needed")
        ->group(models);
    app.add_option("--duration-head", c.duration_head,
                   "LTX-2.5 duration head file (model_patches/ltx-2.5-duration-head-bf16.safetensors) when the "
                   "checkpoint has none: predicts the length for --frames auto")
        ->group(models);
    app.add_option("--gemma,--gemma-root", c.gemma, "Gemma 3 12B folder (config.json, tokenizer.json, shards) or a llama.cpp GGUF")->group(models);
    app.add_option("--spatial-upsampler", c.upsampler,
                   "ltx-2-spatial-upscaler-x2-1.0.safetensors; an x1.5 one (its config says so) makes the pipelines "
                   "that upsample start at 2/3 of the size instead of half")
        ->group(models);
    add_spatial_upscale_option(app, c);
    app.add_option("--distilled-lora", c.distilled_loras, "PATH[:STRENGTH] distilled LoRA of two-stage pipelines")
        ->group(models);
    app.add_option("--ic-lora", c.ic_lora, "IC-LoRA file (ic-lora pipeline) [--demo: the demo's own]")->group(models);
    app.add_option("--checkpoint-precision", c.checkpoint_precision, "auto | bf16 | fp8 (which checkpoint to look for)")
        ->group(models)
        ->capture_default_str();
}

void add_generation_options(CLI::App& app, GenerationCli& c) {
    const char* models = "Models";
    const char* gen = "Generation";
    const char* guide = "Guidance (one-stage, two-stage, keyframes)";
    const char* out = "Output";
    app.add_option("-p,--prompt", c.prompt, "what to generate")->group(gen);
    app.add_option("--prompt-file", c.prompt_file, "read the prompt from a text file")->group(gen);
    app.add_option("-n,--negative-prompt", c.negative_prompt, "what to avoid (guided pipelines; default: the official one)")
        ->group(gen);
    app.add_option("--negative-prompt-file", c.negative_prompt_file, "read the negative prompt from a file")->group(gen);
    app.add_flag("--enhance-prompt", c.enhance_prompt,
                 "let Gemma rewrite the prompt into a detailed one before generating (printed, and stored in the "
                 "MP4 as enhanced_prompt; with --image the enhancer does not see the image)")
        ->group(gen);
    app.add_option("--prompt-enhancer-gemma", c.prompt_enhancer_gemma,
                   "Gemma 3 instruct model for --enhance-prompt: Hugging Face folder or llama.cpp GGUF, e.g. a "
                   "smaller one for speed [the text encoder's Gemma]")
        ->group(gen);
    app.add_option("--enhance-max-tokens", c.enhance_max_tokens, "most tokens the enhancer writes")
        ->group(gen)
        ->capture_default_str();
    app.add_flag("--enhance-greedy", c.enhance_greedy,
                 "enhance with greedy decoding instead of sampling (temperature 0.7, the model's top-k/top-p, "
                 "seeded by --seed)")
        ->group(gen);
    app.add_option("--pipeline", c.pipeline, kPipelineChoices)->group(gen)->capture_default_str();
    app.add_option("--audio-path", c.audio_path,
                   "a2v: the audio the video is made for (any file FFmpeg reads: WAV, MP3, AAC, FLAC, a video's "
                   "audio track); it is kept as is and goes into the output")
        ->group(gen);
    app.add_option("--audio-start-time", c.audio_start_time, "a2v: where to start reading the audio, in seconds [0]")
        ->group(gen);
    app.add_option("--audio-max-duration", c.audio_max_duration,
                   "a2v: seconds of audio to read [the video's duration, frames / fps]")
        ->group(gen);
    app.add_option("--video-path", c.video_path,
                   "retake: the clip to retake (size, frames and frame rate are its own; 8k+1 frames, sides multiples "
                   "of 32); its audio track, if any, is retaken too")
        ->group(gen);
    app.add_option("--start-time", c.start_time, "retake: start of the span to regenerate, in seconds")->group(gen);
    app.add_option("--end-time", c.end_time, "retake: end of the span to regenerate, in seconds (exclusive)")
        ->group(gen);
    app.add_flag("--keep-video", c.keep_video, "retake: regenerate only the audio in the span")->group(gen);
    app.add_flag("--keep-audio", c.keep_audio, "retake: regenerate only the video in the span")->group(gen);
    app.add_option("-W,--width", c.width,
                   "width in pixels, multiple of 32 (64 when the pipeline upsamples x2, 96 for x1.5) [1536; one-stage "
                   "768; demo 192]")
        ->group(gen);
    app.add_option("-H,--height", c.height,
                   "height in pixels, multiple of 32 (64 when the pipeline upsamples x2, 96 for x1.5) [1024; one-stage "
                   "512; demo 128]")
        ->group(gen);
    app.add_option("-f,--frames,--num-frames", c.frames,
                   "number of frames, 8k+1, or auto (LTX-2.5: predicted from the prompt by the duration head) [121; "
                   "demo 25]")
        ->group(gen);
    app.add_option("--fps,--frame-rate", c.fps, "frame rate [24]")->group(gen);
    app.add_option("--steps,--num-inference-steps", c.steps, "denoising steps of guided pipelines [40; LTX-2.3: 30]")->group(gen);
    app.add_option("-s,--seed", c.seed,
                   "random seed (same seed, same output); -1 or random: a random one, printed so the run can be "
                   "repeated")
        ->group(gen)
        ->capture_default_str();
    app.add_option("--image", c.images,
                   "PATH[:FRAME[:STRENGTH]] or PATH FRAME STRENGTH (the official form) condition on an image at a "
                   "frame (LTX-2: latent frame for most pipelines, pixel frame for keyframes; LTX-2.3: pixel frame, "
                   "images after frame 0 guide as keyframes), strength 0..1 [0:1]; repeatable")
        ->expected(1, 3)
        ->group(gen);
    app.add_option("--lora", c.loras, "PATH[:STRENGTH] fuse a LoRA into the transformer [1]; repeatable")->group(gen);
    app.add_option("--video-conditioning", c.videos, "PATH[:STRENGTH] IC-LoRA reference video [1]; repeatable")
        ->group(gen);
    app.add_option("--video-cfg-guidance-scale", c.video_cfg, "video CFG scale [3]")->group(guide);
    app.add_option("--video-stg-guidance-scale", c.video_stg, "video STG scale [1]")->group(guide);
    app.add_option("--video-rescale-scale", c.video_rescale, "video guidance rescale [0.7]")->group(guide);
    app.add_option("--video-modality-scale,--a2v-guidance-scale", c.video_modality,
                   "video audio-to-video modality guidance [3]")
        ->group(guide);
    app.add_option("--video-stg-blocks", c.video_stg_blocks, "transformer blocks perturbed by video STG [29; LTX-2.3: 28]")
        ->group(guide);
    app.add_option("--audio-cfg-guidance-scale", c.audio_cfg, "audio CFG scale [7]")->group(guide);
    app.add_option("--audio-stg-guidance-scale", c.audio_stg, "audio STG scale [1]")->group(guide);
    app.add_option("--audio-rescale-scale", c.audio_rescale, "audio guidance rescale [0.7]")->group(guide);
    app.add_option("--audio-modality-scale", c.audio_modality, "audio video-to-audio modality guidance [3]")->group(guide);
    app.add_option("--audio-stg-blocks", c.audio_stg_blocks, "transformer blocks perturbed by audio STG [29; LTX-2.3: 28]")
        ->group(guide);
    app.add_option("-o,--output,--output-path", c.output,
                   "output MP4 (H.264 + AAC); outputs are checked before any work, never replace an input, and "
                   "are written under a temporary name renamed into place when complete")
        ->group(out);
    app.add_option("--frames-dir", c.frames_dir, "also write every frame as PNG into this new (or empty) folder")
        ->group(out);
    app.add_option("--audio-out", c.audio_out, "also write the audio as WAV")->group(out);
    app.add_option("--thumbnail", c.thumbnail, "also write the first frame as PNG")->group(out);
    app.add_option("--crf", c.crf, "H.264 quality, 1 (best) .. 51")->group(out)->capture_default_str();
    app.add_option("--preset", c.preset, "H.264 speed preset")->group(out)->capture_default_str();
    app.add_option("--progress", c.progress,
                   "auto | plain | json | none; json: one JSON object per line, documented in docs/PROGRESS.md "
                   "(start, stage_begin, stage_end, step, note, then done or error)")
        ->group(out)
        ->capture_default_str();
    app.add_option("--progress-fd", c.progress_fd,
                   "file descriptor the progress goes to: 2 (stderr), 1 (stdout) or one the program inherited, e.g. "
                   "--progress-fd 3 3>progress.jsonl")
        ->group(out)
        ->capture_default_str();
    app.add_flag("--sidecar", c.sidecar,
                 "also write OUTPUT.json beside the MP4: every parameter, the arguments that repeat the run, every "
                 "model file (size, time, header hash), the engine version and the reference it follows")
        ->group(out);
    add_model_file_options(app, c);
    app.add_option("--precision", c.precision, "compute precision: bf16 | f32")->group(models)->capture_default_str();
    app.add_option("-t,--threads", c.threads, "CPU threads [all cores]")->group(models);
    app.add_option("--memory-budget", c.memory_budget, "GiB the generation may use [90% of available memory]")
        ->group(models);
}

void apply_demo_defaults(GenerationParams& p, PipelineKind kind) {
    p.width = upsamples(kind) ? 192 : 96;
    p.height = upsamples(kind) ? 128 : 64;
    p.num_frames = 25;
    p.num_inference_steps = 8;
    p.video_guider.stg_blocks = {1};  // the tiny transformer has 2 blocks
    p.audio_guider.stg_blocks = {1};
}

GenerateRequest build_generation_request(const CLI::App& app, const GenerationCli& c, bool demo) {
    GenerateRequest r;
    r.pipeline = parse_pipeline_kind(c.pipeline);
    check_options_apply(app, r.pipeline);
    auto given = [&](const char* name) { return app.count(name) > 0; };

    r.prompt_file = c.prompt_file;
    r.negative_prompt_file = c.negative_prompt_file;
    if (!c.prompt_file.empty()) r.prompt = read_regular_file(c.prompt_file, "--prompt-file");
    if (given("--prompt")) {
        if (!c.prompt_file.empty()) fail("give either --prompt or --prompt-file, not both");
        r.prompt = c.prompt;
    }
    if (!given("--prompt") && c.prompt_file.empty()) fail("no prompt: give -p/--prompt TEXT or --prompt-file FILE");
    if (!c.negative_prompt_file.empty()) r.negative_prompt = read_regular_file(c.negative_prompt_file, "--negative-prompt-file");
    if (given("--negative-prompt")) r.negative_prompt = c.negative_prompt;
    r.enhance_prompt = c.enhance_prompt;
    r.prompt_enhancer_gemma = c.prompt_enhancer_gemma;
    r.enhance_max_tokens = c.enhance_max_tokens;
    r.enhance_greedy = c.enhance_greedy;

    GenerationParams& p = r.params;
    p = default_generation_params(r.pipeline);
    if (demo) apply_demo_defaults(p, r.pipeline);
    if (is_retake(r.pipeline)) {
        for (const char* option : {"--width", "--height", "--frames", "--fps"})
            if (given(option))
                fail("{}: the {} pipeline takes the size, frame count and frame rate of --video-path", option,
                     pipeline_name(r.pipeline));
        if (!given("--start-time") || !given("--end-time"))
            fail("--pipeline {}: give the span to regenerate with --start-time S and --end-time S (seconds)",
                 pipeline_name(r.pipeline));
    }
    p.retake.video_path = c.video_path;
    if (given("--start-time")) p.retake.start_time = c.start_time;
    if (given("--end-time")) p.retake.end_time = c.end_time;
    p.retake.regenerate_video = !c.keep_video;
    p.retake.regenerate_audio = !c.keep_audio;
    if (given("--width")) p.width = c.width;
    if (given("--height")) p.height = c.height;
    if (given("--frames")) {
        if (c.frames == "auto") {
            r.auto_num_frames = true;
        } else {
            size_t used = 0;
            try {
                p.num_frames = std::stoll(c.frames, &used);
            } catch (const std::exception&) {
                used = 0;
            }
            if (used == 0 || used != c.frames.size())
                fail("--frames {}: expected a whole number of frames (8k + 1, e.g. 121) or auto", c.frames);
        }
    }
    if (given("--fps")) p.frame_rate = c.fps;
    if (given("--steps")) p.num_inference_steps = c.steps;
    // The demo's small settings, and what the user gave, win over the model version's defaults.
    r.explicit_params.steps = demo || given("--steps");
    r.explicit_params.video_stg_blocks = demo || given("--video-stg-blocks");
    r.explicit_params.audio_stg_blocks = demo || given("--audio-stg-blocks");
    r.num_frames_given = given("--frames");
    const app::SeedChoice seed = app::parse_seed(c.seed);
    p.seed = seed.seed;
    r.seed_drawn = seed.drawn;
    if (given("--video-cfg-guidance-scale")) p.video_guider.cfg_scale = c.video_cfg;
    if (given("--video-stg-guidance-scale")) p.video_guider.stg_scale = c.video_stg;
    if (given("--video-rescale-scale")) p.video_guider.rescale_scale = c.video_rescale;
    if (given("--video-modality-scale")) p.video_guider.modality_scale = c.video_modality;
    if (given("--audio-path")) p.audio.path = c.audio_path;
    if (given("--audio-start-time")) p.audio.start_time = c.audio_start_time;
    if (given("--audio-max-duration")) p.audio.max_duration = c.audio_max_duration;
    if (given("--video-stg-blocks")) p.video_guider.stg_blocks = c.video_stg_blocks;
    if (given("--audio-cfg-guidance-scale")) p.audio_guider.cfg_scale = c.audio_cfg;
    if (given("--audio-stg-guidance-scale")) p.audio_guider.stg_scale = c.audio_stg;
    if (given("--audio-rescale-scale")) p.audio_guider.rescale_scale = c.audio_rescale;
    if (given("--audio-modality-scale")) p.audio_guider.modality_scale = c.audio_modality;
    if (given("--audio-stg-blocks")) p.audio_guider.stg_blocks = c.audio_stg_blocks;
    for (const auto& values : c.images) p.images.push_back(parse_image_condition(values));
    // PATH[:STRENGTH], strength 1 by default.
    auto path_strength = [](const std::string& spec, const char* option) {
        const auto [path, n] = split_path_numbers(spec, 1, option);
        return std::pair{path, n.empty() ? 1.0 : n[0]};
    };
    for (const auto& spec : c.loras) {
        const auto [path, strength] = path_strength(spec, "--lora");
        p.loras.push_back({path, strength});
    }
    for (const auto& spec : c.videos) {
        const auto [path, strength] = path_strength(spec, "--video-conditioning");
        p.video_conditioning.push_back({path, strength});
    }
    for (const auto& spec : c.distilled_loras) {
        const auto [path, strength] = path_strength(spec, "--distilled-lora");
        p.distilled_loras.push_back({path, strength});
    }
    r.output = c.output;
    r.frames_dir = c.frames_dir;
    r.audio_out = c.audio_out;
    r.thumbnail_out = c.thumbnail;
    if (c.sidecar) {
        if (c.output.empty())
            fail("--sidecar: the record is written beside the MP4 as OUTPUT.json; give -o/--output FILE.mp4");
        r.sidecar_out = sidecar_path(c.output);
    }
    r.crf = c.crf;
    r.preset = c.preset;
    return r;
}

void apply_model_file_options(const CLI::App& app, const GenerationCli& c, app::ModelLocateRequest& models) {
    models.precision = app::parse_checkpoint_precision(c.checkpoint_precision);
    if (app.count("--demo") > 0) {
        if (!c.model_dir.empty()) fail("give either --demo or --model-dir, not both");
        const DemoRelease release = parse_demo_release(c.demo);
        const std::string dir = ensure_demo_model(default_demo_model_dir(release), release);
        models.model_dir = dir;
        // Only the ic-lora pipeline looks for an IC-LoRA; the demo has one so that it runs without --ic-lora.
        models.default_ic_lora = std::filesystem::path(dir) / demo_ic_lora_file(release);
        models.default_ic_lora_origin = "the demo model";
    } else if (!c.model_dir.empty()) {
        models.model_dir = c.model_dir;
    }
    auto set_path = [](std::optional<std::filesystem::path>& slot, const std::string& value) {
        if (!value.empty()) slot = value;
    };
    app::ExplicitModelPaths& paths = models.explicit_paths;
    set_path(paths.checkpoint, c.checkpoint);
    set_path(paths.transformer, c.transformer);
    set_path(paths.text_projection, c.text_projection);
    set_path(paths.video_vae, c.video_vae);
    set_path(paths.audio_vae, c.audio_vae);
    set_path(paths.duration_head, c.duration_head);
    set_path(paths.gemma, c.gemma);
    set_path(paths.spatial_upsampler, c.upsampler);
    set_path(paths.ic_lora, c.ic_lora);
    if (!c.spatial_upscale.empty())
        models.spatial_upscale = parse_spatial_upscale(c.spatial_upscale, app::kSpatialUpscaleOption);
    if (!c.distilled_loras.empty())
        paths.distilled_lora = split_path_numbers(c.distilled_loras.front(), 1, "--distilled-lora").first;
}

void apply_model_options(const CLI::App& app, const GenerationCli& c, GenerateRequest& r) {
    apply_model_file_options(app, c, r.models);
    if (c.precision == "bf16") r.precision = Precision::BF16;
    else if (c.precision == "f32") r.precision = Precision::F32;
    else fail("--precision {}: expected bf16 or f32", c.precision);
    if (app.count("--memory-budget") > 0)
        app::check_number_in_range(c.memory_budget, "--memory-budget", 0.001, 1 << 20, "GiB the generation may use");
    r.memory_budget_gib = c.memory_budget;
    if (c.threads < 0 || c.threads > app::max_thread_count())
        fail("--threads {}: expected a number of threads from 1 to {} (4x the {} hardware threads, at most 1024)",
             c.threads, app::max_thread_count(), std::thread::hardware_concurrency());
}

}  // namespace ltx2
