#pragma once
// Choosing the next token from a language model's logits: greedy (the highest logit, the first
// on ties) or sampled, as Hugging Face's generate() samples: logits divided by the temperature,
// then top-k (the k highest, ties at the k-th kept), then top-p (the smallest set of most likely
// tokens whose probability reaches top_p), then one draw from the renormalized softmax.
// The draws come from our own seeded generator (std::mt19937_64, 53-bit uniforms): a seed gives
// the same tokens on every machine, but not the tokens torch's generator would draw.
#include <cstdint>
#include <random>
#include <span>
#include <vector>

namespace ltx2 {

struct SamplingOptions {
    bool greedy = true;
    double temperature = 1.0;  // > 0
    int top_k = 0;             // 0: no top-k filter
    double top_p = 1.0;        // (0, 1]; 1: no top-p filter
};

// Index of the largest value, the first one on ties.
int64_t argmax_first(std::span<const float> logits);

struct TokenCandidate {
    int64_t id;
    double probability;
};
// The tokens a sampled step may draw, most likely first, with their renormalized probabilities
// (summing to 1); a single candidate when greedy.
std::vector<TokenCandidate> sampling_candidates(std::span<const float> logits, const SamplingOptions& options);

class TokenSampler {
public:
    // Throws naming the setting when a value is out of range.
    TokenSampler(SamplingOptions options, uint64_t seed);
    int64_t next(std::span<const float> logits);
    const SamplingOptions& options() const { return options_; }

private:
    SamplingOptions options_;
    std::mt19937_64 rng_;
};

}  // namespace ltx2
