#pragma once
// The input audio of an audio-to-video generation: read from --audio-path as the official script
// reads it (from --audio-start-time for --audio-max-duration seconds, by default the video's
// duration num_frames / frame_rate), checked before any model loads (long enough for the video,
// a channel count the audio VAE encoder takes, a rate the MP4's AAC track can carry), then
// encoded into the latent that stays fixed while the video is generated. The same samples go
// into the output file.
#include <string>

#include "core/tensor.h"
#include "io/weight_store.h"
#include "core/precision.h"
#include "pipelines/generation_params.h"

namespace ltx2 {

struct InputAudio {
    Tensor samples;       // F32 [2, N] in [-1, 1] (mono duplicated)
    int sample_rate = 0;  // the file's rate
};

// How long the reference reads: --audio-max-duration, else num_frames / frame_rate.
double audio_read_duration(const GenerationParams& params);

// `checkpoint`: the file holding the audio VAE (its config gives the encoder's channels and rate).
InputAudio read_input_audio(const GenerationParams& params, const WeightStore& audio_vae);

// The normalised audio latent [1, 8, T, 16] for the video's T audio latent frames.
Tensor encode_input_audio(const InputAudio& audio, const GenerationParams& params, const WeightStore& audio_vae,
                          Precision precision);

}  // namespace ltx2
