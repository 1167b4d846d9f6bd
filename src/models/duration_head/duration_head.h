#pragma once
// LTX-2.5's duration head (ltx_core.duration_head @ 400fd31): how many seconds a prompt's shot
// should last, predicted from the text connectors' outputs, and the frame count the pipelines
// derive from it when the user gives none (DurationPredictor).
//   tokens = [video_proj(video) + video_emb, audio_proj(audio) + audio_emb] (present streams)
//   pooled = MultiheadAttention(query_tokens, tokens, tokens)   (pooler width, all keys visible)
//   seconds = exp(mlp_out(gelu_tanh(mlp_hidden(pooled))))
#include <cstdint>
#include <optional>
#include <string>

#include "core/tensor.h"
#include "io/weight_store.h"

namespace ltx2 {

struct DurationHeadConfig {
    int video_dim = 4096, audio_dim = 2048;  // the connectors' widths (transformer config)
    int pooler_hidden_dim = 256, num_queries = 1, num_pooler_heads = 4, mlp_hidden = 256;
};

struct DurationHeadWeights {
    Tensor video_proj_w, video_proj_b, video_emb, audio_proj_w, audio_proj_b, audio_emb;
    Tensor query_tokens, in_proj_w, in_proj_b, out_proj_w, out_proj_b;
    Tensor mlp_hidden_w, mlp_hidden_b, mlp_out_w, mlp_out_b;
};

struct DurationPrediction {
    Tensor seconds;      // [B]
    Tensor pooled;       // [B, num_queries, pooler_hidden_dim]
    Tensor log_seconds;  // [B]
};

class DurationHead {
public:
    // `store`: opened with the prefix "duration_head."; its config's `transformer` section gives
    // the input widths, an optional `duration_head` section the head's own sizes.
    static DurationHead load(const WeightStore& store);
    // Whether the file holds a duration head (only LTX-2.5 / Gemma 4 checkpoints do).
    static bool present(const std::string& path);

    // video [B, Tv, video_dim] and/or audio [B, Ta, audio_dim] (an undefined tensor: absent).
    DurationPrediction forward(const Tensor& video_tokens, const Tensor& audio_tokens) const;
    const DurationHeadConfig& config() const { return config_; }

private:
    DurationHeadConfig config_;
    DurationHeadWeights w_;
};

// DurationPredictor: round(seconds·fps) clamped to [round(min·fps), round(max·fps)] (Python
// rounding, half to even), snapped down to 8k + 1; below the minimum after snapping, the next
// 8k + 1 above it (at most the maximum). Throws unless 0 < min <= max and fps > 0.
int64_t duration_to_num_frames(double seconds, double fps, double min_seconds, double max_seconds);

}  // namespace ltx2
