#pragma once
// The vocoder's signal-processing pieces (BigVGAN v2 activations, windowed-sinc resampling,
// the causal log-mel of the bandwidth extension). Waveforms / activations are F32 [B, C, L].
#include <cstdint>

#include "core/tensor.h"
#include "models/vocoder/weights.h"

namespace ltx2::vocoder_ops {

// Anti-aliased SnakeBeta (Activation1d): 2x up with the stored kaiser-sinc filter, SnakeBeta,
// 2x down (replicate pad, strided low-pass) with the stored low-pass filter.
Tensor anti_aliased_snake_beta(const Tensor& x, const VocoderAct1d& act);

// The [1, 1, 2·w·ratio + 1] Hann-windowed sinc of torchaudio-style resampling (rolloff 0.99,
// lowpass width 6, w = ceil(6 / 0.99)), computed in float32 like the reference's buffer.
Tensor hann_sinc_filter(int ratio);
// The 43-tap (ratio 3) resampler of the bandwidth extension, its padding and crops; `filter`
// [1, 1, K] applies to every channel.
Tensor hann_sinc_upsample(const Tensor& x, const Tensor& filter, int ratio);

// log(clamp(mel_basis · |STFT(x)|, 1e-5)) of every waveform row, the STFT causal (left-padded by
// n_fft − hop) with the stored [2F, 1, n_fft] basis (F cos rows, then F −sin rows).
// x [B, C, L] (L a multiple of hop) -> [B, C, num_mels, L / hop].
Tensor causal_log_mel(const Tensor& x, const Tensor& forward_basis, const Tensor& mel_basis, int hop);

}  // namespace ltx2::vocoder_ops
