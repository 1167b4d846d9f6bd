#include "ops/audio_features.h"

#include "ops/backend.h"

namespace ltx2 {

Tensor sinc_resample(const Tensor& x, int source_rate, int target_rate) {
    return call_backend(x.device())->sinc_resample(x, source_rate, target_rate);
}

Tensor log_mel_spectrogram(const Tensor& x, const MelSpectrogramSpec& spec) {
    return call_backend(x.device())->log_mel_spectrogram(x, spec);
}

}  // namespace ltx2
