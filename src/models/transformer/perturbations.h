#pragma once
// Attention perturbations (STG and the modality-isolation pass): per batch sample, which
// attentions contribute nothing in which blocks. Mirrors ltx_core.guidance.perturbations.
#include <optional>
#include <vector>

namespace ltx2 {

enum class PerturbationType { SkipA2VCrossAttn, SkipV2ACrossAttn, SkipVideoSelfAttn, SkipAudioSelfAttn };

struct Perturbation {
    PerturbationType type;
    std::optional<std::vector<int>> blocks;  // nullopt: every block

    bool is_perturbed(PerturbationType t, int block) const {
        if (t != type) return false;
        if (!blocks) return true;
        for (int b : *blocks)
            if (b == block) return true;
        return false;
    }
};

// The perturbations of one batch sample.
struct PerturbationConfig {
    std::vector<Perturbation> perturbations;

    bool is_perturbed(PerturbationType t, int block) const {
        for (const auto& p : perturbations)
            if (p.is_perturbed(t, block)) return true;
        return false;
    }
};

// One PerturbationConfig per batch sample; empty means no perturbation anywhere.
struct BatchedPerturbations {
    std::vector<PerturbationConfig> samples;

    static BatchedPerturbations none(int batch) { return {std::vector<PerturbationConfig>(size_t(batch))}; }
    static BatchedPerturbations uniform(int batch, const PerturbationConfig& c) {
        return {std::vector<PerturbationConfig>(size_t(batch), c)};
    }

    bool perturbed(int sample, PerturbationType t, int block) const {
        return sample < int(samples.size()) && samples[size_t(sample)].is_perturbed(t, block);
    }
    // Every sample skips it: the attention need not run at all.
    bool all_in_batch(PerturbationType t, int block, int batch) const {
        for (int b = 0; b < batch; ++b)
            if (!perturbed(b, t, block)) return false;
        return true;
    }
};

}  // namespace ltx2
