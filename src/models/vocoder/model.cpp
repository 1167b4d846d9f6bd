#include "models/vocoder/model.h"

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "ops/conv.h"
#include "ops/elementwise.h"
#include "ops/pointwise.h"
#include "models/vocoder/ops.h"

namespace ltx2 {

namespace {

VocoderTap prefixed(const VocoderTap& tap, const std::string& prefix) {
    if (!tap) return {};
    return [tap, prefix](const std::string& name, const Tensor& value) { tap(prefix + name, value); };
}

// (B, S, T, M) -> (B, S, M, T) -> (B, S·M, T): channel s·64 + m (left channel's bins first).
Tensor mel_to_channels(const Tensor& mel, const VocoderGeneratorConfig& c) {
    const int bins = VocoderGeneratorConfig::kMelBins;
    LTX2_CHECK(mel.defined(), "vocoder: the mel spectrogram is undefined");
    LTX2_CHECK(mel.dtype() == DType::F32 || mel.dtype() == DType::BF16,
               "vocoder: mel spectrogram has dtype {}, expected F32 or BF16", dtype_name(mel.dtype()));
    Tensor m = mel;
    if (c.stereo) {
        LTX2_CHECK(mel.dim() == 4 && mel.size(1) == 2 && mel.size(3) == bins,
                   "vocoder: stereo mel spectrogram has shape {}, expected (batch, 2, frames, {}) "
                   "(batch, audio channel, frame, mel bin)",
                   shape_str(mel.shape()), bins);
    } else {
        LTX2_CHECK((mel.dim() == 3 && mel.size(2) == bins) ||
                       (mel.dim() == 4 && mel.size(1) == 1 && mel.size(3) == bins),
                   "vocoder: mono mel spectrogram has shape {}, expected (batch, frames, {}) or (batch, 1, frames, {})",
                   shape_str(mel.shape()), bins, bins);
        if (m.dim() == 3) m = m.unsqueeze(1);
    }
    const int64_t B = m.size(0), S = m.size(1), T = m.size(2);
    LTX2_CHECK(B >= 1 && T >= 1, "vocoder: mel spectrogram has shape {}, expected at least one batch item and frame",
               shape_str(mel.shape()));
    return m.permute({0, 1, 3, 2}).to(DType::F32).contiguous().reshape({B, S * bins, T});
}

}  // namespace

Vocoder Vocoder::load(const WeightStore& store) {
    return load(store, parse_vocoder_config(store.config(), store.describe()));
}

Vocoder Vocoder::load(const WeightStore& store, const VocoderConfig& config) {
    Vocoder v;
    v.config_ = config;
    v.weights_ = load_vocoder_weights(store, config);
    if (config.bwe) v.resampler_filter_ = vocoder_ops::hann_sinc_filter(config.bwe->ratio());
    return v;
}

Tensor Vocoder::forward(const Tensor& mel, const VocoderTap& tap) const {
    const Tensor waveform =
        vocoder_generator_forward(config_.vocoder, weights_.vocoder, mel_to_channels(mel, config_.vocoder),
                                  config_.bwe ? prefixed(tap, "vocoder.") : tap);
    if (!config_.bwe) return waveform;
    if (tap) tap("waveform_16k", waveform);
    return bandwidth_extension(waveform, tap);
}

// out = clamp(bwe_generator(log_mel(x)) + resample(x), −1, 1), cut to ratio · len(x).
Tensor Vocoder::bandwidth_extension(const Tensor& waveform, const VocoderTap& tap) const {
    const VocoderBweConfig& b = *config_.bwe;
    const int64_t length = waveform.size(2), out_length = length * b.ratio();
    // Right-pad with zeros to whole STFT hops (one mel frame per hop).
    const int64_t remainder = length % b.hop_length;
    const Tensor x = remainder == 0 ? waveform
                                    : pad_nd(waveform, {0}, {b.hop_length - remainder}, PadMode::Constant);

    const Tensor log_mel =
        vocoder_ops::causal_log_mel(x, weights_.stft_forward_basis, weights_.mel_basis, b.hop_length);  // (B, C, M, T)
    if (tap) tap("bwe_mel", log_mel);
    const Tensor mel_frames = log_mel.permute({0, 1, 3, 2});  // (B, C, T, M), the generator's input layout
    Tensor out = vocoder_generator_forward(b.generator, weights_.bwe_generator,
                                           mel_to_channels(mel_frames, b.generator), prefixed(tap, "bwe_generator."));
    if (tap) tap("bwe_residual", out);

    if (tap) tap("resampler_filter", resampler_filter_);
    const Tensor skip = vocoder_ops::hann_sinc_upsample(x, resampler_filter_, b.ratio());
    if (tap) tap("skip_resampled", skip);
    add_inplace(out, skip);
    clamp_inplace(out, -1.f, 1.f);
    return out.slice(2, 0, out_length).contiguous();
}

}  // namespace ltx2
