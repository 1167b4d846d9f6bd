// audio_vae.decode / audio_vae.encode: the LTX-2 audio VAE decoder and encoder (with its mel
// front end and resampler) on golden fixtures.
#include <string>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "io/weight_store.h"
#include "models/audio_vae/mel.h"
#include "models/audio_vae/model.h"
#include "parity/kinds.h"

namespace ltx2 {

namespace {

constexpr double kTol = 1e-5;

MelFrontEnd front_end_from(const ParityRun& run, const std::string& key, const AudioVaeConfig& c) {
    MelFrontEnd fe{c.sampling_rate, c.mel_bins, c.hop_length, c.n_fft};
    if (!run.has_meta(key)) return fe;
    const nlohmann::json j = run.meta_json(key);
    auto get = [&](const char* name, int& dst) {
        if (!j.contains(name)) return;
        if (!j.at(name).is_number_integer())
            fail("{}: metadata '{}' key '{}' must be an integer, got {}", run.io_path(), key, name, j.at(name).dump());
        dst = j.at(name).get<int>();
    };
    get("sample_rate", fe.sample_rate);
    get("mel_bins", fe.mel_bins);
    get("mel_hop_length", fe.hop_length);
    get("n_fft", fe.n_fft);
    return fe;
}

}  // namespace

void parity_audio_vae_decode(ParityRun& run) {
    const WeightStore store = WeightStore::open(run.model_path(), "audio_vae.");
    const AudioDecoder decoder = AudioDecoder::load(store);
    const AudioVaeTap tap = [&run](const std::string& name, const Tensor& value) {
        run.compare_if_present("dbg." + name, value, kTol);
    };
    const Tensor mel = decoder.forward(run.input("in.latent"), tap);
    run.compare("out.mel", mel, kTol);
}

void parity_audio_vae_encode(ParityRun& run) {
    const WeightStore store = WeightStore::open(run.model_path(), "audio_vae.");
    const AudioEncoder encoder = AudioEncoder::load(store);
    const AudioVaeConfig& c = encoder.config();

    const Tensor waveform = run.input("in.waveform");
    const MelFrontEnd fe = front_end_from(run, "audio_processor", c);
    const Tensor mel = waveform_to_mel(waveform, fe.sample_rate, fe);
    run.compare("out.mel", mel, kTol);

    const AudioVaeTap tap = [&run](const std::string& name, const Tensor& value) {
        run.compare_if_present("dbg." + name, value, kTol);
    };
    run.compare("out.latent", encoder.forward(mel, tap), kTol);

    const MelFrontEnd real = front_end_from(run, "audio_processor_real", c);
    if (run.has("out.mel64")) run.compare("out.mel64", waveform_to_mel(waveform, real.sample_rate, real), kTol);
    if (run.has("in.waveform_44k1")) {
        const int rate = run.has_meta("waveform_44k1_sample_rate") ? run.meta_json("waveform_44k1_sample_rate").get<int>()
                                                                    : 44100;
        const Tensor w44 = run.input("in.waveform_44k1");
        run.compare_if_present("dbg.resampled_16k", resample_waveform(w44, rate, real.sample_rate), kTol);
        run.compare_if_present("out.mel64_from_44k1", waveform_to_mel(w44, rate, real), kTol);
    }
}

}  // namespace ltx2
