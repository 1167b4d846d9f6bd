#pragma once
// Guidance of ltx_core.components.guiders: the per-branch deltas (CFG, CFG*, STG, APG, the
// stateful legacy APG) and MultiModalGuider, which combines the conditional prediction with
// the unconditional / perturbed / isolated-modality ones. Float32 tensors; the projection
// and norm helpers work per sample (the reference's broadcasting is only correct for batch 1,
// which is what the pipelines run; for batch 1 the two agree).
#include <optional>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace ltx2 {

// ⟨a, b⟩ / (‖b‖² + 1e-8) per sample (dim 0): F32 [B] coefficients.
Tensor projection_coef(const Tensor& to_project, const Tensor& project_onto);

// CFGGuider(scale).delta: (scale − 1)·(cond − uncond). Enabled when scale != 1.
Tensor cfg_delta(double scale, const Tensor& cond, const Tensor& uncond);
// CFGStarRescalingGuider(scale).delta: (scale − 1)·(cond − c·uncond), c = projection_coef(cond, uncond).
Tensor cfg_star_delta(double scale, const Tensor& cond, const Tensor& uncond);
// STGGuider(scale).delta: scale·(cond − perturbed). Enabled when scale != 0.
Tensor stg_delta(double scale, const Tensor& cond, const Tensor& perturbed);
// LtxAPGGuider(scale, eta, norm_threshold).delta. Enabled when scale != 1.
Tensor apg_delta(double scale, const Tensor& cond, const Tensor& uncond, double eta = 1.0,
                 double norm_threshold = 0.0);

// LegacyStatefulAPGGuider: running average `momentum·previous + g` carried between calls;
// use one instance per denoising run and modality. Result · scale. Enabled when scale != 0.
class LegacyStatefulAPGGuider {
public:
    LegacyStatefulAPGGuider(double scale, double eta, double norm_threshold = 5.0, double momentum = 0.0)
        : scale_(scale), eta_(eta), norm_threshold_(norm_threshold), momentum_(momentum) {}
    Tensor delta(const Tensor& cond, const Tensor& uncond);
    bool enabled() const { return scale_ != 0.0; }
    void reset() { running_avg_ = Tensor(); }

private:
    double scale_, eta_, norm_threshold_, momentum_;
    Tensor running_avg_;
};

// Whether the simple guiders do anything (GuiderProtocol.enabled()).
inline bool cfg_enabled(double scale) { return scale != 1.0; }
inline bool cfg_star_enabled(double scale) { return scale != 1.0; }
inline bool stg_enabled(double scale) { return scale != 0.0; }
inline bool apg_enabled(double scale) { return scale != 1.0; }

struct MultiModalGuiderParams {
    double cfg_scale = 1.0;
    double stg_scale = 0.0;
    std::vector<int> stg_blocks;  // transformer blocks perturbed for STG
    double rescale_scale = 0.0;
    double modality_scale = 1.0;
    int skip_step = 0;
};

// A prediction branch: a tensor, or the plain number the pipelines pass for a branch they
// did not run.
struct GuidanceBranch {
    GuidanceBranch(Tensor t) : tensor(std::move(t)) {}  // NOLINT(implicit)
    GuidanceBranch(double v) : scalar(v) {}             // NOLINT(implicit)
    Tensor tensor;
    double scalar = 0.0;
};

class MultiModalGuider {
public:
    explicit MultiModalGuider(MultiModalGuiderParams params) : params_(std::move(params)) {}
    const MultiModalGuiderParams& params() const { return params_; }

    // cond + (cfg − 1)(cond − uncond_text) + stg(cond − uncond_perturbed) + (modality − 1)(cond − uncond_modality),
    // then, if rescale != 0, × (rescale·std(cond)/std(pred) + 1 − rescale) (std over all elements, N − 1).
    Tensor calculate(const Tensor& cond, const GuidanceBranch& uncond_text, const GuidanceBranch& uncond_perturbed,
                     const GuidanceBranch& uncond_modality) const;

    bool do_unconditional_generation() const;      // cfg_scale not close to 1
    bool do_perturbed_generation() const;          // stg_scale not close to 0
    bool do_isolated_modality_generation() const;  // modality_scale not close to 1
    bool should_skip_step(int step) const;         // skip_step > 0 and step % (skip_step + 1) != 0

private:
    MultiModalGuiderParams params_;
};

}  // namespace ltx2
