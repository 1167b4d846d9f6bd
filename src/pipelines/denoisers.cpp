#include "pipelines/denoisers.h"

#include <memory>
#include <optional>

#include "core/error.h"
#include "diffusion/diffusion_steps.h"

namespace ltx2 {

namespace {

// modality_from_latent_state: per-token timesteps = mask · σ, the per-sample σ (0 for a frozen
// stream), no context mask.
Modality modality_from_state(const LatentState& s, const Tensor& context, float step_sigma, bool enabled = true) {
    const float sigma = s.frozen ? 0.0f : step_sigma;
    Modality m;
    m.latent = s.latent;
    m.timesteps = timesteps_from_mask(s.denoise_mask, sigma);
    m.sigma = Tensor::from_f32({s.latent.size(0)}, std::vector<float>(size_t(s.latent.size(0)), sigma));
    m.positions = s.positions;
    m.keyframes_mask = s.keyframes_mask;
    m.context = context;
    m.enabled = enabled;
    return m;
}

// The text K/V for one pair of contexts, made at the first call that needs it. When the model
// modulates them with sigma (LTX-2.3's prompt AdaLN) they are remade whenever the step's sigma
// changes, so every pass of one step (CFG, STG, isolation) shares them; otherwise once.
class LazyTextCache {
public:
    LazyTextCache(const LTXModel& model, bool enabled) : model_(model), enabled_(enabled) {}
    const TextContextCache* get(const Modality& video, const Modality& audio) {
        if (!enabled_) return nullptr;
        if (!cache_ || !cache_->video.kv_hold_for(video.sigma)) cache_ = model_.prepare_text(&video, &audio);
        return &*cache_;
    }

private:
    const LTXModel& model_;
    bool enabled_;
    std::optional<TextContextCache> cache_;
};

void tap_branch(const PipelineTap& tap, const char* branch, const AVTensors& x0) {
    if (!tap) return;
    const std::string b = std::string("branch_") + branch;
    if (x0.video.defined()) tap(b + ".video_denoised", x0.video);
    if (x0.audio.defined()) tap(b + ".audio_denoised", x0.audio);
}

void check_contexts(const TextContexts& text) {
    LTX2_CHECK(text.video_positive.defined() && text.audio_positive.defined(),
               "pipeline: the positive prompt's video and audio contexts are both required");
}

class GuidedDenoiser {
public:
    GuidedDenoiser(const LTXModel& model, const TextContexts& text, const StageGuidance& g, bool cache_text)
        : model_(model),
          text_(text),
          video_(g.video),
          audio_(g.audio),
          audio_negative_context_(g.audio_negative_context),
          positive_(model, cache_text),
          negative_(model, cache_text) {
        check_contexts(text);
        const int layers = model.config().num_layers;
        validate_guider_blocks(g.video, layers, "--video-stg-blocks");
        validate_guider_blocks(g.audio, layers, "--audio-stg-blocks");
        LTX2_CHECK(!video_.do_unconditional_generation() || text.video_negative.defined(),
                   "--video-cfg-guidance-scale {} needs the negative prompt's video context (none was given)",
                   g.video.cfg_scale);
        LTX2_CHECK(!audio_.do_unconditional_generation() || (audio_negative_context_ && text.audio_negative.defined()),
                   "--audio-cfg-guidance-scale {} needs the negative prompt's audio context (none was given)",
                   g.audio.cfg_scale);
    }

    AVTensors operator()(const LatentState& v, const LatentState& a, const std::vector<float>& sigmas, int step,
                         const PipelineTap& tap) {
        const bool skip_video = video_.should_skip_step(step), skip_audio = audio_.should_skip_step(step);
        // A frozen stream's prediction is discarded (its denoise mask is zero), so a step that
        // reuses the video's needs no pass at all; the reference still runs them for the audio.
        if (skip_video && (skip_audio || a.frozen)) return last_;

        const float sigma = sigmas[size_t(step)];
        const Modality pos_v = modality_from_state(v, text_.video_positive, sigma, !skip_video);
        const Modality pos_a = modality_from_state(a, text_.audio_positive, sigma, !skip_audio);
        const TextContextCache* pos_text = positive_.get(pos_v, pos_a);
        const AVTensors cond = x0_forward(model_, &pos_v, &pos_a, {}, pos_text);
        tap_branch(tap, "positive", cond);

        // Branches a modality does not need enter its guider as the plain number 0.
        GuidanceBranch neg_video = 0.0, neg_audio = 0.0, ptb_video = 0.0, ptb_audio = 0.0, iso_video = 0.0,
                       iso_audio = 0.0;
        if (video_.do_unconditional_generation() || audio_.do_unconditional_generation()) {
            const bool skips_here = model_.config().semantics.skipped_guidance_step_disables_every_pass;
            const Modality neg_v =
                modality_from_state(v, text_.video_negative.defined() ? text_.video_negative : text_.video_positive,
                                    sigma, !(skips_here && skip_video));
            const bool audio_negative = audio_negative_context_ && text_.audio_negative.defined();
            const Modality neg_a = modality_from_state(a, audio_negative ? text_.audio_negative : text_.audio_positive,
                                                       sigma, !(skips_here && skip_audio));
            const AVTensors x0 = x0_forward(model_, &neg_v, &neg_a, {}, negative_.get(neg_v, neg_a));
            tap_branch(tap, "negative", x0);
            neg_video = x0.video;
            neg_audio = x0.audio;
        }
        if (video_.do_perturbed_generation() || audio_.do_perturbed_generation()) {
            PerturbationConfig stg;
            if (video_.do_perturbed_generation())
                stg.perturbations.push_back({PerturbationType::SkipVideoSelfAttn, video_.params().stg_blocks});
            if (audio_.do_perturbed_generation())
                stg.perturbations.push_back({PerturbationType::SkipAudioSelfAttn, audio_.params().stg_blocks});
            const AVTensors x0 = x0_forward(model_, &pos_v, &pos_a, BatchedPerturbations::uniform(1, stg), pos_text);
            tap_branch(tap, "perturbed", x0);
            ptb_video = x0.video;
            ptb_audio = x0.audio;
        }
        if (video_.do_isolated_modality_generation() || audio_.do_isolated_modality_generation()) {
            PerturbationConfig isolated;
            isolated.perturbations = {{PerturbationType::SkipA2VCrossAttn, std::nullopt},
                                      {PerturbationType::SkipV2ACrossAttn, std::nullopt}};
            const AVTensors x0 =
                x0_forward(model_, &pos_v, &pos_a, BatchedPerturbations::uniform(1, isolated), pos_text);
            tap_branch(tap, "isolated_modality", x0);
            iso_video = x0.video;
            iso_audio = x0.audio;
        }

        if (!skip_video) last_.video = video_.calculate(cond.video, neg_video, ptb_video, iso_video);
        if (!skip_audio) last_.audio = audio_.calculate(cond.audio, neg_audio, ptb_audio, iso_audio);
        return last_;
    }

private:
    const LTXModel& model_;
    const TextContexts& text_;
    MultiModalGuider video_, audio_;
    bool audio_negative_context_;
    LazyTextCache positive_, negative_;
    AVTensors last_;  // the previous step's guided predictions, reused on skipped steps
};

}  // namespace

DenoiseFn simple_denoiser(const LTXModel& model, const TextContexts& text, bool cache_text) {
    check_contexts(text);
    auto cache = std::make_shared<LazyTextCache>(model, cache_text);
    return [&model, &text, cache](const LatentState& v, const LatentState& a, const std::vector<float>& sigmas,
                                  int step, const PipelineTap&) {
        const float sigma = sigmas[size_t(step)];
        const Modality pos_v = modality_from_state(v, text.video_positive, sigma);
        const Modality pos_a = modality_from_state(a, text.audio_positive, sigma);
        return x0_forward(model, &pos_v, &pos_a, {}, cache->get(pos_v, pos_a));
    };
}

DenoiseFn guided_denoiser(const LTXModel& model, const TextContexts& text, const StageGuidance& guidance,
                          bool cache_text) {
    auto g = std::make_shared<GuidedDenoiser>(model, text, guidance, cache_text);
    return [g](const LatentState& v, const LatentState& a, const std::vector<float>& sigmas, int step,
               const PipelineTap& tap) { return (*g)(v, a, sigmas, step, tap); };
}

}  // namespace ltx2
