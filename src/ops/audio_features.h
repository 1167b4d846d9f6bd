#pragma once
// Audio front-end ops of the audio VAE: torchaudio's windowed-sinc resampling and the log-mel
// spectrogram (spec in ops/vae_params.h).
#include "core/tensor.h"
#include "ops/vae_params.h"

namespace ltx2 {

// torchaudio.functional.resample (sinc_interp_hann, lowpass_filter_width 6, rolloff 0.99) of
// x F32 [B, C, N] from source_rate to target_rate (source_rate ≠ target_rate, both > 0). With
// o = source / g, n = target / g (g their gcd), base = min(o, n)·0.99, width = ⌈6·o / base⌉,
// phase i < n, tap k < 2·width + o: t = clamp((−i / n + (k − width) / o)·base, −6, 6),
// K[i, k] = sinc(π·t) · cos²(π·t / 12) · base / o, evaluated in F32 step by step as torchaudio
// does; y[j·n + i] = Σ_k x[j·o + k − width] · K[i, k] over the taps inside x, summed in double.
// Output [B, C, ⌈n·N / o⌉] F32.
Tensor sinc_resample(const Tensor& x, int source_rate, int target_rate);

// x F32 [B, C, N] (N > n_fft / 2) -> [B, C, N / hop + 1, mel_bins]: x reflect-padded by n_fft / 2
// on both sides; frame t = the n_fft samples from t·hop times the periodic Hann window; its
// magnitude DFT |X_k| for k = 0 … n_fft / 2 (in double); mel bin m = ln(max(Σ_k |X_k| · fb[k, m],
// 1e-5)) rounded to F32, fb the Slaney-scale, Slaney-normalised triangular filterbank between 0
// and sample_rate / 2 (torchaudio melscale_fbanks, mel_scale "slaney", norm "slaney").
Tensor log_mel_spectrogram(const Tensor& x, const MelSpectrogramSpec& spec);

}  // namespace ltx2
