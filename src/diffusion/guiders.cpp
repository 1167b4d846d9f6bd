#include "diffusion/guiders.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "diffusion/float32_ops.h"

namespace ltx2 {

namespace {

void check_pair(const char* what, const Tensor& a, const Tensor& b) {
    LTX2_CHECK(a.dim() >= 1, "{}: inputs need a batch dimension", what);
    LTX2_CHECK(a.shape() == b.shape(), "{}: input shapes differ: {} vs {}", what, shape_str(a.shape()),
               shape_str(b.shape()));
}

Tensor make(const Tensor& like, std::vector<float> v) { return Tensor::from_f32(like.shape(), v); }

// scale · (a − b·coef_per_sample), float32 (coef 1 when empty).
std::vector<float> scaled_difference(float scale, const std::vector<float>& a, const std::vector<float>& b) {
    std::vector<float> out(a.size());
    for (size_t i = 0; i < a.size(); ++i) out[i] = f32::mul(scale, f32::sub(a[i], b[i]));
    return out;
}

// Caps `g` to L2 norm `threshold` per group of the last three dims: g · min(1, threshold/‖g‖).
void cap_norm(std::vector<float>& g, const Tensor& like, double threshold) {
    LTX2_CHECK(like.dim() >= 3, "APG guider: norm threshold needs tensors of at least 3 dims, got {}",
               shape_str(like.shape()));
    const size_t group = size_t(like.size(-1) * like.size(-2) * like.size(-3));
    for (size_t s = 0; s < g.size(); s += group) {
        double ss = 0;
        for (size_t i = s; i < s + group; ++i) ss += double(g[i]) * double(g[i]);
        const float norm = float(std::sqrt(ss));
        const float factor = std::min(1.0f, f32::mul(f32::div(1.0f, norm), float(threshold)));
        for (size_t i = s; i < s + group; ++i) g[i] = f32::mul(g[i], factor);
    }
}

// (parallel·eta + orthogonal) · scale, the parallel part of g along cond per sample.
Tensor apg_combine(const Tensor& cond, const std::vector<float>& g, double eta, float scale) {
    const Tensor gt = make(cond, g);
    const std::vector<float> coef = projection_coef(gt, cond);
    const std::vector<float> c = cond.to_vector();
    const size_t per = c.size() / coef.size();
    std::vector<float> out(c.size());
    for (size_t i = 0; i < c.size(); ++i) {
        const float par = f32::mul(coef[i / per], c[i]);
        const float orth = f32::sub(g[i], par);
        out[i] = f32::mul(f32::add(f32::mul(par, float(eta)), orth), scale);
    }
    return make(cond, out);
}

double std_bessel(const std::vector<float>& v) {
    LTX2_CHECK(v.size() >= 2, "MultiModalGuider: rescale needs at least 2 elements for a standard deviation");
    double mean = 0;
    for (float x : v) mean += x;
    mean /= double(v.size());
    double ss = 0;
    for (float x : v) ss += (double(x) - mean) * (double(x) - mean);
    return std::sqrt(ss / double(v.size() - 1));
}

bool isclose(double a, double b) { return a == b || std::fabs(a - b) <= 1e-9 * std::max(std::fabs(a), std::fabs(b)); }

}  // namespace

std::vector<float> projection_coef(const Tensor& to_project, const Tensor& project_onto) {
    check_pair("projection_coef", to_project, project_onto);
    const std::vector<float> a = to_project.to_vector(), b = project_onto.to_vector();
    const int64_t B = to_project.size(0);
    LTX2_CHECK(B >= 1, "projection_coef: empty batch");
    const size_t per = a.size() / size_t(B);
    std::vector<float> out(static_cast<size_t>(B));
    for (int64_t s = 0; s < B; ++s) {
        double dot = 0, sq = 0;
        for (size_t i = size_t(s) * per; i < size_t(s + 1) * per; ++i) {
            dot += double(a[i]) * double(b[i]);
            sq += double(b[i]) * double(b[i]);
        }
        out[size_t(s)] = f32::div(float(dot), f32::add(float(sq), 1e-8f));
    }
    return out;
}

Tensor cfg_delta(double scale, const Tensor& cond, const Tensor& uncond) {
    check_pair("CFGGuider", cond, uncond);
    return make(cond, scaled_difference(float(scale - 1), cond.to_vector(), uncond.to_vector()));
}

Tensor cfg_star_delta(double scale, const Tensor& cond, const Tensor& uncond) {
    check_pair("CFGStarRescalingGuider", cond, uncond);
    const std::vector<float> coef = projection_coef(cond, uncond);
    const std::vector<float> c = cond.to_vector(), u = uncond.to_vector();
    const size_t per = c.size() / coef.size();
    std::vector<float> out(c.size());
    const float s = float(scale - 1);
    for (size_t i = 0; i < c.size(); ++i) out[i] = f32::mul(s, f32::sub(c[i], f32::mul(coef[i / per], u[i])));
    return make(cond, out);
}

Tensor stg_delta(double scale, const Tensor& cond, const Tensor& perturbed) {
    check_pair("STGGuider", cond, perturbed);
    return make(cond, scaled_difference(float(scale), cond.to_vector(), perturbed.to_vector()));
}

Tensor apg_delta(double scale, const Tensor& cond, const Tensor& uncond, double eta, double norm_threshold) {
    check_pair("LtxAPGGuider", cond, uncond);
    std::vector<float> g = scaled_difference(1.0f, cond.to_vector(), uncond.to_vector());
    if (norm_threshold > 0) cap_norm(g, cond, norm_threshold);
    return apg_combine(cond, g, eta, float(scale - 1));
}

Tensor LegacyStatefulAPGGuider::delta(const Tensor& cond, const Tensor& uncond) {
    check_pair("LegacyStatefulAPGGuider", cond, uncond);
    std::vector<float> g = scaled_difference(1.0f, cond.to_vector(), uncond.to_vector());
    if (momentum_ != 0) {
        if (!running_avg_.defined()) {
            running_avg_ = make(cond, g);
        } else {
            LTX2_CHECK(running_avg_.shape() == cond.shape(),
                       "LegacyStatefulAPGGuider: shape {} differs from the running average's {} (one guider per "
                       "denoising run and modality)",
                       shape_str(cond.shape()), shape_str(running_avg_.shape()));
            float* r = running_avg_.f32();
            const float m = float(momentum_);
            for (size_t i = 0; i < g.size(); ++i) r[i] = f32::add(f32::mul(m, r[i]), g[i]);
        }
        g = running_avg_.to_vector();
    }
    if (norm_threshold_ > 0) cap_norm(g, cond, norm_threshold_);
    return apg_combine(cond, g, eta_, float(scale_));
}

Tensor MultiModalGuider::calculate(const Tensor& cond, const GuidanceBranch& uncond_text,
                                   const GuidanceBranch& uncond_perturbed,
                                   const GuidanceBranch& uncond_modality) const {
    const std::vector<float> c = cond.to_vector();
    auto branch = [&](const GuidanceBranch& b, const char* name) {
        if (!b.tensor.defined()) return std::vector<float>(c.size(), float(b.scalar));
        LTX2_CHECK(b.tensor.shape() == cond.shape(), "MultiModalGuider: {} shape {} differs from cond shape {}", name,
                   shape_str(b.tensor.shape()), shape_str(cond.shape()));
        return b.tensor.to_vector();
    };
    const std::vector<float> u = branch(uncond_text, "uncond_text"), p = branch(uncond_perturbed, "uncond_perturbed"),
                             m = branch(uncond_modality, "uncond_modality");
    const float cfg = float(params_.cfg_scale - 1), stg = float(params_.stg_scale),
                mod = float(params_.modality_scale - 1);
    std::vector<float> pred(c.size());
    for (size_t i = 0; i < c.size(); ++i) {
        float v = f32::add(c[i], f32::mul(cfg, f32::sub(c[i], u[i])));
        v = f32::add(v, f32::mul(stg, f32::sub(c[i], p[i])));
        pred[i] = f32::add(v, f32::mul(mod, f32::sub(c[i], m[i])));
    }
    if (params_.rescale_scale != 0) {
        const float ratio = f32::div(float(std_bessel(c)), float(std_bessel(pred)));
        const float factor = f32::add(f32::mul(float(params_.rescale_scale), ratio), float(1 - params_.rescale_scale));
        for (float& v : pred) v = f32::mul(v, factor);
    }
    return Tensor::from_f32(cond.shape(), pred);
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
