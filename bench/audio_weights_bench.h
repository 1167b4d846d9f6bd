#pragma once
// Random bf16 weights for the audio VAE and the vocoders from their tensor manifests, scaled
// for unit-variance outputs: convolutions by their fan-in, a vocoder generator's transposed
// convolutions by the inputs each output sample really sees.
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "bench_util.h"
#include "models/vocoder/config.h"

namespace ltx2::bench {

// Fan-in of a conv weight; a vocoder generator's transposed convolutions ("[PREFIX]ups.i",
// [Cin, Cout, k], stride r) see Cin·k/r inputs per output sample.
inline double audio_fan_in(const std::string& name, const Shape& s, const VocoderConfig* c) {
    const size_t at = name.find(".ups.");
    if (c == nullptr || at == std::string::npos) return conv_fan_in(s);
    const bool bwe = name.rfind("vocoder.bwe_generator.", 0) == 0;
    const std::vector<int>& rates = bwe ? c->bwe->generator.upsample_rates : c->vocoder.upsample_rates;
    double k = 1;
    for (size_t d = 2; d < s.size(); ++d) k *= double(s[d]);
    const int i = std::stoi(name.substr(at + 5));
    return double(s[0]) * k / double(rates.at(size_t(i)));
}

// Every tensor of an audio VAE or vocoder manifest except names containing `skip` ("" keeps all);
// `vocoder`: the vocoder's config when the manifest is a vocoder's.
inline std::vector<std::pair<std::string, Tensor>> random_audio_weights(const nlohmann::json& manifest,
                                                                        const std::string& skip,
                                                                        const VocoderConfig* vocoder, uint64_t seed) {
    return random_conv_model_weights(
        manifest, [&](const std::string& name) { return skip.empty() || name.find(skip) == std::string::npos; },
        [&](const std::string& name, const Shape& s) { return audio_fan_in(name, s, vocoder); }, seed);
}

}  // namespace ltx2::bench
