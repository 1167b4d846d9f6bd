#include "models/transformer/model.h"

#include <chrono>
#include <mutex>
#include <optional>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "ops/elementwise.h"
#include "ops/host.h"
#include "ops/linear.h"
#include "ops/norm.h"
#include "ops/rows.h"
#include "models/transformer/block.h"
#include "models/transformer/preprocess.h"
#include "models/transformer/text_attention.h"

namespace ltx2 {

// The store and reused arena of a model whose blocks are materialized one at a time.
struct LTXModel::BlockStreamer {
    WeightStore store;
    bool release_after_use = false;
    std::function<void(const BlockEvent&)> on_block;
    std::mutex mutex;  // one forward at a time uses the arena
    WeightArena arena;
};

namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

}  // namespace

LTXModel LTXModel::load(const WeightStore& store, const TransformerLoadOptions& options) {
    return load(store, parse_transformer_config(store.config(), store.describe(), model_semantics(store)), options);
}

LTXModel LTXModel::load(const WeightStore& store, const TransformerConfig& config,
                        const TransformerLoadOptions& options) {
    const std::string blocks = "transformer_blocks.";
    const size_t stored = store.stored_bytes(blocks);
    const size_t resident_cost = stored + store.decoded_bytes(blocks);
    const bool stream = options.weight_budget_bytes > 0 && resident_cost > options.weight_budget_bytes;
    auto weights = std::make_shared<TransformerWeights>(
        load_transformer_weights(store, config, stream ? BlockResidency::Streamed : BlockResidency::Resident));
    std::shared_ptr<BlockStreamer> streamer;
    if (stream || options.on_block) {
        streamer = std::make_shared<BlockStreamer>();
        streamer->on_block = options.on_block;
    }
    if (stream) {
        streamer->store = store;
        const size_t per_block_decoded = store.decoded_bytes(transformer_block_prefix(0));
        streamer->release_after_use = stored + per_block_decoded > options.weight_budget_bytes;
    }
    return LTXModel(config, std::move(weights), std::move(streamer));
}

bool LTXModel::streams_blocks() const { return weights_->blocks.empty() && config_.num_layers > 0; }
bool LTXModel::releases_blocks() const { return streamer_ && streamer_->release_after_use; }

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
    const PrecisionScope products(precision());
    check_streams(config_, video, audio);
    const TransformerConfig& c = config_;
    TextContextCache cache;
    Tensor video_prompt, audio_prompt;
    auto prepare = [&](const Modality& m, const StreamRef& s, StreamTextContext& text, Tensor& prompt) {
        validate_modality(m, s, c);
        text = project_text(m, s, c);
        prompt = prompt_modulation(m, s, c);
        if (c.text_kv_depends_on_sigma()) text.kv_sigma = copy_to_host(m.sigma);
    };
    if (video) prepare(*video, video_ref(c, *weights_), cache.video, video_prompt);
    if (audio) prepare(*audio, audio_ref(c, *weights_), cache.audio, audio_prompt);
    auto add_block = [&](const AttentionWeights& video_attn2, const Tensor& video_table,
                         const AttentionWeights& audio_attn2, const Tensor& audio_table) {
        if (video)
            cache.video.blocks.push_back(
                text_attention_kv(video_attn2, video_table, video_prompt, cache.video.context, c.norm_eps));
        if (audio)
            cache.audio.blocks.push_back(
                text_attention_kv(audio_attn2, audio_table, audio_prompt, cache.audio.context, c.norm_eps));
    };
    if (!streams_blocks()) {
        for (const BlockWeights& b : weights_->blocks)
            add_block(b.video.attn2, b.video.prompt_scale_shift_table, b.audio.attn2, b.audio.prompt_scale_shift_table);
        return cache;
    }
    std::lock_guard lock(streamer_->mutex);
    for (int i = 0; i < c.num_layers; ++i) {
        {
            const BlockTextAttention a = load_block_text_attention(streamer_->store, c, i, &streamer_->arena);
            add_block(a.video, a.video_prompt_table, a.audio, a.audio_prompt_table);
        }
        streamer_->arena.reset();
        if (streamer_->release_after_use) streamer_->store.release(transformer_block_prefix(i));
    }
    return cache;
}

Tensor LTXModel::output_head(const StreamWeights& w, const StreamState& s) const {
    Tensor x = layer_norm(s.x, config_.norm_eps);
    // shift = table[0] + embedded, scale = table[1] + embedded
    modulate_inplace(x, AdaValue{w.scale_shift_table, 1, s.embedded_timestep, 0},
                     AdaValue{w.scale_shift_table, 0, s.embedded_timestep, 0});
    return linear(x, w.proj_out.weight, w.proj_out.bias);
}

AVTensors LTXModel::forward(const Modality* video, const Modality* audio, const BatchedPerturbations& perturbations,
                            const TextContextCache* text, const DebugTap& tap) const {
    const PrecisionScope products(precision());
    check_streams(config_, video, audio);
    const TransformerConfig& c = config_;
    const int64_t batch = video->latent.size(0);
    if (audio && audio->latent.defined() && audio->latent.size(0) != batch)
        fail("transformer: video batch {} and audio batch {} differ", batch, audio->latent.size(0));
    if (!perturbations.samples.empty() && int64_t(perturbations.samples.size()) != batch)
        fail("transformer: {} perturbation configs for a batch of {}", perturbations.samples.size(), batch);

    // Both validated first: a stream's AV gate may read the other's sigma.
    validate_modality(*video, video_ref(c, *weights_), c);
    if (audio) validate_modality(*audio, audio_ref(c, *weights_), c);
    auto prepare = [&](const Modality& m, const StreamRef& s, const Modality* other, const StreamTextContext* cached) {
        StreamState st = prepare_stream(m, s, c, other, tap);
        if (cached && cached->context.defined()) {
            if (cached->context.size(0) != batch)
                fail("transformer: the cached {} text context has batch {}, the input {}", s.name,
                     cached->context.size(0), batch);
            if (cached->kv_hold_for(m.sigma)) {
                st.cached_text = cached;
            } else {  // K/V built for another sigma: the context and mask still hold
                st.own_text.context = cached->context;
                st.own_text.key_bias = cached->key_bias;
            }
        } else {
            st.own_text = project_text(m, s, c);
        }
        if (tap) {
            tap(std::string(s.name) + ".context_proj", st.text().context);
            if (st.text().key_bias.defined()) tap(std::string(s.name) + ".context_mask_additive", st.text().key_bias);
        }
        return st;
    };
    std::optional<StreamState> vs, as;
    vs.emplace(prepare(*video, video_ref(c, *weights_), audio, text ? &text->video : nullptr));
    if (audio) as.emplace(prepare(*audio, audio_ref(c, *weights_), video, text ? &text->audio : nullptr));

    const BlockContext ctx{c, perturbations, precision(), tap};
    if (!streams_blocks()) {
        for (int i = 0; i < c.num_layers; ++i) {
            const auto start = Clock::now();
            transformer_block(weights_->blocks[size_t(i)], i, &*vs, as ? &*as : nullptr, ctx);
            if (streamer_ && streamer_->on_block) streamer_->on_block({i, c.num_layers, 0.0, seconds_since(start)});
        }
    } else {
        BlockStreamer& s = *streamer_;
        std::lock_guard lock(s.mutex);
        for (int i = 0; i < c.num_layers; ++i) {
            if (i + 1 < c.num_layers) s.store.prefetch(transformer_block_prefix(i + 1));
            BlockEvent event{i, c.num_layers, 0.0, 0.0};
            auto start = Clock::now();
            {
                const BlockWeights block = load_block_weights(s.store, c, i, &s.arena);
                event.load_seconds = seconds_since(start);
                start = Clock::now();
                transformer_block(block, i, &*vs, as ? &*as : nullptr, ctx);
                event.compute_seconds = seconds_since(start);
            }
            s.arena.reset();
            if (s.release_after_use) s.store.release(transformer_block_prefix(i));
            if (s.on_block) s.on_block(event);
        }
    }

    AVTensors out;
    out.video = output_head(weights_->video, *vs);
    if (as) out.audio = output_head(weights_->audio, *as);
    return out;
}

Tensor to_denoised(const Tensor& latent, const Tensor& velocity, const Tensor& timesteps) {
    return denoised_from_velocity(latent, velocity, timesteps);
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
