#include "app/generate.h"

#include <unistd.h>

#include <fmt/ranges.h>

#include <cmath>
#include <filesystem>

#include "app/encoder_settings.h"
#include "app/input_audio.h"
#include "app/memory_estimate.h"
#include "app/retake_source.h"
#include "app/gemma_folder.h"
#include "core/cancellation.h"
#include "core/error.h"
#include "core/regular_file.h"
#include "core/log.h"
#include "ltx2/version.h"
#include "core/memory_stats.h"
#include "io/media/image_io.h"
#include "io/media/mp4_writer.h"
#include "io/wav.h"
#include "io/weight_store.h"
#include "models/audio_vae/model.h"
#include "models/gemma3/gguf_weights.h"
#include "models/gemma3/prompt_tokens.h"
#include "models/video_vae/model.h"
#include "models/video_vae/tiling.h"
#include "models/vocoder/model.h"
#include "pipelines/media_preprocess.h"
#include "pipelines/model_files.h"
#include "pipelines/model_loading.h"
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

// The video decoder's activations per decoded voxel (measured for the 19B decoder, see
// docs/PERFORMANCE.md, with margin).
constexpr double kDecoderBytesPerVoxel = 160;
// Activations of a denoising step at the sizes people run on CPUs (a few thousand tokens) stay
// well within this; the rest of the budget may hold transformer weights.
constexpr double kActivationReserveBytes = 2.0 * 1024 * 1024 * 1024;

// The reference's decode tiling, or a smaller one when that would not fit the budget next to
// `resident` bytes (second: whether it was reduced). Throws when no tiling fits.
std::pair<vae_tiling::TilingConfig, bool> video_decode_tiling(const Shape& latent_shape, double budget,
                                                               double resident) {
    const vae_tiling::TilingConfig reference = vae_tiling::TilingConfig::reference_default();
    const vae_tiling::TilePlan plan = vae_tiling::plan_tiles(latent_shape, reference);
    if (resident + kDecoderBytesPerVoxel * double(plan.max_tile_voxels()) <= budget) return {reference, false};
    vae_tiling::TilingRequest request;
    request.budget_bytes = budget;
    request.bytes_per_output_voxel = kDecoderBytesPerVoxel;
    request.resident_bytes = resident;
    return {vae_tiling::choose_tiling(latent_shape, request), true};
}

// A budget the video decode or the sizes cannot fit fails before any model work, not after
// denoising (the decode tiling depends only on the latent grid; 128 is the VAE's latent width).
void check_fits_memory(const GenerationParams& p, double memory_budget_gib) {
    const double budget = app::memory_budget_bytes(memory_budget_gib);
    const double resident = double(current_rss_bytes());
    try {
        (void)video_decode_tiling({1, 128, latent_frame_count(p.num_frames), p.height / 32, p.width / 32}, budget,
                                  resident);
    } catch (const Error& e) {
        fail("--memory-budget {:.3g} GiB is too small for this video: {}", budget / 1073741824.0, e.what());
    }
    app::check_fits_memory_budget(p, memory_budget_gib, resident);
}

// The folder an output goes into must exist and be writable; checked before any work starts.
void check_output_folder(const std::string& path, const char* option) {
    const fs::path parent = fs::path(path).parent_path().empty() ? fs::path(".") : fs::path(path).parent_path();
    std::error_code ec;
    if (!fs::is_directory(parent, ec))
        fail("{} {}: the folder {} does not exist", option, path, parent.string());
    if (::access(parent.c_str(), W_OK) != 0) fail("{} {}: the folder {} is not writable", option, path, parent.string());
    if (fs::is_directory(path, ec)) fail("{} {}: is a folder, expected a file name", option, path);
}

void check_readable_file(const std::string& path, const char* option) {
    if (const auto problem = regular_file_problem(path)) fail("{} {}: {}", option, path, *problem);
    if (::access(path.c_str(), R_OK) != 0) fail("{} {}: the file is not readable", option, path);
}

bool needs_negative_prompt(const GenerateRequest& r) {
    // The a2v pipeline's audio guider is the default one (no CFG) whatever the audio options say.
    const bool audio_cfg = r.pipeline != PipelineKind::AudioToVideo && r.params.audio_guider.cfg_scale != 1.0;
    return is_guided(r.pipeline) && (r.params.video_guider.cfg_scale != 1.0 || audio_cfg);
}

// The waveform as long as the video: the reference's audio latent length rounds the duration
// to 1/25 s and the vocoder adds edge samples, so its file's audio is a few ms off the video;
// we trim or pad with silence to exactly the video's duration in the file.
Tensor fit_to_video(const Tensor& waveform /*[2, N]*/, int64_t frames, FrameRate fps, int sample_rate) {
    const int64_t target = std::llround(double(frames) * fps.den * sample_rate / double(fps.num));
    const int64_t n = waveform.size(1);
    Tensor out = Tensor::zeros({2, target});
    const int64_t keep = std::min(n, target);
    for (int64_t c = 0; c < 2 && keep > 0; ++c)
        out.select(0, c).slice(0, 0, keep).copy_from(waveform.select(0, c).slice(0, 0, keep));
    return out;
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

// An output that is one of the inputs would destroy it; refused before any work.
void check_outputs_are_not_inputs(const GenerateRequest& r) {
    std::vector<std::pair<const char*, std::string>> inputs;
    for (const auto& image : r.params.images) inputs.emplace_back("--image", image.path);
    for (const auto& video : r.params.video_conditioning) inputs.emplace_back("--video-conditioning", video.path);
    for (const auto& lora : r.params.loras) inputs.emplace_back("--lora", lora.path);
    inputs.emplace_back("--audio-path", r.params.audio.path);
    inputs.emplace_back("--video-path", r.params.retake.video_path);
    const app::ExplicitModelPaths& m = r.models.explicit_paths;
    for (const auto& [option, path] :
         {std::pair{app::kCheckpointOption, m.checkpoint}, {kTransformerOption, m.transformer},
          {kTextProjectionOption, m.text_projection}, {kVideoVaeOption, m.video_vae}, {kAudioVaeOption, m.audio_vae},
          {kDurationHeadOption, m.duration_head}, {app::kGemmaOption, m.gemma},
          {app::kSpatialUpsamplerOption, m.spatial_upsampler}, {app::kDistilledLoraOption, m.distilled_lora},
          {app::kIcLoraOption, m.ic_lora}})
        if (path) inputs.emplace_back(option, path->string());
    for (const auto& [option, output] : {std::pair{"--output", r.output}, std::pair{"--audio-out", r.audio_out}}) {
        std::error_code ec;
        if (output.empty() || !fs::exists(output, ec)) continue;
        for (const auto& [input_option, input] : inputs) {
            std::error_code same_ec;
            if (!input.empty() && fs::equivalent(output, input, same_ec))
                fail("{} {}: is the input of {} {}; choose another output file so the input is not overwritten",
                     option, output, input_option, input);
        }
    }
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

void validate_generate_request(const GenerateRequest& r, const ModelSemantics& model) {
    validate_generation_params(r.pipeline, r.params, model);
    if (r.output.empty() && r.frames_dir.empty() && r.audio_out.empty() && r.thumbnail_out.empty())
        fail("no output: give -o/--output FILE.mp4 (or --frames-dir DIR / --audio-out FILE.wav)");
    if (!r.output.empty()) check_output_folder(r.output, "--output");
    if (!r.audio_out.empty()) check_output_folder(r.audio_out, "--audio-out");
    if (!r.thumbnail_out.empty()) check_output_folder(r.thumbnail_out, "thumbnail");
    if (!r.frames_dir.empty()) {
        std::error_code ec;
        if (!fs::is_directory(r.frames_dir, ec)) check_output_folder(r.frames_dir, "--frames-dir");  // created later
        else if (::access(r.frames_dir.c_str(), W_OK) != 0) fail("--frames-dir {}: the folder is not writable", r.frames_dir);
    }
    for (const auto& image : r.params.images) {
        check_readable_file(image.path, "--image");
        try {
            (void)read_image_size(image.path);  // a header claiming a huge picture is refused before decoding
        } catch (const Error& e) {
            fail("--image {}", e.what());
        }
    }
    for (const auto& video : r.params.video_conditioning) check_readable_file(video.path, "--video-conditioning");
    for (const auto& lora : r.params.loras) check_readable_file(lora.path, "--lora");
    if (!r.params.audio.path.empty()) check_readable_file(r.params.audio.path, "--audio-path");
    if (!r.params.retake.video_path.empty()) check_readable_file(r.params.retake.video_path, "--video-path");
    check_outputs_are_not_inputs(r);
    app::check_encoder_settings(r.crf, r.preset);
    if (!(std::isfinite(r.memory_budget_gib) && r.memory_budget_gib >= 0))
        fail("--memory-budget {}: expected a positive number of GiB", r.memory_budget_gib);
    check_fits_memory(r.params, r.memory_budget_gib);
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
    return g;
}

}  // namespace

void check_generate_request(GenerateRequest request) {
    ProgressReporter quiet(ProgressStyle::Quiet);
    (void)prepare_generation(request, quiet);
}

GenerateResult generate(GenerateRequest r, ProgressReporter& progress, const CancellationToken& cancel) {
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
    if (!r.frames_dir.empty()) fs::create_directories(r.frames_dir);
    const double budget = app::memory_budget_bytes(r.memory_budget_gib);

    const VideoEncoderFn encode_media = [&](const EncodeRequest& e) {
        begin("encode " + std::string(media_kind_name(e.kind)), e.path);
        const Tensor pixels = e.kind == MediaKind::Image
                                  ? load_image_conditioning(e.path, e.height, e.width, model.default_image_crf)
                                  : load_video_conditioning(e.path, e.height, e.width, e.frame_cap.value_or(0));
        const VideoEncoder encoder = VideoEncoder::load(ltx.open(LtxPart::VideoVae));
        Tensor latent = encoder.encode(pixels, {}, VideoEncoder::FrameCount::CropLikeReference);
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
    if (needs_negative_prompt(r)) {
        prompts.push_back(r.negative_prompt.value_or(kDefaultNegativePrompt));
        empty.push_back(EmptyPrompt::Allow);  // as the reference: an empty negative prompt is <bos> alone
    }
    begin("encode text", fmt::format("{} prompt{}", prompts.size(), prompts.size() > 1 ? "s" : ""));
    TextEncodingOptions text_options;
    text_options.precision = r.precision;
    text_options.empty_prompts = empty;
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
    inputs.transformer = [&progress, &begin, budget,
                          load = checkpoint_transformer_provider(ltx_paths, r.precision, weight_budget)](
                             const TransformerRequest& request) {
        begin("load transformer", request.loras.empty()
                                      ? request.stage
                                      : fmt::format("{}, {} LoRA(s) fused", request.stage, request.loras.size()));
        auto model = load(request);
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
                           vae.get("per_channel_statistics.std-of-means"), r.precision);
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

    Tensor frames;
    {
        begin("decode video", shape_str(latents.video_latent.shape()));
        const VideoDecoder decoder = VideoDecoder::load(ltx.open(LtxPart::VideoVae));
        const auto [tiling, reduced] =
            video_decode_tiling(latents.video_latent.shape(), budget, double(current_rss_bytes()));
        if (reduced) progress.note("video decode tiling for the memory budget: " + tiling.str());
        const Tensor video = vae_tiling::tiled_decode(latents.video_latent, tiling,
                                                      [&](const Tensor& tile) { return decoder.decode(tile); });
        frames = frames_to_uint8(video);
        progress.end();
    }
    result.frames = frames.size(0);
    result.height = frames.size(1);
    result.width = frames.size(2);

    // A retake keeps the source's exact frame rate (the reference writes int(fps), which only
    // differs for rates such as 30000/1001).
    const FrameRate output_fps = retake_source ? FrameRate{retake_source->fps_num, retake_source->fps_den}
                                               : FrameRate::reference(r.params.frame_rate);
    Tensor waveform;
    if (input_audio) {  // the input audio itself, as the reference returns it
        result.audio_sample_rate = input_audio->sample_rate;
        waveform = fit_to_video(input_audio->samples, result.frames, output_fps, result.audio_sample_rate);
    } else {
        begin("decode audio", shape_str(latents.audio_latent.shape()));
        const Tensor mel = AudioDecoder::load(ltx.open(LtxPart::AudioVae)).forward(latents.audio_latent);
        const Vocoder vocoder = Vocoder::load(ltx.open(LtxPart::Vocoder));
        result.audio_sample_rate = vocoder.output_sample_rate();
        const Tensor wave = vocoder.forward(mel);
        waveform = fit_to_video(wave.select(0, 0), result.frames, output_fps, result.audio_sample_rate);
        progress.end();
    }
    result.audio_samples = waveform.size(1);

    begin("write outputs");
    if (!r.output.empty()) {
        Mp4Options options;
        options.fps = output_fps;
        options.crf = r.crf;
        options.preset = r.preset;
        options.metadata = {{"prompt", r.prompt},
                            {"seed", std::to_string(r.params.seed)},
                            {"pipeline", pipeline_name(r.pipeline)},
                            {"generator", "ltx2.cpp " LTX2_VERSION_STRING}};
        if (r.enhance_prompt) options.metadata.emplace_back("enhanced_prompt", result.enhanced_prompt);
        if (retake_source)
            options.metadata.emplace_back("retake", fmt::format("{} [{}, {}) s", r.params.retake.video_path,
                                                                r.params.retake.start_time, r.params.retake.end_time));
        write_mp4(r.output, frames, AudioTrack{waveform, result.audio_sample_rate}, options);
    }
    if (!r.frames_dir.empty()) write_png_frames(r.frames_dir, frames);
    if (!r.thumbnail_out.empty()) write_png(r.thumbnail_out, frames.select(0, 0));
    if (!r.audio_out.empty()) write_wav(r.audio_out, waveform, result.audio_sample_rate, WavFormat::Pcm16);
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
