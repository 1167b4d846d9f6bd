#pragma once
// The audio VAE's mel front end (ltx_core AudioProcessor.waveform_to_mel): optional
// resampling (torchaudio's default windowed-sinc resampler), magnitude STFT, Slaney mel
// filterbank, natural log with a 1e-5 floor.
#include "core/tensor.h"

namespace ltx2 {

struct MelFrontEnd {
    int sample_rate = 16000;
    int mel_bins = 64;
    int hop_length = 160;
    int n_fft = 1024;
};

// waveform [B, C, N] -> [B, C, N·target/rate rounded up]; torchaudio.functional.resample with
// lowpass_filter_width 6, rolloff 0.99, Hann-windowed sinc. Identity when the rates match.
Tensor resample_waveform(const Tensor& waveform, int source_rate, int target_rate);

// waveform [B, C, N] at `waveform_rate` -> log-mel [B, C, N'/hop + 1, mel_bins] (N' after resampling).
Tensor waveform_to_mel(const Tensor& waveform, int waveform_rate, const MelFrontEnd& fe);

}  // namespace ltx2
