#include "ops/guidance.h"

#include "ops/backend.h"

namespace ltx2 {

Tensor scaled_difference(float scale, const Tensor& a, const Tensor& b, const Tensor& coef) {
    return backend_for("scaled_difference", {&a, &b, &coef}).scaled_difference(scale, a, b, coef);
}

Tensor guidance_sum(const Tensor& cond, std::span<const float> weights, std::span<const Tensor> others) {
    for (const Tensor& other : others) backend_for("guidance_sum", {&cond, &other});  // throws off cond's device
    return backend_for(cond.device()).guidance_sum(cond, weights, others);
}

Tensor projection_coefficients(const Tensor& a, const Tensor& b) {
    return backend_for("projection_coefficients", {&a, &b}).projection_coefficients(a, b);
}

void cap_group_norm_inplace(Tensor& g, int64_t group, float threshold) {
    backend_for(g.device()).cap_group_norm_inplace(g, group, threshold);
}

Tensor apg_blend(const Tensor& g, const Tensor& cond, const Tensor& coef, float eta, float scale) {
    return backend_for("apg_blend", {&g, &cond, &coef}).apg_blend(g, cond, coef, eta, scale);
}

void momentum_accumulate_inplace(Tensor& average, const Tensor& g, float momentum) {
    backend_for("momentum_accumulate", {&average, &g}).momentum_accumulate_inplace(average, g, momentum);
}

void std_rescale_inplace(Tensor& pred, const Tensor& reference, double rescale) {
    backend_for("std_rescale", {&pred, &reference}).std_rescale_inplace(pred, reference, rescale);
}

}  // namespace ltx2
