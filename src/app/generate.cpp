#include "app/generate.h"

#include <unistd.h>

#include <fmt/ranges.h>

#include <cmath>
#include <filesystem>

#include "app/encoder_settings.h"
#include "app/generation_record.h"
#include "app/sidecar.h"
#include "app/input_audio.h"
#include "app/output_checks.h"
#include "app/memory_estimate.h"
#include "app/retake_source.h"
#include "app/gemma_folder.h"
#include "core/cancellation.h"
#include "core/error.h"
#include "core/regular_file.h"
#include "core/log.h"
#include "core/memory_stats.h"
#include "io/media/image_io.h"
#include "io/media/mp4_writer.h"
#include "io/media/video_reader.h"
#include "io/sibling_temp.h"
#include "io/wav.h"
#include "io/weight_store.h"
#include "models/audio_vae/model.h"
#include "models/gemma3/gguf_weights.h"
#include "models/gemma3/prompt_tokens.h"
#include "models/video_vae/model.h"
#include "models/video_vae/tiling.h"
#include "models/vocoder/model.h"
#include "models/upsampler/model.h"
#include "pipelines/media_preprocess.h"
#include "pipelines/model_files.h"
#include "pipelines/model_loading.h"
#include "pipelines/output_decoding.h"
#include "pipelines/output_stage.h"
#include "pipelines/pipelines.h"
#include "pipelines/prompt_enhancement.h"
#include "pipelines/text_encoding.h"

namespace ltx2 {

namespace fs = std::filesystem;

const char* const kDefaultNegativePrompt =
    "blurry, out of focus, overexposed, underexposed, low contrast, washed out colors, excessive noise, "
    "grainy texture, poor lighting, flickering, motion blur, distorted proportions, unnatural skin tones, "
    "deformed facial features, asymmetrical face, missing facial features, extra limbs, disfigured hands, "
    "wrong hand count, artifacts around text, inconsistent perspective, camera shake, incorrect depth of "
    "field, background too sharp, background clutter, distracting reflections, harsh shadows, inconsistent "
    "lighting direction, color banding, cartoonish rendering, 3D CGI look, unrealistic materials, uncanny "
    "valley effect, incorrect ethnicity, wrong gender, exaggerated expressions, wrong gaze direction, "
    "mismatched lip sync, silent or muted audio, distorted voice, robotic voice, echo, background noise, "
    "off-sync audio, incorrect dialogue, added dialogue, repetitive speech, jittery movement, awkward "
    "pauses, incorrect timing, unnatural transitions, inconsistent framing, tilted camera, flat lighting, "
    "inconsistent tone, cinematic oversaturation, stylized filters, or AI artifacts.";

namespace {

// Activations of a denoising step at the sizes people run on CPUs (a few thousand tokens) stay
// well within this; the rest of the budget may hold transformer weights.
constexpr double kActivationReserveBytes = 2.0 * 1024 * 1024 * 1024;

// The models that run only after denoising (upsampler, video and audio decoders, vocoder) are
// loaded once before any model work and dropped again (their pages stay cached for the real load):
// a missing, misshapen or non-finite tensor then stops the run in seconds, not after denoising.
// Models a server keeps loaded were checked when they loaded.
void check_late_models(const GenerateRequest& r, const app::LocatedModels& models, const LtxModelFiles& ltx,
                       const LtxFilePaths& paths, const ModelCache* kept) {
    const auto check = [&](const char* name, LtxPart part, auto load) {
        if (kept && kept->holds(fmt::format("{}|{}", name, ltx_files_key(paths)))) return;
        (void)load(ltx.open(part));
    };
    if (upsamples(r.pipeline) && models.spatial_upsampler)
        (void)LatentUpsampler::load(WeightStore::open(models.spatial_upsampler->path.string(), ""));
    check("video-decoder", LtxPart::VideoVae, [](const WeightStore& vae) { return VideoDecoder::load(vae); });
    if (r.pipeline == PipelineKind::AudioToVideo) return;  // its MP4 carries the input audio
    check("audio-decoder", LtxPart::AudioVae, [](const WeightStore& vae) { return AudioDecoder::load(vae); });
    check("vocoder", LtxPart::Vocoder, [](const WeightStore& store) { return Vocoder::load(store); });
}

// A budget the video decode or the sizes cannot fit fails before any model work, not after
// denoising (the decode tiling depends only on the latent grid; 128 is the VAE's latent width).
// Memory that kept models hold (r.releasable_bytes) does not count: they are released first.
void check_fits_memory(const GenerateRequest& r) {
    const GenerationParams& p = r.params;
    const double budget = app::memory_budget_bytes(r.memory_budget_gib);
    const double resident = std::max(double(current_rss_bytes()) - r.releasable_bytes, 0.0);
    try {
        (void)video_decode_tiling({1, 128, latent_frame_count(p.num_frames), p.height / 32, p.width / 32}, budget,
                                  resident);
    } catch (const Error& e) {
        fail("--memory-budget {:.3g} GiB is too small for this video: {}", budget / 1073741824.0, e.what());
    }
    app::check_fits_memory_budget(p, r.memory_budget_gib, resident);
}

void check_readable_file(const std::string& path, const char* option) {
    if (const auto problem = regular_file_problem(path)) fail("{} {}: {}", option, path, *problem);
    if (::access(path.c_str(), R_OK) != 0) fail("{} {}: the file is not readable", option, path);
}

// The reference takes distilled checkpoints only in the pipelines built for them
// (--distilled-checkpoint-path: distilled, ic-lora); the official files say so in their names.
void check_checkpoint_for_pipeline(const std::string& checkpoint, const ModelSemantics& model, PipelineKind pipeline) {
    if (!model.distilled_checkpoint_only_in_distilled_pipelines || !is_guided(pipeline)) return;
    const std::string name = fs::path(checkpoint).filename().string();
    if (name.find("distilled") == std::string::npos) return;
    fail("{}: an {} distilled checkpoint runs only with --pipeline distilled or ic-lora; the {} pipeline needs the "
         "dev checkpoint (ltx-2.3-22b-dev.safetensors)",
         checkpoint, model.name(), pipeline_name(pipeline));
}

void check_model_has_pipeline(const std::string& checkpoint, const ModelSemantics& model, PipelineKind pipeline) {
    if ((pipeline == PipelineKind::AudioToVideo || is_retake(pipeline)) && !model.has_a2v_and_retake_pipelines)
        fail("--pipeline {}: {} is {}, whose reference (Lightricks/LTX-2 @ 28c3c73) has no {} pipeline; use an "
             "LTX-2.3 checkpoint",
             pipeline_name(pipeline), checkpoint, model.name(),
             pipeline == PipelineKind::AudioToVideo ? "audio-to-video" : "retake");
}

// LTX-2.5 encodes prompts with its fine-tuned Gemma 4, which this build cannot run yet: stop
// before any model work rather than encode with the wrong text encoder.
void check_text_encoder_supported(const std::string& checkpoint, const ModelSemantics& model) {
    if (!model.gemma4_text_encoder) return;
    fail("{} is {}, whose prompts are encoded by Gemma 4 ({}); this build does not run Gemma 4 yet, so it cannot "
         "generate with LTX-2.5. Its transformer, distilled sampler and duration head are implemented and checked "
         "(ltx2-parity, the library); LTX-2 (19B) and LTX-2.3 checkpoints generate end to end",
         checkpoint, model.name(), model.gemma_version.empty() ? "gemma_source_checkpoint not given" : model.gemma_version);
}

// --prompt-enhancer-gemma must name a Gemma folder with all its files, or a .gguf file (its
// architecture is checked when its header is read, before any weights load).
void check_prompt_enhancer_path(const std::string& path) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
        if (!app::is_gemma_config(fs::path(path) / "config.json"))
            fail("--prompt-enhancer-gemma {}: no Gemma config.json in this folder; expected a Gemma 3 instruct model "
                 "(Hugging Face folder or llama.cpp .gguf)",
                 path);
        const std::vector<std::string> missing = app::gemma_folder_missing_files(path);
        if (!missing.empty())
            fail("--prompt-enhancer-gemma {}: the folder lacks {}", path, fmt::join(missing, ", "));
        return;
    }
    check_readable_file(path, "--prompt-enhancer-gemma");
    if (!is_gguf_path(path))
        fail("--prompt-enhancer-gemma {}: expected a Gemma 3 instruct model folder or a llama.cpp .gguf file", path);
}

// Gemma rewrites the prompt; the original prompt when it produced no text.
std::string enhanced_prompt(const GenerateRequest& r, const std::string& text_encoder_gemma,
                            ProgressReporter& progress) {
    PromptEnhancerSettings s;
    s.gemma = r.prompt_enhancer_gemma.empty() ? text_encoder_gemma : r.prompt_enhancer_gemma;
    s.mode = r.params.images.empty() ? EnhanceMode::TextToVideo : EnhanceMode::ImageToVideo;
    s.max_new_tokens = r.enhance_max_tokens;
    s.greedy = r.enhance_greedy;
    s.seed = r.params.seed;
    s.precision = r.precision;
    if (s.mode == EnhanceMode::ImageToVideo)
        warn("--enhance-prompt with --image: Gemma here has no vision tower, so the enhancer does not see the image; "
             "it is told the clip starts from an image it cannot see and writes motion, camera and sound from your "
             "prompt alone");
    progress.begin("enhance prompt", s.gemma);
    const EnhancedPrompt e = enhance_prompt(r.prompt, s);
    progress.note(fmt::format("{} tokens in {:.1f} s ({:.2f} tokens/s), {}, ended by the {}", e.new_tokens, e.seconds,
                              e.new_tokens / std::max(e.seconds, 1e-9),
                              e.sampling.greedy ? "greedy"
                                                : fmt::format("sampled: temperature {}, top-k {}, top-p {}, seed {}",
                                                              e.sampling.temperature, e.sampling.top_k,
                                                              e.sampling.top_p, r.params.seed),
                              stop_reason_name(e.stopped_by)));
    if (e.text.empty()) {
        warn("the prompt enhancer produced no text ({} tokens decoded to '{}'); generating from the original prompt",
             e.new_tokens, e.raw);
        progress.end();
        return r.prompt;
    }
    progress.note("enhanced prompt: " + e.text);
    progress.end();
    return e.text;
}

// The factor of the spatial upsampler file (its config decides), which must be the one asked
// for with --spatial-upscale when that was given.
SpatialUpscale located_upsampler_scale(const GenerateRequest& r, const app::LocatedModel& upsampler) {
    const SpatialUpscale scale = spatial_upsampler_scale(upsampler.path.string());
    const std::optional<SpatialUpscale>& asked = r.models.spatial_upscale;
    LTX2_CHECK(!asked || *asked == scale, "{} {}: an {} upsampler, but {} {} was asked for",
               app::kSpatialUpsamplerOption, upsampler.path.string(), scale.label(), app::kSpatialUpscaleOption,
               asked->label());
    return scale;
}

}  // namespace

bool uses_negative_prompt(const GenerateRequest& r) {
    // The a2v pipeline's audio guider is the default one (no CFG) whatever the audio options say.
    const bool audio_cfg = r.pipeline != PipelineKind::AudioToVideo && r.params.audio_guider.cfg_scale != 1.0;
    return is_guided(r.pipeline) && (r.params.video_guider.cfg_scale != 1.0 || audio_cfg);
}

void validate_generate_request(const GenerateRequest& r, const ModelSemantics& model) {
    validate_generation_params(r.pipeline, r.params, model);
    if (r.output.empty() && r.frames_dir.empty() && r.audio_out.empty() && r.thumbnail_out.empty() &&
        !r.decoded_in_result)
        fail("no output: give -o/--output FILE.mp4 (or --frames-dir DIR / --audio-out FILE.wav)");
    for (const auto& image : r.params.images) {
        check_readable_file(image.path, "--image");
        try {
            (void)read_image_size(image.path);  // a header claiming a huge picture is refused before decoding
        } catch (const Error& e) {
            fail("--image {}", e.what());
        }
    }
    for (const auto& video : r.params.video_conditioning) {
        check_readable_file(video.path, "--video-conditioning");
        (void)probe_video_header(video.path, "--video-conditioning");  // decodable, frame size bounded
    }
    for (const auto& lora : r.params.loras) check_readable_file(lora.path, "--lora");
    if (!r.params.audio.path.empty()) check_readable_file(r.params.audio.path, "--audio-path");
    if (!r.params.retake.video_path.empty()) check_readable_file(r.params.retake.video_path, "--video-path");
    app::check_encoder_settings(r.crf, r.preset);
    if (!(std::isfinite(r.memory_budget_gib) && r.memory_budget_gib >= 0))
        fail("--memory-budget {}: expected a positive number of GiB", r.memory_budget_gib);
    check_fits_memory(r);
    if (!r.prompt_enhancer_gemma.empty() && !r.enhance_prompt)
        fail("--prompt-enhancer-gemma {}: only used with --enhance-prompt", r.prompt_enhancer_gemma);
    if (r.enhance_prompt) {
        if (strip_python_whitespace(r.prompt).empty())
            fail("--enhance-prompt: the prompt is empty; there is nothing to enhance");
        if (r.enhance_max_tokens < 1)
            fail("--enhance-max-tokens {}: expected at least 1 token", r.enhance_max_tokens);
        if (!r.prompt_enhancer_gemma.empty()) check_prompt_enhancer_path(r.prompt_enhancer_gemma);
    }
}

namespace {

// What generation needs before any weights load: the model files, their semantics, the
// request completed with the model's defaults (and a retake's source properties) and checked.
struct PreparedGeneration {
    app::LocatedModels models;
    LtxFilePaths ltx_paths;
    std::optional<LtxModelFiles> ltx;
    ModelSemantics model;
    std::optional<VideoFileInfo> retake_source;
};

PreparedGeneration prepare_generation(GenerateRequest& r, ProgressReporter& progress) {
    PreparedGeneration g;
    progress.begin("resolve models");
    r.models.pipeline = r.pipeline;
    g.models = app::locate_models(r.models);
    const app::LocatedModels& models = g.models;
    progress.note(models.describe());
    progress.end();
    if (models.distilled_lora && r.params.distilled_loras.empty())
        r.params.distilled_loras.push_back({models.distilled_lora->path.string(), 1.0});
    if (models.ic_lora && r.params.loras.empty()) r.params.loras.push_back({models.ic_lora->path.string(), 1.0});
    const app::ExplicitModelPaths& given = r.models.explicit_paths;
    auto given_path = [](const std::optional<fs::path>& p) { return p ? p->string() : std::string(); };
    g.ltx_paths = {models.checkpoint ? models.checkpoint->path.string() : "", given_path(given.transformer),
                   given_path(given.text_projection), given_path(given.video_vae), given_path(given.audio_vae),
                   given_path(given.duration_head)};
    g.ltx = LtxModelFiles::resolve(g.ltx_paths);
    const LtxModelFiles& ltx = *g.ltx;
    if (!models.checkpoint) progress.note(ltx.describe());
    g.model = ltx.semantics();
    const ModelSemantics& model = g.model;
    check_checkpoint_for_pipeline(ltx.path(LtxPart::Transformer), model, r.pipeline);
    check_model_has_pipeline(ltx.path(LtxPart::Transformer), model, r.pipeline);
    // As in the official CLI, a model with a duration head predicts the length unless told.
    if (model.has_duration_head && !r.num_frames_given && !is_retake(r.pipeline)) r.auto_num_frames = true;
    if (r.auto_num_frames && !model.has_duration_head)
        fail("--frames auto: {} is {}, which has no duration head to predict the length from the prompt (LTX-2.5 "
             "checkpoints do); give the number of frames, e.g. --frames 121",
             ltx.path(LtxPart::Transformer), model.name());
    if (r.auto_num_frames && !ltx.has(LtxPart::DurationHead))
        fail("--frames auto{}: no model file holds the duration head of {} (duration_head.*): give {} "
             "model_patches/ltx-2.5-duration-head-bf16.safetensors, or the number of frames, e.g. --frames 121",
             r.num_frames_given ? "" : " (the default for a model with a duration head)", model.name(),
             kDurationHeadOption);
    check_text_encoder_supported(ltx.path(LtxPart::Transformer), model);
    apply_model_defaults(r.params, model, r.explicit_params);
    if (is_retake(r.pipeline)) {
        g.retake_source = apply_retake_source(r.pipeline, r.params);
        const RetakeOptions& rt = r.params.retake;
        progress.note(fmt::format("retake [{}, {}) s of {} ({}x{}, {} frames at {:.4g} fps): {} regenerated",
                                  rt.start_time, rt.end_time, rt.video_path, r.params.width, r.params.height,
                                  r.params.num_frames, r.params.frame_rate,
                                  !rt.regenerate_audio ? "the video"
                                  : !rt.regenerate_video ? "the audio"
                                                         : "video and audio"));
    }
    if (models.spatial_upsampler) r.params.spatial_upscale = located_upsampler_scale(r, *models.spatial_upsampler);
    progress.note(model.name());
    validate_generate_request(r, model);
    check_generation_outputs(r, g.models);
    return g;
}

}  // namespace

void check_generate_request(GenerateRequest request) {
    ProgressReporter quiet(ProgressStyle::Quiet);
    (void)prepare_generation(request, quiet);
}

size_t kept_models_capacity_bytes(double memory_budget_gib) {
    return size_t(std::max(app::memory_budget_bytes(memory_budget_gib) - kActivationReserveBytes, 0.0));
}

GenerateResult generate(GenerateRequest r, ProgressReporter& progress, const CancellationToken& cancel,
                        ModelCache* kept_models) {
    if (kept_models) r.releasable_bytes = double(kept_models->stats().held_bytes);
    const GenerateRequest asked = r;  // the sidecar's arguments name the LoRAs as given
    const PreparedGeneration prepared = prepare_generation(r, progress);
    if (r.seed_drawn)
        progress.note(fmt::format("seed {} (drawn at random; --seed {} repeats this run)", r.params.seed, r.params.seed));
    const app::LocatedModels& models = prepared.models;
    const LtxFilePaths& ltx_paths = prepared.ltx_paths;
    const LtxModelFiles& ltx = *prepared.ltx;
    const ModelSemantics& model = prepared.model;
    const std::optional<VideoFileInfo>& retake_source = prepared.retake_source;
    // Every stage starts only while the generation is still wanted.
    auto begin = [&](const std::string& stage, const std::string& detail = "") {
        cancel.throw_if_cancelled();
        progress.begin(stage, detail);
    };
    const double budget = app::memory_budget_bytes(r.memory_budget_gib);
    begin("check decoders");
    check_late_models(r, models, ltx, ltx_paths, kept_models);
    progress.end();

    const VideoEncoderFn encode_media = [&](const EncodeRequest& e) {
        begin("encode " + std::string(media_kind_name(e.kind)), e.path);
        const Tensor pixels = e.kind == MediaKind::Image
                                  ? load_image_conditioning(e.path, e.height, e.width, model.default_image_crf)
                                  : load_video_conditioning(e.path, e.height, e.width, e.frame_cap.value_or(0));
        const auto encoder = load_ltx_model_through<VideoEncoder>(
            kept_models, ltx, ltx_paths, "video-encoder", LtxPart::VideoVae, "encoder.",
            [](const WeightStore& vae) { return VideoEncoder::load(vae); });
        Tensor latent = encoder->encode(pixels, {}, VideoEncoder::FrameCount::CropLikeReference);
        progress.end();
        return latent;
    };

    Tensor source_video, source_audio;  // retake
    if (retake_source) {
        const GenerationParams& p = r.params;
        begin("encode video", p.retake.video_path);
        source_video = encode_retake_source_video(p, ltx.open(LtxPart::VideoVae));
        progress.end();
        if (retake_source->has_audio) {
            begin("encode audio", p.retake.video_path);
            source_audio = encode_retake_source_audio(p, ltx.open(LtxPart::AudioVae), r.precision);
            progress.end();
        } else {
            progress.note(p.retake.video_path + " has no audio track: the retake generates the whole audio");
        }
        if (r.precision == Precision::BF16) {  // the reference holds the source latents in the pipeline's dtype
            source_video = source_video.to(DType::BF16).to(DType::F32);
            if (source_audio.defined()) source_audio = source_audio.to(DType::BF16).to(DType::F32);
        }
    }

    std::optional<InputAudio> input_audio;
    Tensor audio_latent;
    if (r.pipeline == PipelineKind::AudioToVideo) {
        begin("encode audio", r.params.audio.path);
        input_audio = read_input_audio(r.params, ltx.open(LtxPart::AudioVae));
        audio_latent = encode_input_audio(*input_audio, r.params, ltx.open(LtxPart::AudioVae), r.precision);
        progress.end();
    }
    GenerateResult result;
    if (r.enhance_prompt) result.enhanced_prompt = enhanced_prompt(r, models.gemma->path.string(), progress);

    // Text: Gemma for every prompt, released, then the projection stack.
    std::vector<std::string> prompts{r.enhance_prompt ? result.enhanced_prompt : r.prompt};
    std::vector<EmptyPrompt> empty{EmptyPrompt::Reject};
    if (uses_negative_prompt(r)) {
        prompts.push_back(r.negative_prompt.value_or(kDefaultNegativePrompt));
        empty.push_back(EmptyPrompt::Allow);  // as the reference: an empty negative prompt is <bos> alone
    }
    begin("encode text", fmt::format("{} prompt{}", prompts.size(), prompts.size() > 1 ? "s" : ""));
    TextEncodingOptions text_options;
    text_options.precision = r.precision;
    text_options.empty_prompts = empty;
    text_options.cache = kept_models;
    const std::vector<EncodedPrompt> encoded =
        encode_prompts({models.gemma->path.string(), "", ltx_paths}, prompts, text_options);
    progress.end();

    PipelineInputs inputs;
    inputs.frozen_audio = audio_latent;
    inputs.source_video = std::move(source_video);
    inputs.source_audio = std::move(source_audio);
    inputs.text.video_positive = encoded[0].video_context;
    inputs.text.audio_positive = encoded[0].audio_context;
    if (encoded.size() > 1) {
        inputs.text.video_negative = encoded[1].video_context;
        inputs.text.audio_negative = encoded[1].audio_context;
    }
    // The transformer's weights get the budget less room for activations; beyond it, blocks stream.
    const size_t weight_budget = size_t(std::max(budget - kActivationReserveBytes, 0.5 * budget));
    inputs.transformer = [&progress, &begin, budget, kept_models,
                          load = checkpoint_transformer_provider(ltx_paths, r.precision, weight_budget, kept_models)](
                             const TransformerRequest& request) {
        begin("load transformer", request.loras.empty()
                                      ? request.stage
                                      : fmt::format("{}, {} LoRA(s) fused", request.stage, request.loras.size()));
        const uint64_t kept_before = kept_models ? kept_models->stats().hits : 0;
        auto model = load(request);
        if (kept_models && kept_models->stats().hits > kept_before) progress.note("transformer kept loaded");
        if (model->streams_blocks())
            progress.note(fmt::format("transformer blocks stream from disk within the {:.1f} GiB budget{}",
                                      budget / 1073741824.0,
                                      model->releases_blocks() ? " (each block released after use)" : ""));
        progress.end();
        return model;
    };
    inputs.encode = encode_media;
    if (models.spatial_upsampler) {
        const WeightStore vae = ltx.open(LtxPart::VideoVae);
        const UpsampleFn upsample =
            file_upsampler(models.spatial_upsampler->path.string(), vae.get("per_channel_statistics.mean-of-means"),
                           vae.get("per_channel_statistics.std-of-means"), r.precision, kept_models);
        inputs.upsample = [&progress, &begin, upsample, label = "upsample " + r.params.spatial_upscale.label()](
                              const Tensor& latent) {
            begin(label);
            Tensor out = upsample(latent);
            progress.end();
            return out;
        };
    }

    PipelineHooks hooks;
    hooks.progress = [&](const std::string& stage, int step, int steps) {
        if (step == 0) begin("denoise " + stage, fmt::format("{} steps", steps));
        progress.step(stage, step, steps);
        if (step == steps) progress.end();
        cancel.throw_if_cancelled();
    };
    const PipelineResult latents = generate_latents(r.pipeline, r.params, model, inputs, hooks);
    inputs = {};

    // The file carries the exact rate (the source's for a retake; 30000/1001 for --fps 29.97),
    // where the reference writes int(fps); the model saw the rate as the reference gives it.
    const FrameRate output_fps = retake_source ? FrameRate{retake_source->fps_num, retake_source->fps_den}
                                               : FrameRate::exact(r.params.frame_rate);
    OutputStage output_stage;
    output_stage.ltx = &ltx;
    output_stage.paths = &ltx_paths;
    output_stage.cache = kept_models;
    output_stage.budget_bytes = budget;
    output_stage.begin = begin;
    output_stage.end = [&] { progress.end(); };
    output_stage.note = [&](const std::string& line) { progress.note(line); };
    const DecodedOutputs decoded =
        decode_outputs(latents, output_fps, input_audio ? input_audio->samples : Tensor(),
                       input_audio ? input_audio->sample_rate : 0, output_stage);
    const Tensor& frames = decoded.frames;
    const Tensor& waveform = decoded.waveform;
    result.frames = frames.size(0);
    result.height = frames.size(1);
    result.width = frames.size(2);
    result.audio_sample_rate = decoded.audio_sample_rate;
    result.audio_samples = waveform.size(1);
    result.fps = output_fps;
    result.model = model.name();
    result.model_version = model.version;
    if (r.decoded_in_result) {
        result.decoded_frames = frames;
        result.decoded_waveform = waveform;
    }

    begin("write outputs");
    if (!r.output.empty()) {
        Mp4Options options;
        options.fps = output_fps;
        options.crf = r.crf;
        options.preset = r.preset;
        options.metadata = generation_mp4_tags(r, model, result.enhanced_prompt);
        write_mp4(r.output, frames, AudioTrack{waveform, result.audio_sample_rate}, options);
    }
    if (!r.frames_dir.empty()) {  // written whole into a temp folder, so no earlier run's frames can mix in
        SiblingTemp folder(r.frames_dir, TempKind::Folder);
        write_png_frames(folder.path(), frames);
        folder.commit();
    }
    if (!r.thumbnail_out.empty()) write_png(r.thumbnail_out, frames.select(0, 0));
    if (!r.audio_out.empty()) write_wav(r.audio_out, waveform, result.audio_sample_rate, WavFormat::Pcm16);
    if (!r.sidecar_out.empty())
        write_sidecar(r.sidecar_out, {r, asked, model, models, ltx_paths, result});
    progress.end();
    // The up-front check covers what the sizes need; weights and decoders that must be resident may not fit.
    if (r.memory_budget_gib > 0 && double(peak_rss_bytes()) > budget)
        warn("--memory-budget {:.3g} GiB was exceeded: the run peaked at {:.2f} GiB resident (the sizes alone need "
             "{}; the rest are model weights and decoder working memory that cannot be made smaller)",
             r.memory_budget_gib, double(peak_rss_bytes()) / 1073741824.0,
             app::estimate_generation_memory(r.params).describe());
    return result;
}

}  // namespace ltx2
