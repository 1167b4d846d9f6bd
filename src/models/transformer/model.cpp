#include "models/transformer/model.h"

#include <optional>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "kernels/cpu/elementwise.h"
#include "kernels/cpu/linear.h"
#include "kernels/cpu/norm.h"
#include "models/transformer/block.h"
#include "models/transformer/modulation.h"
#include "models/transformer/preprocess.h"

namespace ltx2 {

LTXModel LTXModel::load(const WeightStore& store) {
    return load(store, parse_transformer_config(store.config(), store.describe()));
}

LTXModel LTXModel::load(const WeightStore& store, const TransformerConfig& config) {
    auto weights = std::make_shared<TransformerWeights>(load_transformer_weights(store, config));
    return LTXModel(config, std::move(weights));
}

namespace {

StreamRef video_ref(const TransformerConfig& c, const TransformerWeights& w) { return {c.video, w.video, "video"}; }
StreamRef audio_ref(const TransformerConfig& c, const TransformerWeights& w) { return {c.audio, w.audio, "audio"}; }

void check_streams(const TransformerConfig& c, const Modality* video, const Modality* audio) {
    if (!video && !audio) fail("transformer: neither a video nor an audio input was given");
    if (audio && !c.has_audio()) fail("transformer: this is a video-only model; it takes no audio input");
    if (!video) fail("transformer: a video input is required");  // no audio-only LTX-2 model exists
}

}  // namespace

TextContextCache LTXModel::prepare_text(const Modality* video, const Modality* audio) const {
    check_streams(config_, video, audio);
    TextContextCache cache;
    auto prepare = [&](const Modality& m, const StreamRef& s, bool is_video, StreamTextContext& out) {
        validate_modality(m, s, config_);
        out = project_text(m, s);
        for (const BlockWeights& b : weights_->blocks) {
            const AttentionWeights& attn2 = is_video ? b.video.attn2 : b.audio.attn2;
            out.blocks.push_back(attention_kv(attn2, out.context, nullptr, config_.norm_eps));
        }
    };
    if (video) prepare(*video, video_ref(config_, *weights_), true, cache.video);
    if (audio) prepare(*audio, audio_ref(config_, *weights_), false, cache.audio);
    return cache;
}

Tensor LTXModel::output_head(const StreamWeights& w, const StreamState& s) const {
    Tensor x = layer_norm(s.x, config_.norm_eps);
    // shift = table[0] + embedded, scale = table[1] + embedded
    modulate_inplace(x, ada_value(w.scale_shift_table, 1, s.embedded_timestep, 0),
                     ada_value(w.scale_shift_table, 0, s.embedded_timestep, 0));
    return linear(x, w.proj_out.weight, w.proj_out.bias);
}

AVTensors LTXModel::forward(const Modality* video, const Modality* audio, const BatchedPerturbations& perturbations,
                            const TextContextCache* text, const DebugTap& tap) const {
    check_streams(config_, video, audio);
    const TransformerConfig& c = config_;
    const int64_t batch = video->latent.size(0);
    if (audio && audio->latent.defined() && audio->latent.size(0) != batch)
        fail("transformer: video batch {} and audio batch {} differ", batch, audio->latent.size(0));
    if (!perturbations.samples.empty() && int64_t(perturbations.samples.size()) != batch)
        fail("transformer: {} perturbation configs for a batch of {}", perturbations.samples.size(), batch);

    auto prepare = [&](const Modality& m, const StreamRef& s, const StreamTextContext* cached) {
        validate_modality(m, s, c);
        StreamState st = prepare_stream(m, s, c, tap);
        if (cached && cached->context.defined()) {
            if (cached->context.size(0) != batch)
                fail("transformer: the cached {} text context has batch {}, the input {}", s.name,
                     cached->context.size(0), batch);
            st.cached_text = cached;
        } else {
            st.own_text = project_text(m, s);
        }
        if (tap) {
            tap(std::string(s.name) + ".context_proj", st.text().context);
            if (st.text().key_bias.defined()) tap(std::string(s.name) + ".context_mask_additive", st.text().key_bias);
        }
        return st;
    };
    std::optional<StreamState> vs, as;
    vs.emplace(prepare(*video, video_ref(c, *weights_), text ? &text->video : nullptr));
    if (audio) as.emplace(prepare(*audio, audio_ref(c, *weights_), text ? &text->audio : nullptr));

    const BlockContext ctx{c, perturbations, precision(), tap};
    for (int i = 0; i < c.num_layers; ++i)
        transformer_block(weights_->blocks[size_t(i)], i, &*vs, as ? &*as : nullptr, ctx);

    AVTensors out;
    out.video = output_head(weights_->video, *vs);
    if (as) out.audio = output_head(weights_->audio, *as);
    return out;
}

Tensor to_denoised(const Tensor& latent, const Tensor& velocity, const Tensor& timesteps) {
    const int64_t b = latent.size(0), t = latent.size(1), ch = latent.size(2);
    LTX2_CHECK(velocity.shape() == latent.shape(), "to_denoised: velocity shape {} differs from latent shape {}",
               shape_str(velocity.shape()), shape_str(latent.shape()));
    const int64_t per_sample = timesteps.numel() / b;
    LTX2_CHECK(timesteps.numel() == b * t || timesteps.numel() == b,
               "to_denoised: timesteps shape {} fits neither per-token nor per-sample sigma for latent {}",
               shape_str(timesteps.shape()), shape_str(latent.shape()));
    const std::vector<float> x = latent.to_vector(), v = velocity.to_vector(), s = timesteps.to_vector();
    std::vector<float> out(x.size());
    for (int64_t i = 0; i < b; ++i)
        for (int64_t j = 0; j < t; ++j) {
            const float sigma = s[size_t(per_sample == 1 ? i : i * t + j)];
            const size_t row = size_t((i * t + j) * ch);
            for (int64_t k = 0; k < ch; ++k) out[row + size_t(k)] = x[row + size_t(k)] - v[row + size_t(k)] * sigma;
        }
    return Tensor::from_f32(latent.shape(), out);
}

AVTensors x0_forward(const LTXModel& model, const Modality* video, const Modality* audio,
                     const BatchedPerturbations& perturbations, const TextContextCache* text, AVTensors* velocities,
                     const DebugTap& tap) {
    AVTensors v = model.forward(video, audio, perturbations, text, tap);
    AVTensors x0;
    if (v.video.defined()) x0.video = to_denoised(video->latent, v.video, video->timesteps);
    if (v.audio.defined()) x0.audio = to_denoised(audio->latent, v.audio, audio->timesteps);
    if (velocities) *velocities = std::move(v);
    return x0;
}

}  // namespace ltx2
