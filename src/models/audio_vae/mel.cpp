#include "models/audio_vae/mel.h"

#include "core/error.h"
#include "ops/audio_features.h"

namespace ltx2 {

namespace {

void check_waveform(const Tensor& w, const char* what) {
    if (!w.defined() || w.dim() != 3 || w.size(0) < 1 || w.size(1) < 1 || w.size(2) < 1)
        fail("{}: waveform has shape {}, expected (batch, channels, samples) with every dim >= 1", what,
             w.defined() ? shape_str(w.shape()) : std::string("(undefined)"));
}

}  // namespace

Tensor resample_waveform(const Tensor& waveform, int source_rate, int target_rate) {
    const char* what = "audio resample";
    check_waveform(waveform, what);
    if (source_rate <= 0 || target_rate <= 0)
        fail("{}: sample rates must be positive, got {} -> {}", what, source_rate, target_rate);
    const Tensor x = waveform.to(DType::F32);
    if (source_rate == target_rate) return x.clone();
    return sinc_resample(x, source_rate, target_rate);
}

Tensor waveform_to_mel(const Tensor& waveform_in, int waveform_rate, const MelFrontEnd& fe) {
    const char* what = "audio mel front end";
    check_waveform(waveform_in, what);
    if (fe.n_fft < 2 || fe.hop_length < 1 || fe.mel_bins < 1 || fe.sample_rate < 1)
        fail("{}: invalid settings n_fft {}, hop {}, mel bins {}, sample rate {}", what, fe.n_fft, fe.hop_length,
             fe.mel_bins, fe.sample_rate);
    const Tensor x = resample_waveform(waveform_in, waveform_rate, fe.sample_rate);
    const int64_t N = x.size(2), pad = fe.n_fft / 2;
    if (N <= pad)
        fail("{}: waveform of {} samples is too short for reflect padding of {} (needs more than n_fft/2 samples)",
             what, N, pad);
    return log_mel_spectrogram(x, MelSpectrogramSpec{fe.n_fft, fe.hop_length, fe.mel_bins, fe.sample_rate});
}

}  // namespace ltx2
