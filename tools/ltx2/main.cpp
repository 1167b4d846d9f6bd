// ltx2: prompt in, MP4 with synchronized video and audio out. Also `inspect` (describe a
// checkpoint) and `download` (fetch model files into the Hugging Face cache).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "app/demo_model.h"
#include "models/model_version.h"
#include "app/gemma_folder.h"
#include "app/generate.h"
#include "app/hub_download.h"
#include "core/error.h"
#include "io/gguf.h"
#include "io/safetensors.h"
#include "models/gemma3/gguf_weights.h"
#include "pipelines/model_files.h"
#include "kernels/cpu/cpu_common.h"
#include "ltx2/version.h"

namespace {

constexpr const char* kPipelineChoices = "distilled | one-stage | two-stage | keyframes | ic-lora | a2v | retake | "
                                         "retake-guided";

using namespace ltx2;

// Groups tensor names by their first two dotted components ("model.diffusion_model", "vae.decoder").
std::string component_of(const std::string& name) {
    auto first = name.find('.');
    if (first == std::string::npos) return name;
    auto second = name.find('.', first + 1);
    return second == std::string::npos ? name.substr(0, first) : name.substr(0, second);
}

// One tensor of a model file, as stored.
struct StoredTensor {
    std::string name, type;
    Shape shape;
};

// Every tensor of a .safetensors or .gguf file, and its `config` text (a GGUF's `ltx2.config`).
std::vector<StoredTensor> stored_tensors(const std::string& path, std::optional<std::string>& config,
                                         std::optional<std::string>& model_version, std::string& format) {
    std::vector<StoredTensor> out;
    if (is_gguf_path(path)) {
        const auto file = GgufFile::open(path);
        for (const auto& t : file->tensors()) out.push_back({t.name, std::string(ggml_type_name(t.type)), t.shape});
        auto text = [&](const char* key) -> std::optional<std::string> {
            return file->has_key(key) ? std::optional(file->get_string(key)) : std::nullopt;
        };
        config = text("ltx2.config");
        model_version = text("ltx2.model_version");
        const auto arch = text("general.architecture");
        format = fmt::format("GGUF v{}, architecture {}", file->version(), arch ? "'" + *arch + "'" : "not set");
        return out;
    }
    const auto file = SafetensorsFile::open(path);
    for (const auto& e : file->entries()) out.push_back({e.name, std::string(dtype_name(e.dtype)), e.shape});
    config = file->metadata_value("config");
    model_version = file->metadata_value("model_version");
    format = "safetensors";
    return out;
}

int inspect(const std::string& path, bool list_tensors) {
    std::optional<std::string> config, model_version;
    std::string format;
    const std::vector<StoredTensor> tensors = stored_tensors(path, config, model_version, format);
    struct Stats {
        size_t tensors = 0;
        uint64_t params = 0;
        std::map<std::string, size_t> types;
    };
    std::map<std::string, Stats> by_component;
    for (const StoredTensor& t : tensors) {
        auto& s = by_component[component_of(t.name)];
        s.tensors += 1;
        uint64_t n = 1;
        for (auto d : t.shape) n *= uint64_t(d);
        s.params += n;
        s.types[t.type] += 1;
    }
    std::printf("%s: %zu tensors (%s, header valid)\n", path.c_str(), tensors.size(), format.c_str());
    for (const auto& [name, s] : by_component) {
        std::printf("  %-40s %6zu tensors %16llu parameters  ", name.c_str(), s.tensors,
                    static_cast<unsigned long long>(s.params));
        for (const auto& [type, n] : s.types) std::printf(" %s:%zu", type.c_str(), n);
        std::printf("\n");
    }
    if (config) {
        auto json = nlohmann::json::parse(*config, nullptr, false);
        if (json.is_discarded()) {
            std::printf("  config: present but not valid JSON\n");
        } else {
            std::printf("  config sections:");
            for (auto it = json.begin(); it != json.end(); ++it) std::printf(" %s", it.key().c_str());
            std::printf("\n");
        }
    } else {
        std::printf("  no config metadata\n");
    }
    if (model_version) std::printf("  model_version: %s\n", model_version->c_str());
    try {
        const auto json = config ? nlohmann::json::parse(*config, nullptr, false) : nlohmann::json::object();
        if (config && !json.is_discarded())
            std::printf("  model: %s\n", model_semantics(model_version, json, path).name().c_str());
        else if (const auto generation = ltx_file_generation(path))
            std::printf("  model: %s (from its tensors)\n",
                        *generation == ModelGeneration::Ltx2_3 ? "LTX-2.3" : "LTX-2 (19B)");
    } catch (const Error& e) {
        std::printf("  model: not supported (%s)\n", e.what());
    }
    try {
        const std::vector<std::string> parts = describe_ltx_parts(path);
        if (parts.empty()) std::printf("  LTX parts: none (not an LTX model file)\n");
        for (const std::string& line : parts) std::printf("  LTX %s\n", line.c_str());
    } catch (const Error& e) {
        std::printf("  model: not supported (%s)\n", e.what());
    }
    if (list_tensors)
        for (const StoredTensor& t : tensors)
            std::printf("%s %s %s\n", t.name.c_str(), t.type.c_str(), shape_str(t.shape).c_str());
    return 0;
}

int download(const std::string& repo, std::vector<std::string> files, const std::string& revision) {
    app::HubDownloadRequest request;
    request.repo = repo;
    request.revision = revision;
    request.progress = [](const app::DownloadProgress& p) {
        std::fprintf(stderr, "\r%s: %.1f / %.1f MiB (%.1f MiB/s)\033[K", p.file.c_str(), double(p.bytes_done) / 1048576.0,
                     double(p.bytes_total) / 1048576.0, p.bytes_per_second / 1048576.0);
    };
    auto fetch = [&](std::vector<std::string> names) {
        request.files = std::move(names);
        auto got = app::hub_download(request);
        std::fprintf(stderr, "\n");
        for (const auto& f : got) std::printf("%s%s\n", f.path.string().c_str(), f.was_cached ? " (cached)" : "");
        return got;
    };
    if (!files.empty()) {
        fetch(files);
        return 0;
    }
    if (repo.rfind("google/gemma-3", 0) != 0)
        fail("download {}: name the files to fetch (e.g. ltx-2-19b-distilled.safetensors)", repo);
    // A whole Gemma folder: the small files first, then the shards its index lists.
    const auto small = fetch({"config.json", "tokenizer.json", "tokenizer_config.json", "model.safetensors.index.json"});
    fetch(app::safetensors_index_shards(small.back().path));
    return 0;
}

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

std::string read_text_file(const std::string& path, const char* option) {
    std::ifstream in(path, std::ios::binary);
    if (!in) fail("{} {}: cannot read the file", option, path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

struct Cli {
    std::string prompt, prompt_file, negative_prompt, negative_prompt_file;
    std::string pipeline = "distilled";
    int64_t width = 0, height = 0;
    std::string frames;
    double fps = 0;
    int steps = 0;
    uint64_t seed = 10;
    std::vector<std::string> images, loras, videos, distilled_loras;
    std::string output, frames_dir, audio_out;
    int threads = 0;
    std::string precision = "bf16", checkpoint_precision = "auto", progress = "auto";
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

void add_spatial_upscale_option(CLI::App& app, Cli& c) {
    app.add_option(app::kSpatialUpscaleOption, c.spatial_upscale,
                   "x2 | x1.5: which official spatial upsampler file to look for [x2] (LTX-2.3 has both)")
        ->group("Models");
}

void add_generation_options(CLI::App& app, Cli& c) {
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
    app.add_option("--fps", c.fps, "frame rate [24]")->group(gen);
    app.add_option("--steps", c.steps, "denoising steps of guided pipelines [40; LTX-2.3: 30]")->group(gen);
    app.add_option("-s,--seed", c.seed, "random seed (same seed, same output)")->group(gen)->capture_default_str();
    app.add_option("--image", c.images,
                   "PATH[:FRAME[:STRENGTH]] condition on an image at a frame (LTX-2: latent frame for most pipelines, "
                   "pixel frame for keyframes; LTX-2.3: pixel frame, images after frame 0 guide as keyframes), "
                   "strength 0..1 [0:1]; repeatable")
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
    app.add_option("-o,--output", c.output, "output MP4 (H.264 + AAC)")->group(out);
    app.add_option("--frames-dir", c.frames_dir, "also write every frame as PNG into this folder")->group(out);
    app.add_option("--audio-out", c.audio_out, "also write the audio as WAV")->group(out);
    app.add_option("--crf", c.crf, "H.264 quality, 0 (lossless) .. 51")->group(out)->capture_default_str();
    app.add_option("--preset", c.preset, "H.264 speed preset")->group(out)->capture_default_str();
    app.add_option("--progress", c.progress, "auto | plain | json | none")->group(out)->capture_default_str();
    app.add_option("--demo", c.demo,
                   "use the built-in tiny random-weight demo model (written on first use): --demo for LTX-2 (19B "
                   "layout), --demo 2.3 for LTX-2.3")
        ->expected(0, 1)
        ->group(models);
    app.add_option("--model-dir", c.model_dir, "folder with the LTX-2 files and a Gemma 3 folder")->group(models);
    app.add_option("--checkpoint", c.checkpoint, "LTX-2 / LTX-2.3 single-file checkpoint (.safetensors, bf16 or fp8)")
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
    app.add_option("--gemma", c.gemma, "Gemma 3 12B folder (config.json, tokenizer.json, shards) or a llama.cpp GGUF")->group(models);
    app.add_option("--spatial-upsampler", c.upsampler,
                   "ltx-2-spatial-upscaler-x2-1.0.safetensors; an x1.5 one (its config says so) makes the pipelines "
                   "that upsample start at 2/3 of the size instead of half")
        ->group(models);
    add_spatial_upscale_option(app, c);
    app.add_option("--distilled-lora", c.distilled_loras, "PATH[:STRENGTH] distilled LoRA of two-stage pipelines")
        ->group(models);
    app.add_option("--ic-lora", c.ic_lora, "IC-LoRA file (ic-lora pipeline)")->group(models);
    app.add_option("--checkpoint-precision", c.checkpoint_precision, "auto | bf16 | fp8 (which checkpoint to look for)")
        ->group(models)
        ->capture_default_str();
    app.add_option("--precision", c.precision, "compute precision: bf16 | f32")->group(models)->capture_default_str();
    app.add_option("-t,--threads", c.threads, "CPU threads [all cores]")->group(models);
    app.add_option("--memory-budget", c.memory_budget, "GiB the generation may use [90% of available memory]")
        ->group(models);
}

GenerateRequest build_request(const CLI::App& app, const Cli& c) {
    GenerateRequest r;
    r.pipeline = parse_pipeline_kind(c.pipeline);
    auto given = [&](const char* name) { return app.count(name) > 0; };

    if (!c.prompt_file.empty()) r.prompt = read_text_file(c.prompt_file, "--prompt-file");
    if (given("--prompt")) {
        if (!c.prompt_file.empty()) fail("give either --prompt or --prompt-file, not both");
        r.prompt = c.prompt;
    }
    if (!given("--prompt") && c.prompt_file.empty()) fail("no prompt: give -p/--prompt TEXT or --prompt-file FILE");
    if (!c.negative_prompt_file.empty()) r.negative_prompt = read_text_file(c.negative_prompt_file, "--negative-prompt-file");
    if (given("--negative-prompt")) r.negative_prompt = c.negative_prompt;
    r.enhance_prompt = c.enhance_prompt;
    r.prompt_enhancer_gemma = c.prompt_enhancer_gemma;
    r.enhance_max_tokens = c.enhance_max_tokens;
    r.enhance_greedy = c.enhance_greedy;

    GenerationParams& p = r.params;
    p = default_generation_params(r.pipeline);
    const bool demo = given("--demo");
    if (demo) {  // small defaults so the demo runs in seconds; the tiny transformer has 2 blocks
        p.width = upsamples(r.pipeline) ? 192 : 96;
        p.height = upsamples(r.pipeline) ? 128 : 64;
        p.num_frames = 25;
        p.num_inference_steps = 8;
        p.video_guider.stg_blocks = {1};
        p.audio_guider.stg_blocks = {1};
    }
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
    p.seed = c.seed;
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
    for (const auto& spec : c.images) {
        const auto [path, n] = split_path_numbers(spec, 2, "--image");
        ImageCondition image{path, 0, 1.0};
        if (n.size() >= 1) {
            if (n[0] != std::floor(n[0])) fail("--image '{}': frame index {} is not a whole number", spec, n[0]);
            image.frame_idx = int64_t(n[0]);
        }
        if (n.size() >= 2) image.strength = n[1];
        p.images.push_back(image);
    }
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

    r.models.precision = app::parse_checkpoint_precision(c.checkpoint_precision);
    if (demo) {
        if (!c.model_dir.empty()) fail("give either --demo or --model-dir, not both");
        const DemoRelease release = parse_demo_release(c.demo);
        r.models.model_dir = ensure_demo_model(default_demo_model_dir(release), release);
    } else if (!c.model_dir.empty()) {
        r.models.model_dir = c.model_dir;
    }
    if (!c.checkpoint.empty()) r.models.explicit_paths.checkpoint = c.checkpoint;
    auto set_path = [](std::optional<std::filesystem::path>& slot, const std::string& value) {
        if (!value.empty()) slot = value;
    };
    set_path(r.models.explicit_paths.transformer, c.transformer);
    set_path(r.models.explicit_paths.text_projection, c.text_projection);
    set_path(r.models.explicit_paths.video_vae, c.video_vae);
    set_path(r.models.explicit_paths.audio_vae, c.audio_vae);
    set_path(r.models.explicit_paths.duration_head, c.duration_head);
    if (!c.gemma.empty()) r.models.explicit_paths.gemma = c.gemma;
    if (!c.upsampler.empty()) r.models.explicit_paths.spatial_upsampler = c.upsampler;
    if (!c.spatial_upscale.empty())
        r.models.spatial_upscale = parse_spatial_upscale(c.spatial_upscale, app::kSpatialUpscaleOption);
    if (!c.ic_lora.empty()) r.models.explicit_paths.ic_lora = c.ic_lora;
    if (!p.distilled_loras.empty()) r.models.explicit_paths.distilled_lora = p.distilled_loras.front().path;

    if (c.precision == "bf16") r.precision = Precision::BF16;
    else if (c.precision == "f32") r.precision = Precision::F32;
    else fail("--precision {}: expected bf16 or f32", c.precision);
    r.memory_budget_gib = c.memory_budget;
    r.output = c.output;
    r.frames_dir = c.frames_dir;
    r.audio_out = c.audio_out;
    r.crf = c.crf;
    r.preset = c.preset;
    if (c.threads < 0) fail("--threads {}: expected a positive number", c.threads);
    return r;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"ltx2.cpp: Lightricks LTX-2 video + audio generation, native C++.\n\n"
                 "  ltx2 -p \"a cat playing the piano\" -o cat.mp4          (models from --model-dir or the HF cache)\n"
                 "  ltx2 --demo -p \"a cat\" --frames 25 -o demo.mp4        (built-in tiny model, seconds)\n"
                 "  ltx2 --demo 2.3 -p \"a cat\" --frames 17 -o demo.mp4    (the same in the LTX-2.3 layout)\n"
                 "  ltx2 --demo 2.3 --pipeline a2v --audio-path song.mp3 -p \"a singer\" -f 17 -o a2v.mp4\n"
                 "  ltx2 --demo 2.3 --pipeline retake --video-path a2v.mp4 --start-time 0.2 --end-time 0.5 -p \"a "
                 "dog\" -o retake.mp4\n"
                 "  ltx2 download Lightricks/LTX-2 ltx-2-19b-distilled.safetensors\n",
                 "ltx2"};
    app.set_version_flag("--version", "ltx2 " LTX2_VERSION_STRING);
    app.require_subcommand(0, 1);
    Cli cli;
    add_generation_options(app, cli);

    std::string inspect_path;
    bool list = false;
    auto* inspect_cmd = app.add_subcommand(
        "inspect", "validate a model file (.safetensors or .gguf) and say which LTX parts it holds, of which release");
    inspect_cmd->add_option("file", inspect_path, "path to a .safetensors or .gguf file")->required();
    inspect_cmd->add_flag("--tensors", list, "also list every tensor with dtype and shape");

    std::string repo, revision = "main";
    std::vector<std::string> files;
    auto* download_cmd =
        app.add_subcommand("download", "fetch model files into the Hugging Face cache (resumable, checked)");
    download_cmd->add_option("repo", repo, "repository, e.g. Lightricks/LTX-2 or google/gemma-3-12b-it")->required();
    download_cmd->add_option("files", files, "files to fetch (a Gemma repository: all of it when none are named)");
    download_cmd->add_option("--revision", revision, "branch, tag or commit")->capture_default_str();

    auto* locate_cmd = app.add_subcommand(
        "locate", "show which model files the pipeline would use (exit 0: all found, 3: something missing)");
    locate_cmd->add_option("--pipeline", cli.pipeline, kPipelineChoices)
        ->capture_default_str();
    locate_cmd->add_option("--model-dir", cli.model_dir, "folder with the LTX-2 files and a Gemma 3 folder");
    locate_cmd->add_option("--checkpoint-precision", cli.checkpoint_precision, "auto | bf16 | fp8")
        ->capture_default_str();
    add_spatial_upscale_option(*locate_cmd, cli);

    if (argc == 1) {
        std::fprintf(stderr, "%s", app.help().c_str());
        return 2;
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e) == 0 ? 0 : 2;
    }
    try {
        if (*inspect_cmd) return inspect(inspect_path, list);
        if (*download_cmd) return download(repo, files, revision);
        if (*locate_cmd) {
            app::ModelLocateRequest request;
            request.pipeline = parse_pipeline_kind(cli.pipeline);
            request.precision = app::parse_checkpoint_precision(cli.checkpoint_precision);
            if (!cli.model_dir.empty()) request.model_dir = cli.model_dir;
            if (!cli.spatial_upscale.empty())
                request.spatial_upscale = parse_spatial_upscale(cli.spatial_upscale, app::kSpatialUpscaleOption);
            try {
                std::printf("%s", app::locate_models(request).describe().c_str());
            } catch (const Error& e) {
                std::fprintf(stderr, "%s\n", e.what());
                return 3;
            }
            return 0;
        }
        ProgressReporter progress(parse_progress_style(cli.progress));
        GenerateRequest request = build_request(app, cli);
        if (cli.threads > 0) set_kernel_threads(cli.threads);
        const GenerateResult result = generate(std::move(request), progress);
        progress.finish(fmt::format("{} ({} frames {}x{}, {:.2f} s of audio)",
                                    cli.output.empty() ? (cli.frames_dir.empty() ? cli.audio_out : cli.frames_dir)
                                                       : cli.output,
                                    result.frames, result.width, result.height,
                                    double(result.audio_samples) / result.audio_sample_rate));
        return 0;
    } catch (const Error& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
}
