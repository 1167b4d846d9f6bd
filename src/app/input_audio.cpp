#include "app/input_audio.h"

#include <fmt/format.h>

#include "io/media/audio_reader.h"
#include "io/media/mp4_writer.h"
#include "io/weight_store.h"
#include "pipelines/audio_conditioning.h"
#include "pipelines/audio_length.h"
#include "pipelines/model_loading.h"

namespace ltx2 {

namespace {

std::string source_of(const GenerationParams& p) { return fmt::format("--audio-path {}", p.audio.path); }

}  // namespace

double audio_read_duration(const GenerationParams& p) {
    return p.audio.max_duration.value_or(double(p.num_frames) / p.frame_rate);
}

InputAudio read_input_audio(const GenerationParams& p, const WeightStore& audio_vae) {
    const AudioVaeConfig vae = audio_vae_config(audio_vae);
    DecodedAudio decoded = read_audio(p.audio.path, p.audio.start_time, audio_read_duration(p));
    const std::string source = source_of(p);
    InputAudio out{waveform_with_channels(decoded.samples, vae.in_channels, source), decoded.sample_rate};
    check_audio_covers_video(out.samples.size(1), out.sample_rate, audio_latent_frames(p.num_frames, p.frame_rate),
                             vae, source);
    check_aac_sample_rate(source + ": cannot carry the audio into the MP4", out.sample_rate);
    return out;
}

Tensor encode_input_audio(const InputAudio& audio, const GenerationParams& p, const WeightStore& audio_vae,
                          Precision precision) {
    const AudioEncoder encoder = load_audio_encoder(audio_vae, precision);
    const Tensor waveform = audio.samples.reshape({1, audio.samples.size(0), audio.samples.size(1)});
    return encode_conditioning_audio(encoder, waveform, audio.sample_rate,
                                     audio_latent_frames(p.num_frames, p.frame_rate), source_of(p))
        .latent;
}

}  // namespace ltx2
