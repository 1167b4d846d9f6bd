#pragma once
// The LTX-2 latent upsampler (ltx_core.model.upsampler.LatentUpsampler): spatial x2 (and the
// rational x1.5 / x0.75 / x4 resampler), temporal x2 and spatio-temporal, from an un-prefixed
// checkpoint with a flat `config`. Also `upsample_video`, the pipelines' wrapper that
// un-normalises with the video VAE's per-channel statistics and normalises again.
#include <functional>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "io/weight_store.h"
#include "models/upsampler/config.h"

namespace ltx2 {

struct UpsamplerConv {
    Tensor weight;  // [Cout, Cin, 3, 3, 3], or [Cout, Cin, 3, 3] applied per frame
    Tensor bias;    // [Cout]
};

struct UpsamplerNorm {
    Tensor weight, bias;  // [C]
};

struct UpsamplerResBlock {
    UpsamplerConv conv1, conv2;
    UpsamplerNorm norm1, norm2;
};

struct UpsamplerWeights {
    UpsamplerConv initial_conv;
    UpsamplerNorm initial_norm;
    std::vector<UpsamplerResBlock> res_blocks;
    UpsamplerConv upsampler;    // `upsampler.0` or `upsampler.conv`
    Tensor blur_kernel;         // `upsampler.blur_down.kernel` [1, 1, 5, 5] (rational resampler only)
    std::vector<UpsamplerResBlock> post_upsample_res_blocks;
    UpsamplerConv final_conv;
    size_t tensor_count = 0;
};

// Observes intermediate activations: "after_initial", "after_res_block.N", "after_upsampler"
// (before a temporal upsampler drops the first frame), "after_post_res_block.N".
using UpsamplerTap = std::function<void(const std::string& name, const Tensor& value)>;

class LatentUpsampler {
public:
    // Config from the store's `config` metadata; every tensor shape-checked (F32 or BF16).
    static LatentUpsampler load(const WeightStore& store);
    static LatentUpsampler load(const WeightStore& store, const UpsamplerConfig& config);

    const UpsamplerConfig& config() const { return config_; }
    const UpsamplerWeights& weights() const { return weights_; }

    // latent [B, in_channels, F, H, W] (F32 or BF16) → F32 [B, in_channels, F', H', W'] with
    // F' = 2F − 1 (temporal) or F, H' = H·num/den (spatial) or H.
    Tensor forward(const Tensor& latent, const UpsamplerTap& tap = nullptr) const;
    // The output shape forward() gives for an input shape (checks the input as forward does).
    Shape output_shape(const Shape& latent_shape) const;

private:
    UpsamplerConfig config_;
    UpsamplerWeights weights_;
};

// upsample_video: normalise((forward(un_normalise(latent)))), with
// un_normalise(x) = x·std_of_means[c] + mean_of_means[c], normalise(x) = (x − mean)/std.
// mean_of_means / std_of_means: [in_channels] (the VAE's `per_channel_statistics`).
Tensor upsample_video(const LatentUpsampler& upsampler, const Tensor& latent, const Tensor& mean_of_means,
                      const Tensor& std_of_means, const UpsamplerTap& tap = nullptr);

}  // namespace ltx2
