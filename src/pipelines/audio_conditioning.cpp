#include "pipelines/audio_conditioning.h"

#include <algorithm>
#include <numeric>

#include "core/error.h"
#include "models/audio_vae/mel.h"

namespace ltx2 {

namespace {

MelFrontEnd encoder_front_end(const AudioVaeConfig& c) { return {c.sampling_rate, c.mel_bins, c.hop_length, c.n_fft}; }

int64_t resampled_length(int64_t samples, int from, int to) {
    if (from == to) return samples;
    const int g = std::gcd(from, to);
    const int64_t orig = from / g, neu = to / g;
    return (neu * samples + orig - 1) / orig;
}

}  // namespace

int64_t encoded_audio_latent_frames(int64_t samples, int sample_rate, const AudioVaeConfig& vae) {
    LTX2_CHECK(sample_rate > 0, "audio encoder: sample rate must be positive, got {}", sample_rate);
    int64_t frames = resampled_length(samples, sample_rate, vae.sampling_rate) / vae.hop_length + 1;  // mel frames
    for (int level = 1; level < vae.levels(); ++level) frames = (frames - 1) / 2 + 1;  // stride-2 causal downsamples
    return frames;
}

void check_audio_covers_video(int64_t samples, int sample_rate, int64_t latent_frames, const AudioVaeConfig& vae,
                              const std::string& source) {
    const int64_t have = encoded_audio_latent_frames(samples, sample_rate, vae);
    if (have >= latent_frames) return;
    const double latent_rate = double(vae.sampling_rate) / vae.hop_length / vae.downsample_factor();
    fail("{}: the audio read is {:.3f} s long ({} audio latent frames), the video needs {} frames (about {:.3f} s): "
         "use a longer audio, an earlier --audio-start-time, a larger --audio-max-duration or fewer --num-frames",
         source, double(samples) / sample_rate, have, latent_frames, double(latent_frames) / latent_rate);
}

Tensor waveform_with_channels(const Tensor& samples, int64_t channels, const std::string& source) {
    LTX2_CHECK(samples.defined() && samples.dim() == 2, "{}: expected audio samples [channels, N], got {}", source,
               samples.defined() ? shape_str(samples.shape()) : std::string("nothing"));
    const int64_t have = samples.size(0), n = samples.size(1);
    if (have == channels) return samples;
    LTX2_CHECK(have == 1, "{}: the audio has {} channels; the audio VAE encoder takes {} (or mono, which is duplicated)",
               source, have, channels);
    Tensor out = Tensor::zeros({channels, n});
    for (int64_t c = 0; c < channels; ++c) out.select(0, c).copy_from(samples.select(0, 0));
    return out;
}

EncodedAudio encode_conditioning_audio(const AudioEncoder& encoder, const Tensor& waveform, int sample_rate,
                                       int64_t latent_frames, const std::string& source, ShortAudio short_audio) {
    const AudioVaeConfig& c = encoder.config();
    LTX2_CHECK(waveform.dim() == 3 && waveform.size(0) == 1 && waveform.size(1) == c.in_channels,
               "{}: the audio encoder takes a waveform [1, {}, N], got {}", source, c.in_channels,
               shape_str(waveform.shape()));
    if (short_audio == ShortAudio::Refuse)
        check_audio_covers_video(waveform.size(2), sample_rate, latent_frames, c, source);
    EncodedAudio out;
    out.mel = waveform_to_mel(waveform, sample_rate, encoder_front_end(c));
    out.latent_full = encoder.forward(out.mel);
    const int64_t have = out.latent_full.size(2);
    LTX2_CHECK(have >= latent_frames || short_audio == ShortAudio::ZeroPad,
               "{}: the audio encoder made {} latent frames, expected {}", source, have, latent_frames);
    Shape shape = out.latent_full.shape();
    shape[2] = latent_frames;
    out.latent = Tensor::zeros(shape, out.latent_full.dtype());
    const int64_t keep = std::min(have, latent_frames);
    out.latent.slice(2, 0, keep).copy_from(out.latent_full.slice(2, 0, keep));
    return out;
}

}  // namespace ltx2
