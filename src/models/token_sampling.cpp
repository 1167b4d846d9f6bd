#include "models/token_sampling.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/error.h"

namespace ltx2 {

int64_t argmax_first(std::span<const float> logits) {
    LTX2_CHECK(!logits.empty(), "sampling: no logits");
    return int64_t(std::max_element(logits.begin(), logits.end()) - logits.begin());  // first of equal maxima
}

std::vector<TokenCandidate> sampling_candidates(std::span<const float> logits, const SamplingOptions& o) {
    if (o.greedy) return {{argmax_first(logits), 1.0}};
    const int64_t n = int64_t(logits.size());
    std::vector<int64_t> ids(static_cast<size_t>(n));
    std::iota(ids.begin(), ids.end(), int64_t(0));
    const auto more_likely = [&](int64_t a, int64_t b) {
        return logits[size_t(a)] > logits[size_t(b)] || (logits[size_t(a)] == logits[size_t(b)] && a < b);
    };
    if (o.top_k > 0 && o.top_k < n) {
        std::nth_element(ids.begin(), ids.begin() + (o.top_k - 1), ids.end(), more_likely);
        const float kth = logits[size_t(ids[size_t(o.top_k - 1)])];
        // Every token at least as likely as the k-th stays (ties at the threshold included).
        ids.erase(std::partition(ids.begin(), ids.end(), [&](int64_t id) { return logits[size_t(id)] >= kth; }),
                  ids.end());
    }
    std::sort(ids.begin(), ids.end(), more_likely);

    // Softmax of logits / temperature over the candidates, in double.
    const double top = double(logits[size_t(ids.front())]) / o.temperature;
    std::vector<TokenCandidate> out;
    out.reserve(ids.size());
    double sum = 0;
    for (int64_t id : ids) {
        const double p = std::exp(double(logits[size_t(id)]) / o.temperature - top);
        out.push_back({id, p});
        sum += p;
    }
    for (auto& c : out) c.probability /= sum;

    if (o.top_p < 1.0) {
        // Hugging Face drops, from the least likely up, every token whose cumulative probability
        // (least likely first) stays at or below 1 − top_p; the most likely token always stays.
        double tail = 0;
        size_t keep = out.size();
        while (keep > 1 && tail + out[keep - 1].probability <= 1.0 - o.top_p) tail += out[--keep].probability;
        out.resize(keep);
        double kept = 0;
        for (const auto& c : out) kept += c.probability;
        for (auto& c : out) c.probability /= kept;
    }
    return out;
}

TokenSampler::TokenSampler(SamplingOptions options, uint64_t seed) : options_(options), rng_(seed) {
    if (options_.greedy) return;
    LTX2_CHECK(options_.temperature > 0 && std::isfinite(options_.temperature),
               "sampling: temperature {} must be a positive number", options_.temperature);
    LTX2_CHECK(options_.top_k >= 0, "sampling: top_k {} must not be negative", options_.top_k);
    LTX2_CHECK(options_.top_p > 0 && options_.top_p <= 1, "sampling: top_p {} must lie in (0, 1]", options_.top_p);
}

int64_t TokenSampler::next(std::span<const float> logits) {
    if (options_.greedy) return argmax_first(logits);
    const std::vector<TokenCandidate> candidates = sampling_candidates(logits, options_);
    const double u = double(rng_() >> 11) * 0x1.0p-53;  // uniform in [0, 1)
    double cumulative = 0;
    for (const auto& c : candidates) {
        cumulative += c.probability;
        if (u < cumulative) return c.id;
    }
    return candidates.back().id;  // u beyond the rounded total
}

}  // namespace ltx2
