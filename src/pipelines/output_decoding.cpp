#include "pipelines/output_decoding.h"

#include <algorithm>
#include <cmath>

namespace ltx2 {

namespace {

// The video decoder's activations per decoded voxel (measured for the 19B decoder, see
// docs/PERFORMANCE.md, with margin).
constexpr double kDecoderBytesPerVoxel = 160;

}  // namespace

double video_decode_bytes(const Shape& latent_shape) {
    const vae_tiling::TilePlan plan =
        vae_tiling::plan_tiles(latent_shape, vae_tiling::TilingConfig::reference_default());
    return kDecoderBytesPerVoxel * double(plan.max_tile_voxels());
}

VideoDecodeTiling video_decode_tiling(const Shape& latent_shape, double budget, double resident) {
    if (resident + video_decode_bytes(latent_shape) <= budget)
        return {vae_tiling::TilingConfig::reference_default(), false};
    vae_tiling::TilingRequest request;
    request.budget_bytes = budget;
    request.bytes_per_output_voxel = kDecoderBytesPerVoxel;
    request.resident_bytes = resident;
    return {vae_tiling::choose_tiling(latent_shape, request), true};
}

Tensor decode_video_frames(const VideoDecoder& decoder, const Tensor& latent, const vae_tiling::TilingConfig& tiling) {
    const Tensor video =
        vae_tiling::tiled_decode(latent, tiling, [&](const Tensor& tile) { return decoder.decode(tile); });
    return frames_to_uint8(video);
}

Tensor decode_audio_waveform(const AudioDecoder& decoder, const Vocoder& vocoder, const Tensor& latent) {
    return vocoder.forward(decoder.forward(latent)).select(0, 0);
}

Tensor fit_to_video(const Tensor& waveform, int64_t frames, FrameRate fps, int sample_rate) {
    const int64_t target = std::llround(double(frames) * fps.den * sample_rate / double(fps.num));
    const int64_t n = waveform.size(1);
    Tensor out = Tensor::zeros({2, target});
    const int64_t keep = std::min(n, target);
    for (int64_t c = 0; c < 2 && keep > 0; ++c)
        out.select(0, c).slice(0, 0, keep).copy_from(waveform.select(0, c).slice(0, 0, keep));
    return out;
}

}  // namespace ltx2
