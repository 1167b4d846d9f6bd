#pragma once
// How long the generated audio is, as the official pipelines decide it (ltx-core / ltx-pipelines
// at 28c3c73):
//   latent frames  T = round(num_frames / fps * 25)   (Python round, half to even; 25 = 16000 Hz
//                      / hop 160 / latent downsample 4)
//                      packages/ltx-core/src/ltx_core/types.py, AudioLatentShape.from_video_pixel_shape
//                      / from_duration, called from
//                      packages/ltx-pipelines/src/ltx_pipelines/utils/helpers.py, noise_audio_state
//   mel frames     M = max(4T - 3, 1) for the causal audio VAE (4T otherwise)
//                      packages/ltx-core/src/ltx_core/model/audio_vae/audio_vae.py, AudioDecoder
//                      (target_frames; _adjust_output_shape crops / zero-pads to it)
//   samples        S = M * upsample factor (240 = 6*5*2*2*2) at the vocoder's output rate (24 kHz)
//                      packages/ltx-core/src/ltx_core/model/audio_vae/vocoder.py, Vocoder.forward
// The pipelines then hand the whole waveform to the muxer
// (packages/ltx-pipelines/src/ltx_pipelines/utils/media_io.py, encode_video / _write_audio):
// it is NOT trimmed or padded to the video's duration num_frames / fps, so e.g. 121 frames at
// 24 fps (5.0417 s of video) give 120240 samples = 5.01 s of audio. We do the same.
#include <cstdint>

#include "models/audio_vae/config.h"
#include "models/vocoder/config.h"

namespace ltx2 {

struct AudioLength {
    int64_t latent_frames = 0;  // T
    int64_t mel_frames = 0;     // M
    int64_t samples = 0;        // S, per channel
    int sample_rate = 0;        // of the samples
    double seconds() const { return double(samples) / double(sample_rate); }
};

// T from the video's frame count and rate (reuses audio_latent_shape_from_video with the
// reference's fixed 16000 Hz / 160 / 4, which noise_audio_state uses whatever the checkpoint
// says). Throws if the video is so short that T would be 0.
int64_t audio_latent_frames(int64_t num_frames, double fps);

// T, M and S for a video of num_frames at fps.
AudioLength audio_length_for_video(int64_t num_frames, double fps, const AudioVaeConfig& vae = {},
                                   const VocoderConfig& vocoder = {});

}  // namespace ltx2
