#pragma once
// The audio side of the audio-to-video pipeline (a2vid_two_stage.py @ 400fd31): the decoded input
// waveform → resampled to the audio VAE's rate (torchaudio's windowed-sinc resampler) → log-mel →
// audio VAE encoder (normalised latent means) → cut to the video's audio latent length
// (AudioLatentShape.from_duration). The A2V reference has no padding: audio shorter than the video
// is an error, checked from the sample count before anything is encoded. Retake's source audio
// (audio_latent_from_file) is zero-padded instead.
#include <string>

#include "core/tensor.h"
#include "models/audio_vae/model.h"

namespace ltx2 {

// Latent frames the encoder makes of `samples` samples at `sample_rate` (resampled length
// ceil(N · vae_rate / rate), N'/hop + 1 mel frames, then (T − 1)/4 + 1).
int64_t encoded_audio_latent_frames(int64_t samples, int sample_rate, const AudioVaeConfig& vae);

// Fails naming `source` (e.g. "--audio-path FILE") unless `samples` at `sample_rate` encode to at
// least `latent_frames` frames, saying how long the audio is and how long it must be.
void check_audio_covers_video(int64_t samples, int sample_rate, int64_t latent_frames, const AudioVaeConfig& vae,
                              const std::string& source);

// samples F32 [C, N] with C = 1 or `channels`: mono is duplicated to every channel (the reference
// takes stereo only). Other channel counts fail naming `source`.
Tensor waveform_with_channels(const Tensor& samples, int64_t channels, const std::string& source);

struct EncodedAudio {
    Tensor mel;           // [1, C, T_mel, mel_bins]
    Tensor latent_full;   // [1, 8, T, 16], the whole audio
    Tensor latent;        // [1, 8, latent_frames, 16]
};

// What to do with audio that encodes to fewer than the latent frames asked for.
enum class ShortAudio {
    Refuse,   // a2v: fail naming `source` before encoding (check_audio_covers_video)
    ZeroPad,  // retake: append zero latent frames (_conform_latent_length)
};

// waveform F32 [1, C, N] at sample_rate (C = the encoder's in_channels).
EncodedAudio encode_conditioning_audio(const AudioEncoder& encoder, const Tensor& waveform, int sample_rate,
                                       int64_t latent_frames, const std::string& source,
                                       ShortAudio short_audio = ShortAudio::Refuse);

}  // namespace ltx2
