#include "capi/result.h"

#include "core/device.h"

namespace ltx2::capi {

std::unique_ptr<ltx2_result> make_result(const GenerateRequest& request, const GenerateResult& generated) {
    auto result = std::make_unique<ltx2_result>();
    result->output = request.output;
    result->model = generated.model;
    result->frame_count = generated.frames;
    result->width = generated.width;
    result->height = generated.height;
    result->fps = generated.fps.value();
    result->audio_sample_count = generated.audio_samples;
    result->audio_sample_rate = generated.audio_sample_rate;
    result->seed = request.params.seed;
    if (request.decoded_in_result) {
        result->pixels = generated.decoded_frames.to_device(Device::Cpu);  // contiguous
        const std::vector<float> planar = generated.decoded_waveform.to_device(Device::Cpu).to_vector();  // [2, N]
        const size_t channels = size_t(result->audio_channels), samples = planar.size() / channels;
        result->audio.resize(planar.size());
        for (size_t c = 0; c < channels; ++c)
            for (size_t i = 0; i < samples; ++i) result->audio[i * channels + c] = planar[c * samples + i];
    }
    return result;
}

}  // namespace ltx2::capi
