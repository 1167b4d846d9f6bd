#include "kernels/cpu/guidance.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/error.h"

namespace ltx2::cpu {

namespace {

void check_same_shape(const char* op, const Tensor& a, const Tensor& b) {
    LTX2_CHECK(a.shape() == b.shape(), "{}: input shapes differ: {} vs {}", op, shape_str(a.shape()),
               shape_str(b.shape()));
}

// Elements per sample (dim 0) of `x`, given a coefficient tensor of one value per sample.
int64_t per_sample(const char* op, const Tensor& x, const Tensor& coef) {
    LTX2_CHECK(x.dim() >= 1 && x.size(0) >= 1, "{}: inputs need a non-empty batch dimension, got {}", op,
               shape_str(x.shape()));
    LTX2_CHECK(coef.dim() == 1 && coef.size(0) == x.size(0), "{}: coefficients {} must be one per sample of {}", op,
               shape_str(coef.shape()), shape_str(x.shape()));
    return x.numel() / x.size(0);
}

// Sample standard deviation (N − 1) of n floats: mean, then sum of squared deviations, in double.
double std_bessel(const float* v, int64_t n) {
    double mean = 0;
    for (int64_t i = 0; i < n; ++i) mean += v[i];
    mean /= double(n);
    double ss = 0;
    for (int64_t i = 0; i < n; ++i) ss += (double(v[i]) - mean) * (double(v[i]) - mean);
    return std::sqrt(ss / double(n - 1));
}

}  // namespace

Tensor scaled_difference(float scale, const Tensor& a, const Tensor& b, const Tensor& coef) {
    check_same_shape("scaled_difference", a, b);
    const Tensor as = a.to(DType::F32), bs = b.to(DType::F32);
    const float *pa = as.f32(), *pb = bs.f32();
    Tensor out = Tensor::empty(a.shape());
    float* o = out.f32();
    const int64_t n = a.numel();
    if (!coef.defined()) {
#pragma omp parallel for schedule(static)
        for (int64_t i = 0; i < n; ++i) o[i] = scale * (pa[i] - pb[i]);
        return out;
    }
    const int64_t per = per_sample("scaled_difference", a, coef);
    const Tensor cs = coef.to(DType::F32);
    const float* c = cs.f32();
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < n; ++i) o[i] = scale * (pa[i] - c[i / per] * pb[i]);
    return out;
}

Tensor guidance_sum(const Tensor& cond, std::span<const float> weights, std::span<const Tensor> others) {
    LTX2_CHECK(weights.size() == others.size(), "guidance_sum: {} weights for {} predictions", weights.size(),
               others.size());
    const Tensor cs = cond.to(DType::F32);
    std::vector<Tensor> os;
    std::vector<const float*> po;
    for (const Tensor& t : others) {
        check_same_shape("guidance_sum", cond, t);
        os.push_back(t.to(DType::F32));
        po.push_back(os.back().f32());
    }
    const float* c = cs.f32();
    Tensor out = Tensor::empty(cond.shape());
    float* o = out.f32();
    const int64_t n = cond.numel();
    const size_t terms = weights.size();
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < n; ++i) {
        float v = c[i];
        for (size_t k = 0; k < terms; ++k) v = v + weights[k] * (c[i] - po[k][i]);
        o[i] = v;
    }
    return out;
}

Tensor projection_coefficients(const Tensor& a, const Tensor& b) {
    check_same_shape("projection_coefficients", a, b);
    LTX2_CHECK(a.dim() >= 1 && a.size(0) >= 1, "projection_coefficients: inputs need a non-empty batch, got {}",
               shape_str(a.shape()));
    const Tensor as = a.to(DType::F32), bs = b.to(DType::F32);
    const float *pa = as.f32(), *pb = bs.f32();
    const int64_t B = a.size(0), per = a.numel() / B;
    Tensor out = Tensor::empty({B});
    float* o = out.f32();
#pragma omp parallel for schedule(static)
    for (int64_t s = 0; s < B; ++s) {
        double dot = 0, sq = 0;
        for (int64_t i = s * per; i < (s + 1) * per; ++i) {
            dot += double(pa[i]) * double(pb[i]);
            sq += double(pb[i]) * double(pb[i]);
        }
        o[s] = float(dot) / (float(sq) + 1e-8f);
    }
    return out;
}

void cap_group_norm_inplace(Tensor& g, int64_t group, float threshold) {
    LTX2_CHECK(group >= 1 && g.numel() % group == 0, "cap_group_norm: {} elements do not split into groups of {}",
               g.numel(), group);
    float* p = g.f32();
    const int64_t groups = g.numel() / group;
#pragma omp parallel for schedule(static)
    for (int64_t s = 0; s < groups; ++s) {
        float* v = p + s * group;
        double ss = 0;
        for (int64_t i = 0; i < group; ++i) ss += double(v[i]) * double(v[i]);
        const float norm = float(std::sqrt(ss));
        const float factor = std::min(1.0f, (1.0f / norm) * threshold);
        for (int64_t i = 0; i < group; ++i) v[i] = v[i] * factor;
    }
}

Tensor apg_blend(const Tensor& g, const Tensor& cond, const Tensor& coef, float eta, float scale) {
    check_same_shape("apg_blend", g, cond);
    const int64_t per = per_sample("apg_blend", cond, coef);
    const Tensor gs = g.to(DType::F32), cs = cond.to(DType::F32), ks = coef.to(DType::F32);
    const float *pg = gs.f32(), *c = cs.f32(), *k = ks.f32();
    Tensor out = Tensor::empty(cond.shape());
    float* o = out.f32();
    const int64_t n = cond.numel();
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < n; ++i) {
        const float parallel = k[i / per] * c[i];
        const float orthogonal = pg[i] - parallel;
        o[i] = (parallel * eta + orthogonal) * scale;
    }
    return out;
}

void momentum_accumulate_inplace(Tensor& average, const Tensor& g, float momentum) {
    check_same_shape("momentum_accumulate", average, g);
    const Tensor gs = g.to(DType::F32);
    const float* pg = gs.f32();
    float* r = average.f32();
    const int64_t n = average.numel();
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < n; ++i) r[i] = momentum * r[i] + pg[i];
}

void std_rescale_inplace(Tensor& pred, const Tensor& reference, double rescale) {
    check_same_shape("std_rescale", pred, reference);
    LTX2_CHECK(pred.numel() >= 2, "std_rescale: a standard deviation needs at least 2 elements, got {}",
               pred.numel());
    const Tensor rs = reference.to(DType::F32);
    float* p = pred.f32();
    const int64_t n = pred.numel();
    const float ratio = float(std_bessel(rs.f32(), n)) / float(std_bessel(p, n));
    const float factor = float(rescale) * ratio + float(1 - rescale);
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < n; ++i) p[i] = p[i] * factor;
}

}  // namespace ltx2::cpu
