#include "models/transformer/block.h"

#include <fmt/format.h>

#include "kernels/cpu/elementwise.h"
#include "kernels/cpu/linear.h"
#include "kernels/cpu/norm.h"
#include "models/transformer/modulation.h"

namespace ltx2 {

namespace {

Tensor rms(const Tensor& x, float eps) { return rms_norm(x, Tensor(), eps); }

// normed·(1 + table[scale_row] + mod) + (table[shift_row] + mod), rows from the 6-row table.
// Modifies `normed` in place: pass a tensor no one else holds.
Tensor modulated(Tensor normed, const Tensor& table, const Tensor& mod, int scale_row, int shift_row,
                 int scale_chunk, int shift_chunk) {
    modulate_inplace(normed, ada_value(table, scale_row, mod, scale_chunk),
                     ada_value(table, shift_row, mod, shift_chunk));
    return normed;
}

Tensor feed_forward(const FeedForwardWeights& w, const Tensor& x) {
    Tensor h = linear(x, w.proj_in.weight, w.proj_in.bias);
    gelu_tanh_inplace(h);
    return linear(h, w.proj_out.weight, w.proj_out.bias);
}

// Self-attention (AdaLN rows 0..2) and text cross-attention of one stream.
void attention_part(const BlockStreamWeights& w, int index, StreamState& s, PerturbationType skip,
                    const std::string& prefix, const BlockContext& ctx) {
    const float eps = ctx.config.norm_eps;
    const int batch = int(s.x.size(0));
    if (!ctx.perturbations.all_in_batch(skip, index, batch)) {
        // (shift, scale, gate) = table[0:3] + mod[0:3]
        Tensor n = modulated(rms(s.x, eps), w.scale_shift_table, s.modulation, 1, 0, 1, 0);
        Tensor out = attention_forward(w.attn1, n, n, &s.rope, &s.rope, Tensor(), eps, ctx.precision);
        if (ctx.tap) ctx.tap(fmt::format("block{}.{}attn1_out", index, prefix), out);
        add_gated_where(s.x, out, ada_value(w.scale_shift_table, 2, s.modulation, 2),
                        [&](int b) { return !ctx.perturbations.perturbed(b, skip, index); });
    }
    const StreamTextContext& text = s.text();
    Tensor n = rms(s.x, eps);
    Tensor out = size_t(index) < text.blocks.size()
                     ? attention_forward(w.attn2, n, text.blocks[size_t(index)], nullptr, text.key_bias, eps,
                                         ctx.precision)
                     : attention_forward(w.attn2, n, text.context, nullptr, nullptr, text.key_bias, eps, ctx.precision);
    if (ctx.tap) ctx.tap(fmt::format("block{}.{}attn2_out", index, prefix), out);
    add_inplace(s.x, out);
}

// Feed-forward of one stream (AdaLN rows 3..5).
void feed_forward_part(const BlockStreamWeights& w, int index, StreamState& s, const std::string& prefix,
                       const BlockContext& ctx) {
    Tensor n = modulated(rms(s.x, ctx.config.norm_eps), w.scale_shift_table, s.modulation, 4, 3, 4, 3);
    Tensor out = feed_forward(w.ff, n);
    if (ctx.tap) ctx.tap(fmt::format("block{}.{}ff_out", index, prefix), out);
    add_gated_inplace(s.x, out, ada_value(w.scale_shift_table, 5, s.modulation, 5));
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
    Tensor out = attention_forward(attn, qs, ks, &q.cross_rope, &kv.cross_rope, Tensor(), ctx.config.norm_eps,
                                   ctx.precision);
    if (ctx.tap) ctx.tap(fmt::format("block{}.{}_out", index, name), out);
    add_gated_where(q.x, out, ada_value(q_table, 4, q.cross_gate, 0),
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
