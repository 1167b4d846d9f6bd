#include "models/transformer/weights.h"

#include <fmt/format.h>

#include "core/error.h"
#include "models/weight_loader.h"

namespace ltx2 {

namespace {

class Loader : public ModelWeightLoader {
public:
    using ModelWeightLoader::ModelWeightLoader;

    LinearWeights linear(const std::string& name, int in, int out, bool bias = true) {
        LinearWeights l;
        l.weight = get(name + ".weight", {out, in});
        if (bias) l.bias = get(name + ".bias", {out});
        return l;
    }

    AttentionWeights attention(const std::string& name, int query_dim, int context_dim, int heads, int head_dim,
                               bool gated) {
        const int inner = heads * head_dim;
        AttentionWeights a;
        a.heads = heads;
        a.head_dim = head_dim;
        a.to_q = linear(name + ".to_q", query_dim, inner);
        a.to_k = linear(name + ".to_k", context_dim, inner);
        a.to_v = linear(name + ".to_v", context_dim, inner);
        a.to_out = linear(name + ".to_out.0", inner, query_dim);
        a.q_norm = get(name + ".q_norm.weight", {inner});
        a.k_norm = get(name + ".k_norm.weight", {inner});
        if (gated) a.to_gate_logits = linear(name + ".to_gate_logits", query_dim, heads);
        return a;
    }

    FeedForwardWeights feed_forward(const std::string& name, int dim, bool bias) {
        return {linear(name + ".net.0.proj", dim, 4 * dim, bias), linear(name + ".net.2", 4 * dim, dim, bias)};
    }

    AdaLNWeights adaln(const std::string& name, int dim, int coefficient) {
        AdaLNWeights a;
        a.coefficient = coefficient;
        a.linear_1 = linear(name + ".emb.timestep_embedder.linear_1", 256, dim);
        a.linear_2 = linear(name + ".emb.timestep_embedder.linear_2", dim, dim);
        a.linear = linear(name + ".linear", dim, coefficient * dim);
        return a;
    }

};

// `p` is "" for video and "audio_" for audio: the reference names the audio modules that way.
StreamWeights load_stream(Loader& l, const TransformerConfig& c, const StreamConfig& s, const std::string& p,
                          const std::string& cross_scale_shift, const std::string& cross_gate) {
    StreamWeights w;
    const int d = s.dim();
    w.patchify_proj = l.linear(p + "patchify_proj", s.in_channels, d);
    if (p.empty() && c.keyframes_embedding) w.keyframes_embedding = l.get("keyframes_abs_pos_embedding", {1, d});
    w.adaln = l.adaln(p + "adaln_single", d, c.adaln_rows());
    if (c.text_kv_depends_on_sigma()) w.prompt_adaln = l.adaln(p + "prompt_adaln_single", d, 2);
    if (c.caption_projection) {
        w.caption_projection.linear_1 = l.linear(p + "caption_projection.linear_1", c.caption_channels, d);
        w.caption_projection.linear_2 = l.linear(p + "caption_projection.linear_2", d, d);
    }
    w.scale_shift_table = l.get(p + "scale_shift_table", {2, d});
    w.proj_out = l.linear(p + "proj_out", d, s.out_channels);
    if (c.has_audio()) {
        w.cross_scale_shift_adaln = l.adaln(cross_scale_shift, d, 4);
        w.cross_gate_adaln = l.adaln(cross_gate, d, 1);
    }
    return w;
}

BlockStreamWeights load_block_stream(Loader& l, const TransformerConfig& c, const StreamConfig& s,
                                     const std::string& b, const std::string& p) {
    BlockStreamWeights w;
    const int d = s.dim();
    w.attn1 = l.attention(b + p + "attn1", d, d, s.heads, s.head_dim, c.gated_attention);
    w.attn2 = l.attention(b + p + "attn2", d, s.context_dim, s.heads, s.head_dim, c.gated_attention);
    w.ff = l.feed_forward(b + p + "ff", d, s.ff_bias);
    w.scale_shift_table = l.get(b + p + "scale_shift_table", {c.adaln_rows(), d});
    if (c.cross_attention_adaln) w.prompt_scale_shift_table = l.get(b + p + "prompt_scale_shift_table", {2, d});
    return w;
}

}  // namespace

const std::vector<std::string>& transformer_foreign_prefixes() {
    static const std::vector<std::string> kPrefixes = {"video_embeddings_connector.", "audio_embeddings_connector."};
    return kPrefixes;
}

std::string transformer_block_prefix(int index) { return fmt::format("transformer_blocks.{}.", index); }

namespace {

BlockWeights load_block(Loader& l, const TransformerConfig& c, int index) {
    const std::string b = transformer_block_prefix(index);
    BlockWeights bw;
    bw.video = load_block_stream(l, c, c.video, b, "");
    if (!c.has_audio()) return bw;
    bw.audio = load_block_stream(l, c, c.audio, b, "audio_");
    // Both AV cross-attentions run with the audio head count and head size.
    bw.audio_to_video_attn = l.attention(b + "audio_to_video_attn", c.video.dim(), c.audio.dim(), c.audio.heads,
                                         c.audio.head_dim, c.gated_attention);
    bw.video_to_audio_attn = l.attention(b + "video_to_audio_attn", c.audio.dim(), c.video.dim(), c.audio.heads,
                                         c.audio.head_dim, c.gated_attention);
    bw.video.cross_scale_shift_table = l.get(b + "scale_shift_table_a2v_ca_video", {5, c.video.dim()});
    bw.audio.cross_scale_shift_table = l.get(b + "scale_shift_table_a2v_ca_audio", {5, c.audio.dim()});
    return bw;
}

}  // namespace

TransformerWeights load_transformer_weights(const WeightStore& store, const TransformerConfig& c,
                                            BlockResidency residency) {
    Loader l(store);
    TransformerWeights w;
    const bool av = c.has_audio();
    w.video = load_stream(l, c, c.video, "", "av_ca_video_scale_shift_adaln_single", "av_ca_a2v_gate_adaln_single");
    if (av) w.audio = load_stream(l, c, c.audio, "audio_", "av_ca_audio_scale_shift_adaln_single", "av_ca_v2a_gate_adaln_single");

    Loader shapes(store, nullptr, Loader::Mode::ShapesOnly);
    for (int i = 0; i < c.num_layers; ++i) {
        if (residency == BlockResidency::Resident)
            w.blocks.push_back(load_block(l, c, i));
        else
            (void)load_block(shapes, c, i);
    }

    l.reject_unused(transformer_foreign_prefixes(), fmt::format("the {} transformer", av ? "audio+video" : "video-only"));
    w.tensor_count = l.count() + shapes.count();
    w.bf16 = w.video.patchify_proj.weight.dtype() == DType::BF16;
    return w;
}

BlockWeights load_block_weights(const WeightStore& store, const TransformerConfig& config, int index,
                                WeightArena* arena) {
    Loader l(store, arena);
    return load_block(l, config, index);
}

BlockTextAttention load_block_text_attention(const WeightStore& store, const TransformerConfig& c, int index,
                                             WeightArena* arena) {
    Loader l(store, arena);
    const std::string b = transformer_block_prefix(index);
    BlockTextAttention a;
    a.video = l.attention(b + "attn2", c.video.dim(), c.video.context_dim, c.video.heads, c.video.head_dim,
                          c.gated_attention);
    if (c.cross_attention_adaln) a.video_prompt_table = l.get(b + "prompt_scale_shift_table", {2, c.video.dim()});
    if (c.has_audio()) {
        a.audio = l.attention(b + "audio_attn2", c.audio.dim(), c.audio.context_dim, c.audio.heads,
                              c.audio.head_dim, c.gated_attention);
        if (c.cross_attention_adaln)
            a.audio_prompt_table = l.get(b + "audio_prompt_scale_shift_table", {2, c.audio.dim()});
    }
    return a;
}

}  // namespace ltx2
