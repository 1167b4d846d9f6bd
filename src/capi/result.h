#pragma once
// ltx2_result: what a generation made, read through the ltx2_result_* accessors.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "app/generate.h"
#include "core/tensor.h"

struct ltx2_result {
    std::string output;  // the MP4 written, "" when none was
    std::string model;
    int64_t frame_count = 0, width = 0, height = 0;
    double fps = 0;
    int64_t audio_sample_count = 0;  // per channel
    int audio_sample_rate = 0;
    int audio_channels = 2;
    uint64_t seed = 0;
    // With --in-memory: the frames U8 [F, H, W, 3] in host memory, and the audio interleaved.
    ltx2::Tensor pixels;
    std::vector<float> audio;
};

namespace ltx2::capi {

// The result of the generation of `request` (as it was run: the seed drawn, the outputs given).
std::unique_ptr<ltx2_result> make_result(const GenerateRequest& request, const GenerateResult& generated);

}  // namespace ltx2::capi
