#pragma once
// One mel -> waveform generator: HiFi-GAN (resblock "1" / "2", leaky ReLU, tanh) or BigVGAN v2
// (resblock "AMP1", anti-aliased SnakeBeta, clamp or no final activation).
#include <functional>
#include <string>

#include "core/tensor.h"
#include "models/vocoder/config.h"
#include "models/vocoder/weights.h"

namespace ltx2 {

// Receives intermediate tensors by name: "after_conv_pre", "after_ups.{i}", "after_act_post",
// "conv_post_before_tanh" (when tanh follows) or "conv_post".
using VocoderTap = std::function<void(const std::string& name, const Tensor& value)>;

// x F32 (B, in_channels, T) -> F32 (B, out_channels, T · upsample_factor).
Tensor vocoder_generator_forward(const VocoderGeneratorConfig& config, const VocoderGeneratorWeights& weights,
                                 const Tensor& x, const VocoderTap& tap = {});

}  // namespace ltx2
