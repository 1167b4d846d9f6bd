#include "pipelines/generation_params.h"

#include <cmath>

#include "core/error.h"
#include "pipelines/audio_length.h"

namespace ltx2 {

namespace {

struct KindName {
    PipelineKind kind;
    const char* name;
};
constexpr KindName kKindNames[] = {
    {PipelineKind::Distilled, "distilled"}, {PipelineKind::OneStage, "one-stage"},
    {PipelineKind::TwoStage, "two-stage"},  {PipelineKind::KeyframeInterpolation, "keyframes"},
    {PipelineKind::ICLora, "ic-lora"},      {PipelineKind::AudioToVideo, "a2v"},
    {PipelineKind::Retake, "retake"},       {PipelineKind::RetakeGuided, "retake-guided"},
};

void check_strength(double strength, const std::string& option, const std::string& path) {
    LTX2_CHECK(std::isfinite(strength) && strength >= 0.0 && strength <= 1.0, "{} {}: strength {} is outside [0, 1]",
               option, path, strength);
}

void check_path(const std::string& path, const char* option) {
    LTX2_CHECK(!path.empty(), "{}: the path is empty", option);
}

void check_loras(const std::vector<LoraSpec>& loras, const char* option) {
    for (const LoraSpec& l : loras) {
        check_path(l.path, option);
        LTX2_CHECK(std::isfinite(l.strength) && std::fabs(l.strength) <= kMaxLoraStrength,
                   "{} {}: strength {} is outside [-{}, {}]", option, l.path, l.strength, kMaxLoraStrength,
                   kMaxLoraStrength);
    }
}

struct GuiderOptions {
    const char* cfg;
    const char* stg;
    const char* rescale;
    const char* modality;
    const char* skip_step;
    const char* stg_blocks;
};
constexpr GuiderOptions kVideoGuiderOptions = {"--video-cfg-guidance-scale", "--video-stg-guidance-scale",
                                               "--video-rescale-scale",      "--a2v-guidance-scale",
                                               "--video-skip-step",          "--video-stg-blocks"};
constexpr GuiderOptions kAudioGuiderOptions = {"--audio-cfg-guidance-scale", "--audio-stg-guidance-scale",
                                               "--audio-rescale-scale",      "--v2a-guidance-scale",
                                               "--audio-skip-step",          "--audio-stg-blocks"};

void check_scale(double v, const char* option, const char* meaning) {
    LTX2_CHECK(std::isfinite(v) && v >= 0.0 && v <= kMaxGuidanceScale, "{}: must be a finite number in [0, {}] ({}), got {}",
               option, kMaxGuidanceScale, meaning, v);
}

void check_guider(const MultiModalGuiderParams& p, const GuiderOptions& o) {
    check_scale(p.cfg_scale, o.cfg, "1 = no classifier-free guidance");
    check_scale(p.stg_scale, o.stg, "0 = no spatio-temporal guidance");
    check_scale(p.modality_scale, o.modality, "1 = no cross-modality guidance");
    LTX2_CHECK(std::isfinite(p.rescale_scale) && p.rescale_scale >= 0.0 && p.rescale_scale <= 1.0,
               "{}: must lie in [0, 1] (0 = no rescaling), got {}", o.rescale, p.rescale_scale);
    LTX2_CHECK(p.skip_step >= 0, "{}: must be >= 0 (0 = no skipping), got {}", o.skip_step, p.skip_step);
    for (int b : p.stg_blocks) LTX2_CHECK(b >= 0, "{}: block index {} is negative", o.stg_blocks, b);
}

void check_audio_condition(PipelineKind kind, const AudioCondition& a) {
    if (kind != PipelineKind::AudioToVideo) {
        LTX2_CHECK(a.path.empty(), "--audio-path {}: only the a2v pipeline takes an input audio (pipeline: {})",
                   a.path, pipeline_name(kind));
        return;
    }
    LTX2_CHECK(!a.path.empty(), "--audio-path: the a2v pipeline needs the audio file to generate the video for");
    LTX2_CHECK(std::isfinite(a.start_time) && a.start_time >= 0.0,
               "--audio-start-time {}: expected a number of seconds >= 0 (audio file {})", a.start_time, a.path);
    LTX2_CHECK(!a.max_duration || (std::isfinite(*a.max_duration) && *a.max_duration > 0.0),
               "--audio-max-duration {}: expected a number of seconds > 0 (audio file {})",
               a.max_duration.value_or(0.0), a.path);
}

}  // namespace

void check_retake_source_given(PipelineKind kind, const RetakeOptions& r) {
    LTX2_CHECK(!r.video_path.empty(), "--video-path: the {} pipeline needs the source clip to retake",
               pipeline_name(kind));
}

namespace {

void check_retake(PipelineKind kind, const GenerationParams& p) {
    const RetakeOptions& r = p.retake;
    if (!is_retake(kind)) {
        LTX2_CHECK(r == RetakeOptions{},
                   "--video-path / --start-time / --end-time / --keep-video / --keep-audio: only the retake pipelines "
                   "take a source clip (pipeline: {})",
                   pipeline_name(kind));
        return;
    }
    check_retake_source_given(kind, r);
    LTX2_CHECK(p.images.empty(), "--image {}: the retake pipelines take no images", p.images.front().path);
    const double duration = double(p.num_frames) / p.frame_rate;
    LTX2_CHECK(std::isfinite(r.start_time) && std::isfinite(r.end_time) && r.start_time < r.end_time,
               "--start-time {} / --end-time {}: the start must be before the end", r.start_time, r.end_time);
    LTX2_CHECK(r.start_time >= 0 && r.start_time < duration,
               "--start-time {}: outside the clip {}, which lasts {:.4g} s ({} frames at {:.4g} fps)", r.start_time,
               r.video_path, duration, p.num_frames, p.frame_rate);
    LTX2_CHECK(r.end_time <= duration,
               "--end-time {}: outside the clip {}, which lasts {:.4g} s ({} frames at {:.4g} fps)", r.end_time,
               r.video_path, duration, p.num_frames, p.frame_rate);
    LTX2_CHECK(r.regenerate_video || r.regenerate_audio,
               "--keep-video with --keep-audio: neither stream is regenerated; nothing would change");
}

}  // namespace

const char* pipeline_name(PipelineKind kind) {
    for (const auto& k : kKindNames)
        if (k.kind == kind) return k.name;
    return "unknown";
}

PipelineKind parse_pipeline_kind(const std::string& name) {
    std::string valid;
    if (name == "keyframe-interpolation") return PipelineKind::KeyframeInterpolation;  // the reference's module name
    for (const auto& k : kKindNames) {
        if (name == k.name) return k.kind;
        valid += valid.empty() ? k.name : std::string(", ") + k.name;
    }
    fail("--pipeline: unknown pipeline '{}' (valid: {})", name, valid);
}

bool upsamples(PipelineKind kind) { return kind != PipelineKind::OneStage && !is_retake(kind); }

std::string SpatialUpscale::label() const { return fmt::format("x{}", double(num) / double(den)); }

SpatialUpscale parse_spatial_upscale(const std::string& label, const char* option) {
    for (const SpatialUpscale& u : {kUpscaleX2, kUpscaleX1_5})
        if (label == u.label()) return u;
    fail("{}: unknown spatial upscale '{}' (valid: {}, {})", option, label, kUpscaleX2.label(), kUpscaleX1_5.label());
}

bool is_guided(PipelineKind kind) {
    return kind == PipelineKind::OneStage || kind == PipelineKind::TwoStage ||
           kind == PipelineKind::KeyframeInterpolation || kind == PipelineKind::AudioToVideo ||
           kind == PipelineKind::RetakeGuided;
}

bool is_retake(PipelineKind kind) { return kind == PipelineKind::Retake || kind == PipelineKind::RetakeGuided; }

MultiModalGuiderParams default_video_guider_params() {
    MultiModalGuiderParams p;
    p.cfg_scale = 3.0;
    p.stg_scale = 1.0;
    p.rescale_scale = 0.7;
    p.modality_scale = 3.0;
    p.skip_step = 0;
    p.stg_blocks = {29};
    return p;
}

MultiModalGuiderParams default_audio_guider_params() {
    MultiModalGuiderParams p = default_video_guider_params();
    p.cfg_scale = 7.0;
    return p;
}

GenerationParams default_generation_params(PipelineKind kind) {
    GenerationParams p;
    p.height = upsamples(kind) ? 1024 : 512;
    p.width = upsamples(kind) ? 1536 : 768;
    p.video_guider = default_video_guider_params();
    p.audio_guider = default_audio_guider_params();
    return p;
}

void apply_model_defaults(GenerationParams& p, const ModelSemantics& model, const ExplicitParams& given) {
    if (!given.steps) p.num_inference_steps = model.default_guided_steps;
    if (!given.video_stg_blocks) p.video_guider.stg_blocks = {model.default_stg_block};
    if (!given.audio_stg_blocks) p.audio_guider.stg_blocks = {model.default_stg_block};
}

int64_t latent_frame_count(int64_t num_frames) { return (num_frames - 1) / 8 + 1; }

void validate_generation_params(PipelineKind kind, const GenerationParams& p, const ModelSemantics& model) {
    const char* name = pipeline_name(kind);
    const SpatialUpscale& up = p.spatial_upscale;
    LTX2_CHECK(!upsamples(kind) || (up.den >= 1 && up.num > up.den),
               "--spatial-upsampler: the {} pipeline needs an upsampler that enlarges, got scale {}/{}", name, up.num,
               up.den);
    const int64_t divisor = upsamples(kind) ? 32 * int64_t(up.num) : 32;
    std::string why = "height and width must be multiples of 32";
    if (upsamples(kind) && up == kUpscaleX2)
        why = fmt::format(
            "the {} pipeline denoises at half resolution first, so height and width must be multiples of 64", name);
    else if (upsamples(kind))
        why = fmt::format(
            "the {} pipeline denoises at {}/{} of the size first and the {} spatial upsampler (--spatial-upsampler) "
            "brings it to the requested size, so height and width must be multiples of {}",
            name, up.den, up.num, up.label(), divisor);
    for (const auto& [option, v] : {std::pair{"--height", p.height}, std::pair{"--width", p.width}}) {
        LTX2_CHECK(v > 0 && v <= kMaxSide, "{}: must be a positive number of pixels up to {}, got {}", option,
                   kMaxSide, v);
        LTX2_CHECK(v % divisor == 0, "{}: {} is not a multiple of {} ({})", option, v, divisor, why);
    }
    LTX2_CHECK(p.num_frames >= 1 && (p.num_frames - 1) % 8 == 0,
               "--num-frames: {} is not of the form 8k + 1 (e.g. 9, 17, ..., 121)", p.num_frames);
    LTX2_CHECK(p.num_frames <= kMaxFrames, "--num-frames: {} frames, more than the {} a generation may have",
               p.num_frames, kMaxFrames);
    LTX2_CHECK(std::isfinite(p.frame_rate) && p.frame_rate > 0 && p.frame_rate <= kMaxFrameRate,
               "--frame-rate: must be > 0 and at most {} frames per second, got {}", kMaxFrameRate,
               p.frame_rate);
    audio_latent_frames(p.num_frames, p.frame_rate);  // throws when the audio would be empty

    if (is_guided(kind)) {
        LTX2_CHECK(p.num_inference_steps >= 1 && p.num_inference_steps <= kMaxSteps,
                   "--num-inference-steps: must be >= 1 and at most {}, got {}", kMaxSteps, p.num_inference_steps);
        check_guider(p.video_guider, kVideoGuiderOptions);
        check_guider(p.audio_guider, kAudioGuiderOptions);
    }

    const int64_t latent_frames = latent_frame_count(p.num_frames);
    for (const ImageCondition& im : p.images) {
        check_path(im.path, "--image");
        check_strength(im.strength, "--image", im.path);
        if (kind == PipelineKind::KeyframeInterpolation || kind == PipelineKind::AudioToVideo) {
            LTX2_CHECK(im.frame_idx >= 0 && im.frame_idx < p.num_frames,
                       "--image {}: frame index {} is out of range: the {} pipeline takes a pixel frame index "
                       "(0..{} for {} frames)",
                       im.path, im.frame_idx, name, p.num_frames - 1, p.num_frames);
        } else if (model.images_after_frame_0_are_keyframes) {
            LTX2_CHECK(im.frame_idx >= 0 && im.frame_idx < p.num_frames,
                       "--image {}: frame index {} is out of range: with {} the {} pipeline takes a pixel frame index "
                       "(0..{} for {} frames; an image at 0 replaces the first latent frame, any other guides as a "
                       "keyframe)",
                       im.path, im.frame_idx, model.name(), name, p.num_frames - 1, p.num_frames);
        } else {
            LTX2_CHECK(im.frame_idx >= 0 && im.frame_idx < latent_frames,
                       "--image {}: frame index {} is out of range: the {} pipeline replaces a latent frame, so the "
                       "index counts latent frames (0..{} for {} frames; latent frame k starts at pixel frame 8k)",
                       im.path, im.frame_idx, name, latent_frames - 1, p.num_frames);
        }
    }

    if (kind == PipelineKind::ICLora) {
        LTX2_CHECK(!p.video_conditioning.empty(),
                   "--video-conditioning: the ic-lora pipeline needs at least one reference video");
    } else {
        LTX2_CHECK(p.video_conditioning.empty(),
                   "--video-conditioning: only the ic-lora pipeline takes a reference video (pipeline: {})", name);
    }
    for (const VideoReference& v : p.video_conditioning) {
        check_path(v.path, "--video-conditioning");
        check_strength(v.strength, "--video-conditioning", v.path);
    }

    check_loras(p.loras, "--lora");
    // The pipeline classes accept an empty distilled-LoRA list (only the official scripts demand
    // the option); the other pipelines have no stage it could go to.
    const bool takes_distilled = kind == PipelineKind::TwoStage || kind == PipelineKind::KeyframeInterpolation ||
                                 kind == PipelineKind::AudioToVideo;
    LTX2_CHECK(takes_distilled || p.distilled_loras.empty(),
               "--distilled-lora: only the two-stage, keyframes and a2v pipelines take it (pipeline: {})", name);
    check_loras(p.distilled_loras, "--distilled-lora");
    check_audio_condition(kind, p.audio);
    check_retake(kind, p);
}

void validate_guider_blocks(const MultiModalGuiderParams& params, int num_layers, const char* stg_blocks_option) {
    for (int b : params.stg_blocks)
        LTX2_CHECK(b >= 0 && b < num_layers, "{}: block {} does not exist; the transformer has {} blocks (0..{})",
                   stg_blocks_option, b, num_layers, num_layers - 1);
}

}  // namespace ltx2
