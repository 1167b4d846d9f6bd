#include "ops/text_features.h"

#include "ops/backend.h"

namespace ltx2 {

namespace {

// The backend of the states and the op's other tensors (all on one device).
BackendCall states_backend(const char* op, const std::vector<Tensor>& states, const Tensor& a, const Tensor& b) {
    for (const Tensor& s : states) (void)call_backend(op, {&s, &a, &b});  // the device check
    return call_backend(op, {states.empty() ? &a : &states[0], &a, &b});
}

}  // namespace

Tensor state_mean_range(const std::vector<Tensor>& states, float eps, bool bf16) {
    return states_backend("state mean/range", states, {}, {})->state_mean_range(states, eps, bf16);
}

void range_normalized_features(const std::vector<Tensor>& states, const Tensor& stats, float scale, bool bf16,
                               int64_t d0, int64_t d1, Tensor& features) {
    states_backend("range-normalised features", states, stats, features)
        ->range_normalized_features(states, stats, scale, bf16, d0, d1, features);
}

Tensor state_inverse_rms(const std::vector<Tensor>& states, float eps, bool bf16) {
    return states_backend("state inverse RMS", states, {}, {})->state_inverse_rms(states, eps, bf16);
}

void rms_normalized_features(const std::vector<Tensor>& states, const Tensor& r, float scale, bool bf16, int64_t d0,
                             int64_t d1, Tensor& features) {
    states_backend("RMS-normalised features", states, r, features)
        ->rms_normalized_features(states, r, scale, bf16, d0, d1, features);
}

}  // namespace ltx2
