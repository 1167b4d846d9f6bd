#pragma once
// The last stage's latents to what goes into the files: the video VAE decode, tiled so that it
// fits the memory budget, and the audio VAE decode with the vocoder, trimmed or padded to the
// video's duration.
#include <cstdint>

#include "core/tensor.h"
#include "io/media/mp4_writer.h"
#include "models/audio_vae/model.h"
#include "models/video_vae/model.h"
#include "models/video_vae/tiling.h"
#include "models/vocoder/model.h"

namespace ltx2 {

// Bytes the video decode's activations take with the reference's tiling of `latent_shape`.
double video_decode_bytes(const Shape& latent_shape);

struct VideoDecodeTiling {
    vae_tiling::TilingConfig tiling;
    bool reduced = false;  // smaller tiles than the reference's, for the budget
};
// The reference's decode tiling, or a smaller one when that would not fit `budget` bytes next to
// `resident` ones. Throws when no tiling fits.
VideoDecodeTiling video_decode_tiling(const Shape& latent_shape, double budget, double resident);

// Video latent [1, 128, F, H/32, W/32] → frames U8 [8(F−1)+1, H, W, 3].
Tensor decode_video_frames(const VideoDecoder& decoder, const Tensor& latent, const vae_tiling::TilingConfig& tiling);

// Audio latent [1, 8, T, 16] → waveform F32 [2, N] at vocoder.output_sample_rate().
Tensor decode_audio_waveform(const AudioDecoder& decoder, const Vocoder& vocoder, const Tensor& latent);

// The waveform as long as `frames` video frames at `fps`: the reference's audio latent length
// rounds the duration to 1/25 s and the vocoder adds edge samples, so its file's audio is a few
// ms off the video; we trim or pad with silence to exactly the video's duration in the file.
Tensor fit_to_video(const Tensor& waveform /*[2, N]*/, int64_t frames, FrameRate fps, int sample_rate);

}  // namespace ltx2
