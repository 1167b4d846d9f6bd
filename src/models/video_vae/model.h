#pragma once
// LTX-2 video VAE (ltx_core.model.video_vae): the decoder (normalised latent [B, 128, F', H', W']
// -> video [B, 3, 8(F'-1)+1, 32H', 32W'], plain or timestep-conditioned) and the encoder
// (video [B, 3, 1+8k, H, W] -> normalised latent means). Layout (batch, channels, frames,
// height, width); activations are float32, weights F32 or BF16.
#include <functional>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "core/torch_rng.h"
#include "io/weight_store.h"
#include "models/video_vae/config.h"

namespace ltx2 {

// Called with intermediate results (names as in the golden fixtures' dbg.* tensors, without
// the "dbg." prefix).
using VideoVaeTap = std::function<void(const std::string& name, const Tensor& value)>;

struct VideoVaeConv {
    Tensor weight;  // [Cout, Cin, 3, 3, 3], F32 or BF16
    Tensor bias;    // [Cout], F32
};

// PixArt-style timestep MLP: linear(256 -> D) -> SiLU -> linear(D -> D).
struct VideoVaeTimeEmbedder {
    Tensor w1, b1, w2, b2;
};

struct VideoVaeResLayer {
    VideoVaeConv conv1, conv2;
    Tensor scale_shift_table;  // F32 [4, C] (rows shift1, scale1, shift2, scale2); conditioned only
};

struct VideoVaeBlock {
    VaeBlockSpec spec;
    int in_channels = 0, out_channels = 0;
    std::vector<VideoVaeResLayer> layers;  // res_x
    VideoVaeTimeEmbedder time_embedder;    // res_x of a conditioned decoder (D = 4C)
    VideoVaeConv conv;                     // compress_* blocks
};

struct VideoVaeStatistics {
    Tensor std_of_means;   // F32 [latent_channels]
    Tensor mean_of_means;  // F32 [latent_channels]
};

struct DecodeOptions {
    // Timestep per batch item (or one value for every item); empty: 0.05 (the reference's
    // decode_timestep). Only used by a timestep-conditioned decoder.
    std::vector<float> timestep;
    // A conditioned decoder mixes noise into the latent: `noise` when defined (latent shape),
    // else one torch.randn(latent.shape) draw from `generator` (in the latent's dtype).
    TorchGenerator* generator = nullptr;
    Tensor noise;
    VideoVaeTap tap;
};

class VideoDecoder {
public:
    static constexpr float kDecodeTimestep = 0.05f;
    static constexpr float kDecodeNoiseScale = 0.025f;

    // Reads `vae.decoder.*` and `vae.per_channel_statistics.*` (store prefix "vae.").
    static VideoDecoder load(const WeightStore& store);
    static VideoDecoder load(const WeightStore& store, const VideoVaeConfig& config);

    // latent [B, latent_channels, F', H', W'] (F32 or BF16) -> video F32 [B, 3, 8(F'-1)+1, 32H', 32W'],
    // nominally in [-1, 1] (not clamped).
    Tensor decode(const Tensor& latent, const DecodeOptions& options = {}) const;
    const VideoVaeConfig& config() const { return config_; }

private:
    VideoVaeConfig config_;
    VideoVaeStatistics stats_;
    VideoVaeConv conv_in, conv_out;
    std::vector<VideoVaeBlock> blocks_;  // up_blocks in execution order
    // Conditioned only:
    float timestep_scale_multiplier_ = 1000.f;
    VideoVaeTimeEmbedder last_time_embedder_;
    Tensor last_scale_shift_table_;  // F32 [2, C]
};

class VideoEncoder {
public:
    // Reads `vae.encoder.*` and `vae.per_channel_statistics.*` (store prefix "vae.").
    static VideoEncoder load(const WeightStore& store);
    static VideoEncoder load(const WeightStore& store, const VideoVaeConfig& config);

    // What encode() does with a frame count that is not 1 + 8k.
    enum class FrameCount {
        Require1Plus8k,  // a clear error naming the count and the nearest valid ones (default)
        CropLikeReference,  // drop the last (F-1) mod 8 frames silently, as the reference does
    };

    // video [B, 3, F, H, W] in [-1, 1], H and W multiples of 32 -> normalised latent means
    // F32 [B, latent_channels, 1 + (F-1)/8, H/32, W/32].
    Tensor encode(const Tensor& video, const VideoVaeTap& tap = {},
                  FrameCount frames = FrameCount::Require1Plus8k) const;
    const VideoVaeConfig& config() const { return config_; }

private:
    VideoVaeConfig config_;
    VideoVaeStatistics stats_;
    VideoVaeConv conv_in, conv_out;
    std::vector<VideoVaeBlock> blocks_;  // down_blocks in order
};

VideoVaeConfig video_vae_config(const WeightStore& store);

// The pipelines' decode_video post-processing of batch item 0: video [B, 3, F, H, W] ->
// U8 [F, H, W, 3], value = uint8(clamp((x + 1) / 2, 0, 1) * 255) (truncation toward zero).
Tensor frames_to_uint8(const Tensor& video);
// The same frames before quantization: F32 [F, H, W, 3] = clamp((x + 1) / 2, 0, 1).
Tensor frames_to_rgb(const Tensor& video);

}  // namespace ltx2
