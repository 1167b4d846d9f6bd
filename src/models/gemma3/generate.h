#pragma once
// Text generation with a Gemma 3 model: the prompt runs once through the layers into a KV
// cache, then every new token alone; a TokenSampler picks each next token from the logits of
// the last position. Generation ends after a stop token (which is kept, as Hugging Face's
// generate() keeps it) or after max_new_tokens tokens.
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "core/tensor.h"
#include "models/gemma3/model.h"
#include "models/token_sampling.h"

namespace ltx2 {

enum class StopReason { StopToken, TokenLimit };
const char* stop_reason_name(StopReason reason);  // "stop token" / "token limit"

struct Gemma3GenerateOptions {
    int max_new_tokens = 512;        // >= 1
    std::vector<int64_t> stop_ids;   // e.g. <eos>, <end_of_turn>
    SamplingOptions sampling;        // greedy by default
    uint64_t seed = 0;               // sampled generation only
    // After each step: its index, the logits it chose from (F32 [vocab]) and the chosen id.
    std::function<void(int step, const Tensor& logits, int64_t id)> on_step;
};

struct Gemma3Generation {
    std::vector<int64_t> ids;  // the new tokens, a final stop token included
    StopReason stopped_by = StopReason::TokenLimit;
};

// `prompt_ids`: the real tokens of the prompt at positions 0, 1, ... (left padding, which never
// influences real tokens, is left out).
Gemma3Generation gemma3_generate(const Gemma3Model& model, std::span<const int64_t> prompt_ids,
                                 const Gemma3GenerateOptions& options);

}  // namespace ltx2
