#include "models/transformer/block.h"

#include <fmt/format.h>

#include "ops/elementwise.h"
#include "ops/linear.h"
#include "ops/norm.h"
#include "models/transformer/modulation.h"
#include "models/transformer/text_attention.h"

namespace ltx2 {

namespace {

Tensor rms(const Tensor& x, float eps) { return rms_norm(x, Tensor(), eps); }

// normed·(1 + table[scale_row] + mod) + (table[shift_row] + mod), rows from the 6-row table.
// Modifies `normed` in place: pass a tensor no one else holds.
Tensor modulated(Tensor normed, const Tensor& table, const Tensor& mod, int scale_row, int shift_row,
                 int scale_chunk, int shift_chunk) {
    modulate_inplace(normed, AdaValue{table, scale_row, mod, scale_chunk},
                     AdaValue{table, shift_row, mod, shift_chunk});
    return normed;
}

Tensor feed_forward(const FeedForwardWeights& w, const Tensor& x) {
    Tensor h = linear(x, w.proj_in.weight, w.proj_in.bias);
    gelu_tanh_inplace(h);
    return linear(h, w.proj_out.weight, w.proj_out.bias);
}

// Receives the per-head gates of an attention for the debug tap (null without a tap).
Tensor* gates_for(const BlockContext& ctx, Tensor& gates) { return ctx.tap ? &gates : nullptr; }

void tap_attention(const BlockContext& ctx, const std::string& name, const Tensor& out, const Tensor& gates) {
    if (!ctx.tap) return;
    ctx.tap(name + "_out", out);
    if (gates.defined()) ctx.tap(name + "_gates", gates);
}

// Self-attention (AdaLN rows 0..2) of one stream. A skipped self-attention drops the update
// (19B), or (semantics.skipped_attention_passes_value) passes the value projection through.
void self_attention_part(const BlockStreamWeights& w, int index, StreamState& s, PerturbationType skip,
                         const std::string& prefix, const BlockContext& ctx) {
    const int batch = int(s.x.size(0));
    const bool pass_value = ctx.config.semantics.skipped_attention_passes_value;
    if (!pass_value && ctx.perturbations.all_in_batch(skip, index, batch)) return;
    // (shift, scale, gate) = table[0:3] + mod[0:3]
    Tensor n = modulated(rms(s.x, ctx.config.norm_eps), w.scale_shift_table, s.modulation, 1, 0, 1, 0);
    Tensor gates;
    AttentionCall call;
    call.q_rope = &s.rope;
    call.score_bias = s.self_attention_bias;
    call.gates = gates_for(ctx, gates);
    if (pass_value)
        for (int b = 0; b < batch; ++b) call.value_only.push_back(ctx.perturbations.perturbed(b, skip, index));
    Tensor out = attention_forward(w.attn1, n, attention_kv(w.attn1, n, &s.rope, ctx.config.norm_eps), call,
                                   ctx.config.norm_eps, ctx.precision);
    tap_attention(ctx, fmt::format("block{}.{}attn1", index, prefix), out, gates);
    const AdaValue gate{w.scale_shift_table, 2, s.modulation, 2};
    if (pass_value)
        add_gated_inplace(s.x, out, gate);
    else
        add_gated_where(s.x, out, gate, [&](int b) { return !ctx.perturbations.perturbed(b, skip, index); });
}

// Text cross-attention of one stream; with cross_attention_adaln its query is modulated by
// AdaLN rows 6..8 (shift, scale, gate) and its key/value input by the prompt tables.
void text_attention_part(const BlockStreamWeights& w, int index, StreamState& s, const std::string& prefix,
                         const BlockContext& ctx) {
    const float eps = ctx.config.norm_eps;
    const bool adaln = ctx.config.cross_attention_adaln;
    const StreamTextContext& text = s.text();
    Tensor n = rms(s.x, eps);
    if (adaln) n = modulated(std::move(n), w.scale_shift_table, s.modulation, 7, 6, 7, 6);
    const AttentionKV kv = size_t(index) < text.blocks.size()
                               ? text.blocks[size_t(index)]
                               : text_attention_kv(w.attn2, w.prompt_scale_shift_table, s.prompt_modulation,
                                                   text.context, eps);
    Tensor gates;
    AttentionCall call;
    call.key_bias = text.key_bias;
    call.gates = gates_for(ctx, gates);
    Tensor out = attention_forward(w.attn2, n, kv, call, eps, ctx.precision);
    tap_attention(ctx, fmt::format("block{}.{}attn2", index, prefix), out, gates);
    if (adaln)
        add_gated_inplace(s.x, out, AdaValue{w.scale_shift_table, 8, s.modulation, 8});
    else
        add_inplace(s.x, out);
}

void attention_part(const BlockStreamWeights& w, int index, StreamState& s, PerturbationType skip,
                    const std::string& prefix, const BlockContext& ctx) {
    self_attention_part(w, index, s, skip, prefix, ctx);
    text_attention_part(w, index, s, prefix, ctx);
}

// Feed-forward of one stream (AdaLN rows 3..5).
void feed_forward_part(const BlockStreamWeights& w, int index, StreamState& s, const std::string& prefix,
                       const BlockContext& ctx) {
    Tensor n = modulated(rms(s.x, ctx.config.norm_eps), w.scale_shift_table, s.modulation, 4, 3, 4, 3);
    Tensor out = feed_forward(w.ff, n);
    if (ctx.tap) ctx.tap(fmt::format("block{}.{}ff_out", index, prefix), out);
    add_gated_inplace(s.x, out, AdaValue{w.scale_shift_table, 5, s.modulation, 5});
}

// One direction of the AV cross-attention: q from stream `q`, k/v from stream `kv`.
// Cross table rows: 0 scale a2v, 1 shift a2v, 2 scale v2a, 3 shift v2a, 4 gate.
void av_cross_part(const AttentionWeights& attn, int index, StreamState& q, const Tensor& q_normed,
                   const Tensor& q_table, const StreamState& kv, const Tensor& kv_normed, const Tensor& kv_table,
                   int scale_row, PerturbationType skip, const std::string& name, const BlockContext& ctx) {
    const int batch = int(q.x.size(0));
    if (ctx.perturbations.all_in_batch(skip, index, batch)) return;
    // Both normalised states serve both directions: modulate copies of them.
    Tensor qs = modulated(q_normed.clone(), q_table, q.cross_scale_shift, scale_row, scale_row + 1, scale_row,
                          scale_row + 1);
    Tensor ks = modulated(kv_normed.clone(), kv_table, kv.cross_scale_shift, scale_row, scale_row + 1, scale_row,
                          scale_row + 1);
    Tensor gates;
    AttentionCall call;
    call.q_rope = &q.cross_rope;
    call.gates = gates_for(ctx, gates);
    Tensor out = attention_forward(attn, qs, attention_kv(attn, ks, &kv.cross_rope, ctx.config.norm_eps), call,
                                   ctx.config.norm_eps, ctx.precision);
    tap_attention(ctx, fmt::format("block{}.{}", index, name), out, gates);
    add_gated_where(q.x, out, AdaValue{q_table, 4, q.cross_gate, 0},
                    [&](int b) { return !ctx.perturbations.perturbed(b, skip, index); });
}

bool has_tokens(const StreamState* s) { return s && s->x.numel() > 0; }

}  // namespace

void transformer_block(const BlockWeights& w, int index, StreamState* video, StreamState* audio,
                       const BlockContext& ctx) {
    const bool run_video = has_tokens(video) && video->enabled;
    const bool run_audio = has_tokens(audio) && audio->enabled;
    const bool run_a2v = run_video && has_tokens(audio);
    const bool run_v2a = run_audio && has_tokens(video);

    if (run_video) attention_part(w.video, index, *video, PerturbationType::SkipVideoSelfAttn, "", ctx);
    if (run_audio) attention_part(w.audio, index, *audio, PerturbationType::SkipAudioSelfAttn, "audio_", ctx);

    if (run_a2v || run_v2a) {
        // Both normalised once, before either update.
        const Tensor vn = rms(video->x, ctx.config.norm_eps);
        const Tensor an = rms(audio->x, ctx.config.norm_eps);
        if (run_a2v)
            av_cross_part(w.audio_to_video_attn, index, *video, vn, w.video.cross_scale_shift_table, *audio, an,
                          w.audio.cross_scale_shift_table, 0, PerturbationType::SkipA2VCrossAttn,
                          "audio_to_video_attn", ctx);
        if (run_v2a)
            av_cross_part(w.video_to_audio_attn, index, *audio, an, w.audio.cross_scale_shift_table, *video, vn,
                          w.video.cross_scale_shift_table, 2, PerturbationType::SkipV2ACrossAttn,
                          "video_to_audio_attn", ctx);
    }

    if (run_video) feed_forward_part(w.video, index, *video, "", ctx);
    if (run_audio) feed_forward_part(w.audio, index, *audio, "audio_", ctx);

    if (ctx.tap) {
        if (video) ctx.tap(fmt::format("block{}_video", index), video->x);
        if (audio) ctx.tap(fmt::format("block{}_audio", index), audio->x);
    }
}

}  // namespace ltx2
