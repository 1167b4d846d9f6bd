#include "ops/guidance.h"

#include "ops/backend.h"

namespace ltx2 {

Tensor scaled_difference(float scale, const Tensor& a, const Tensor& b, const Tensor& coef) {
    return call_backend("scaled_difference", {&a, &b, &coef})->scaled_difference(scale, a, b, coef);
}

Tensor guidance_sum(const Tensor& cond, std::span<const float> weights, std::span<const Tensor> others) {
    // As every op: the device of the first tensor not in host memory (all must share it).
    Device device = cond.device();
    for (const Tensor& other : others) {
        (void)call_backend("guidance_sum", {&cond, &other});  // the device check
        if (device == Device::Cpu) device = other.device();
    }
    return call_backend(device)->guidance_sum(cond, weights, others);
}

Tensor projection_coefficients(const Tensor& a, const Tensor& b) {
    return call_backend("projection_coefficients", {&a, &b})->projection_coefficients(a, b);
}

void cap_group_norm_inplace(Tensor& g, int64_t group, float threshold) {
    call_backend(g.device())->cap_group_norm_inplace(g, group, threshold);
}

Tensor apg_blend(const Tensor& g, const Tensor& cond, const Tensor& coef, float eta, float scale) {
    return call_backend("apg_blend", {&g, &cond, &coef})->apg_blend(g, cond, coef, eta, scale);
}

void momentum_accumulate_inplace(Tensor& average, const Tensor& g, float momentum) {
    call_backend("momentum_accumulate", {&average, &g})->momentum_accumulate_inplace(average, g, momentum);
}

void std_rescale_inplace(Tensor& pred, const Tensor& reference, double rescale) {
    call_backend("std_rescale", {&pred, &reference})->std_rescale_inplace(pred, reference, rescale);
}

}  // namespace ltx2
