#pragma once
// AdaLN timestep conditioning: the 256-channel sinusoid of sigma·multiplier and the
// AdaLayerNormSingle MLP on it.
#include <vector>

#include "core/tensor.h"
#include "models/transformer/weights.h"

namespace ltx2 {

constexpr int kTimestepHalf = 128;  // 256 channels: cos(t·f_i) for i < 128, then sin(t·f_i)

// The 128 float32 frequencies f_i.
const float* timestep_frequencies();

// [N, 256], cos first then sin, argument t·f_i in float32. t: N values, F32.
Tensor timestep_sinusoid(const Tensor& t);
Tensor timestep_sinusoid(const std::vector<float>& t);

// t = float32(sigma · multiplier) per entry → F32 [N] (sigma any shape, flattened).
Tensor scale_timesteps(const Tensor& sigma, double multiplier);

struct AdaLNOutput {
    Tensor sinusoid;    // [N, 256]
    Tensor embedded;    // [N, dim]: linear_2(SiLU(linear_1(sinusoid)))
    Tensor modulation;  // [N, coefficient·dim]: linear(SiLU(embedded))
};

AdaLNOutput adaln_single(const AdaLNWeights& w, const Tensor& t);  // t: N values, F32

}  // namespace ltx2
