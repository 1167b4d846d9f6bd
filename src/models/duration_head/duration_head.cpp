#include "models/duration_head/duration_head.h"

#include <cmath>
#include <vector>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "ops/attention.h"
#include "ops/elementwise.h"
#include "ops/linear.h"
#include "ops/pointwise.h"
#include "ops/rows.h"
#include "models/config_section.h"
#include "models/weight_loader.h"

namespace ltx2 {

namespace {

DurationHeadConfig read_config(const WeightStore& store) {
    DurationHeadConfig c;
    const std::string source = store.describe();
    const nlohmann::json config = store.has_config() ? store.config() : nlohmann::json::object();
    const ConfigSection t = ConfigSection::of(config, "transformer", source, true, "an LTX-2.5 duration head file");
    c.video_dim = t.integer("cross_attention_dim", c.video_dim);
    c.audio_dim = t.integer("audio_cross_attention_dim", c.audio_dim);
    // The reference reads no other transformer key here, and leaves `duration_head` a placeholder
    // with these defaults.
    const ConfigSection h = ConfigSection::of(config, "duration_head", source);
    c.pooler_hidden_dim = h.integer("pooler_hidden_dim", c.pooler_hidden_dim);
    c.num_queries = h.integer("num_queries", c.num_queries);
    c.num_pooler_heads = h.integer("num_pooler_heads", c.num_pooler_heads);
    c.mlp_hidden = h.integer("mlp_hidden", c.mlp_hidden);
    h.reject_unknown();
    if (c.pooler_hidden_dim % c.num_pooler_heads != 0)
        fail("{}: config key 'duration_head.pooler_hidden_dim' {} is not a multiple of num_pooler_heads {}", source,
             c.pooler_hidden_dim, c.num_pooler_heads);
    return c;
}

Tensor f32(const Tensor& t) { return t.to(DType::F32).contiguous(); }

Tensor concat_tokens(const Tensor& a, const Tensor& b) {
    if (!a.defined()) return b;
    if (!b.defined()) return a;
    Tensor out = Tensor::zeros({a.size(0), a.size(1) + b.size(1), a.size(2)});
    out.slice(1, 0, a.size(1)).copy_from(a);
    out.slice(1, a.size(1), a.size(1) + b.size(1)).copy_from(b);
    return out;
}

}  // namespace

bool DurationHead::present(const std::string& path) {
    return WeightStore::open(path, "duration_head.").has("attention_pooler.query_tokens");
}

DurationHead DurationHead::load(const WeightStore& store) {
    DurationHead h;
    h.config_ = read_config(store);
    const DurationHeadConfig& c = h.config_;
    const int d = c.pooler_hidden_dim;
    ModelWeightLoader l(store);
    DurationHeadWeights& w = h.w_;
    w.video_proj_w = l.get("video_input_proj.weight", {d, c.video_dim});
    w.video_proj_b = l.get("video_input_proj.bias", {d});
    w.video_emb = l.get("video_modality_emb", {d});
    w.audio_proj_w = l.get("audio_input_proj.weight", {d, c.audio_dim});
    w.audio_proj_b = l.get("audio_input_proj.bias", {d});
    w.audio_emb = l.get("audio_modality_emb", {d});
    w.query_tokens = l.get("attention_pooler.query_tokens", {c.num_queries, d});
    w.in_proj_w = l.get("attention_pooler.cross_attn.in_proj_weight", {3 * d, d});
    w.in_proj_b = l.get("attention_pooler.cross_attn.in_proj_bias", {3 * d});
    w.out_proj_w = l.get("attention_pooler.cross_attn.out_proj.weight", {d, d});
    w.out_proj_b = l.get("attention_pooler.cross_attn.out_proj.bias", {d});
    w.mlp_hidden_w = l.get("mlp_hidden.weight", {c.mlp_hidden, d * c.num_queries});
    w.mlp_hidden_b = l.get("mlp_hidden.bias", {c.mlp_hidden});
    w.mlp_out_w = l.get("mlp_out.weight", {1, c.mlp_hidden});
    w.mlp_out_b = l.get("mlp_out.bias", {1});
    l.reject_unused({}, "the LTX-2.5 duration head");
    return h;
}

DurationPrediction DurationHead::forward(const Tensor& video_tokens, const Tensor& audio_tokens) const {
    const DurationHeadConfig& c = config_;
    LTX2_CHECK(video_tokens.defined() || audio_tokens.defined(),
               "duration head: needs the video or the audio connector output (or both)");
    auto check = [](const Tensor& t, int width, const char* what) {
        LTX2_CHECK(!t.defined() || (t.dim() == 3 && t.size(2) == width), "duration head: {} tokens have shape {}, "
                   "expected (B, T, {})", what, t.defined() ? shape_str(t.shape()) : "", width);
    };
    check(video_tokens, c.video_dim, "video");
    check(audio_tokens, c.audio_dim, "audio");
    const Tensor video = video_tokens.defined()
                             ? add_row(linear(f32(video_tokens), w_.video_proj_w, w_.video_proj_b), f32(w_.video_emb))
                             : Tensor();
    const Tensor audio = audio_tokens.defined()
                             ? add_row(linear(f32(audio_tokens), w_.audio_proj_w, w_.audio_proj_b), f32(w_.audio_emb))
                             : Tensor();
    const Tensor tokens = concat_tokens(video, audio);
    LTX2_CHECK(!video.defined() || !audio.defined() || video.size(0) == audio.size(0),
               "duration head: video batch {} and audio batch {} differ", video.size(0), audio.size(0));
    const int64_t B = tokens.size(0), d = c.pooler_hidden_dim;

    // nn.MultiheadAttention: rows [0, d) / [d, 2d) / [2d, 3d) of in_proj are Wq / Wk / Wv.
    const Tensor in_w = f32(w_.in_proj_w), in_b = f32(w_.in_proj_b);
    const Tensor queries = f32(w_.query_tokens).reshape({1, c.num_queries, d});
    Tensor q = Tensor::zeros({B, c.num_queries, d});
    for (int64_t b = 0; b < B; ++b)
        q.select(0, b).copy_from(linear(queries, in_w.slice(0, 0, d), in_b.slice(0, 0, d)).select(0, 0));
    const Tensor k = linear(tokens, in_w.slice(0, d, 2 * d), in_b.slice(0, d, 2 * d));
    const Tensor v = linear(tokens, in_w.slice(0, 2 * d, 3 * d), in_b.slice(0, 2 * d, 3 * d));
    const Tensor heads = attention(q, k, v, Tensor(), c.num_pooler_heads, Precision::F32);

    DurationPrediction out;
    out.pooled = linear(heads, w_.out_proj_w, w_.out_proj_b);
    Tensor hidden = linear(out.pooled.reshape({B, 1, d * c.num_queries}), w_.mlp_hidden_w, w_.mlp_hidden_b);
    gelu_tanh_inplace(hidden);
    out.log_seconds = linear(hidden, w_.mlp_out_w, w_.mlp_out_b).reshape({B});
    out.seconds = out.log_seconds.clone();
    exp_inplace(out.seconds);
    return out;
}

int64_t duration_to_num_frames(double seconds, double fps, double min_seconds, double max_seconds) {
    LTX2_CHECK(std::isfinite(fps) && fps > 0, "duration: frame rate must be > 0, got {}", fps);
    LTX2_CHECK(std::isfinite(min_seconds) && std::isfinite(max_seconds) && min_seconds > 0 && min_seconds <= max_seconds,
               "duration: the range [{}, {}] s is not a valid range of positive seconds", min_seconds, max_seconds);
    LTX2_CHECK(std::isfinite(seconds), "duration: the predicted duration {} s is not a number", seconds);
    const auto round_even = [](double x) { return int64_t(std::nearbyint(x)); };
    const int64_t min_frames = round_even(min_seconds * fps), max_frames = round_even(max_seconds * fps);
    const int64_t raw = std::max(min_frames, std::min(round_even(seconds * fps), max_frames));
    LTX2_CHECK(raw >= 1, "duration: {} s at {} fps is less than one frame", min_seconds, fps);
    int64_t frames = (raw - 1) / 8 * 8 + 1;
    if (frames < min_frames) frames = std::min((min_frames - 1 + 7) / 8 * 8 + 1, max_frames);
    return frames;
}

}  // namespace ltx2
