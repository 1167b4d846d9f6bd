#pragma once
// The last stage of every generation: the video latent decoded to frames (tiled for the memory
// budget) and the audio latent to a waveform through the audio VAE and the vocoder, or the input
// audio of an audio-to-video run, fitted to the video's duration. Decoders come from the model
// cache when it holds them.
#include <functional>
#include <string>

#include "io/media/mp4_writer.h"
#include "pipelines/model_cache.h"
#include "pipelines/model_files.h"
#include "pipelines/pipelines.h"

namespace ltx2 {

struct OutputStage {
    const LtxModelFiles* ltx = nullptr;
    const LtxFilePaths* paths = nullptr;
    ModelCache* cache = nullptr;  // optional
    double budget_bytes = 0;      // for the decode tiling (0: the machine's memory)
    // Progress: a stage begins (name, detail), ends, or has a note for people.
    std::function<void(const std::string&, const std::string&)> begin;
    std::function<void()> end;
    std::function<void(const std::string&)> note;
};

struct DecodedOutputs {
    Tensor frames;    // U8 [F, H, W, 3]
    Tensor waveform;  // F32 [2, N], exactly the frames' duration at the file's rate
    int audio_sample_rate = 0;
};

// input_audio: undefined, or the samples F32 [2, N] (at input_sample_rate) that an audio-to-video
// run puts in its file instead of decoding its fixed audio latent.
DecodedOutputs decode_outputs(const PipelineResult& latents, FrameRate fps, const Tensor& input_audio,
                              int input_sample_rate, const OutputStage& stage);

}  // namespace ltx2
