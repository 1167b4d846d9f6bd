#include "diffusion/guiders.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <vector>

#include "core/error.h"
#include "ops/guidance.h"

namespace ltx2 {

namespace {

void check_pair(const char* what, const Tensor& a, const Tensor& b) {
    LTX2_CHECK(a.dim() >= 1, "{}: inputs need a batch dimension", what);
    LTX2_CHECK(a.shape() == b.shape(), "{}: input shapes differ: {} vs {}", what, shape_str(a.shape()),
               shape_str(b.shape()));
}

// Caps `g` to L2 norm `threshold` per group of the last three dims: g · min(1, threshold/‖g‖).
void cap_norm(Tensor& g, double threshold) {
    LTX2_CHECK(g.dim() >= 3, "APG guider: norm threshold needs tensors of at least 3 dims, got {}",
               shape_str(g.shape()));
    cap_group_norm_inplace(g, g.size(-1) * g.size(-2) * g.size(-3), float(threshold));
}

// (parallel·eta + orthogonal) · scale, the parallel part of g along cond per sample.
Tensor apg_combine(const Tensor& cond, const Tensor& g, double eta, float scale) {
    return apg_blend(g, cond, projection_coef(g, cond), float(eta), scale);
}

bool isclose(double a, double b) { return a == b || std::fabs(a - b) <= 1e-9 * std::max(std::fabs(a), std::fabs(b)); }

}  // namespace

Tensor projection_coef(const Tensor& to_project, const Tensor& project_onto) {
    check_pair("projection_coef", to_project, project_onto);
    return projection_coefficients(to_project, project_onto);
}

Tensor cfg_delta(double scale, const Tensor& cond, const Tensor& uncond) {
    check_pair("CFGGuider", cond, uncond);
    return scaled_difference(float(scale - 1), cond, uncond);
}

Tensor cfg_star_delta(double scale, const Tensor& cond, const Tensor& uncond) {
    check_pair("CFGStarRescalingGuider", cond, uncond);
    return scaled_difference(float(scale - 1), cond, uncond, projection_coef(cond, uncond));
}

Tensor stg_delta(double scale, const Tensor& cond, const Tensor& perturbed) {
    check_pair("STGGuider", cond, perturbed);
    return scaled_difference(float(scale), cond, perturbed);
}

Tensor apg_delta(double scale, const Tensor& cond, const Tensor& uncond, double eta, double norm_threshold) {
    check_pair("LtxAPGGuider", cond, uncond);
    Tensor g = scaled_difference(1.0f, cond, uncond);
    if (norm_threshold > 0) cap_norm(g, norm_threshold);
    return apg_combine(cond, g, eta, float(scale - 1));
}

Tensor LegacyStatefulAPGGuider::delta(const Tensor& cond, const Tensor& uncond) {
    check_pair("LegacyStatefulAPGGuider", cond, uncond);
    Tensor g = scaled_difference(1.0f, cond, uncond);
    if (momentum_ != 0) {
        if (!running_avg_.defined()) {
            running_avg_ = g.clone();
        } else {
            LTX2_CHECK(running_avg_.shape() == cond.shape(),
                       "LegacyStatefulAPGGuider: shape {} differs from the running average's {} (one guider per "
                       "denoising run and modality)",
                       shape_str(cond.shape()), shape_str(running_avg_.shape()));
            momentum_accumulate_inplace(running_avg_, g, float(momentum_));
        }
        g = running_avg_.clone();
    }
    if (norm_threshold_ > 0) cap_norm(g, norm_threshold_);
    return apg_combine(cond, g, eta_, float(scale_));
}

Tensor MultiModalGuider::calculate(const Tensor& cond, const GuidanceBranch& uncond_text,
                                   const GuidanceBranch& uncond_perturbed,
                                   const GuidanceBranch& uncond_modality) const {
    // A branch the pipeline did not run is a plain number: a tensor of that value.
    auto branch = [&](const GuidanceBranch& b, const char* name) {
        if (!b.tensor.defined())
            return Tensor::from_f32(cond.shape(), std::vector<float>(size_t(cond.numel()), float(b.scalar)));
        LTX2_CHECK(b.tensor.shape() == cond.shape(), "MultiModalGuider: {} shape {} differs from cond shape {}", name,
                   shape_str(b.tensor.shape()), shape_str(cond.shape()));
        return b.tensor;
    };
    const std::array<Tensor, 3> others = {branch(uncond_text, "uncond_text"),
                                          branch(uncond_perturbed, "uncond_perturbed"),
                                          branch(uncond_modality, "uncond_modality")};
    const std::array<float, 3> weights = {float(params_.cfg_scale - 1), float(params_.stg_scale),
                                          float(params_.modality_scale - 1)};
    Tensor pred = guidance_sum(cond, weights, others);
    if (params_.rescale_scale != 0) {
        LTX2_CHECK(cond.numel() >= 2, "MultiModalGuider: rescale needs at least 2 elements for a standard deviation");
        std_rescale_inplace(pred, cond, params_.rescale_scale);
    }
    return pred;
}

bool MultiModalGuider::do_unconditional_generation() const { return !isclose(params_.cfg_scale, 1.0); }
bool MultiModalGuider::do_perturbed_generation() const { return !isclose(params_.stg_scale, 0.0); }
bool MultiModalGuider::do_isolated_modality_generation() const { return !isclose(params_.modality_scale, 1.0); }

bool MultiModalGuider::should_skip_step(int step) const {
    LTX2_CHECK(params_.skip_step >= 0, "MultiModalGuider: skip_step must be >= 0, got {}", params_.skip_step);
    if (params_.skip_step == 0) return false;
    return step % (params_.skip_step + 1) != 0;
}

}  // namespace ltx2
