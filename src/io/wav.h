#pragma once
// RIFF/WAVE files: writing the vocoder's waveform, reading PCM16 / float32 files back (tests,
// audio conditioning). Little-endian, one `fmt ` chunk, one `data` chunk; mono or stereo.
#include <cstdint>
#include <string>

#include "core/tensor.h"

namespace ltx2 {

enum class WavFormat {
    Pcm16,    // WAVE_FORMAT_PCM (1), 16-bit signed integers
    Float32,  // WAVE_FORMAT_IEEE_FLOAT (3), 32-bit floats, with the `fact` chunk the spec asks for
};

// One float sample as the official pipelines store it in 16 bits before encoding audio: clip to
// [-1, 1], multiply by 32767, truncate toward zero (see wav.cpp). Also used by the MP4 writer.
int16_t to_pcm16(float x);

// Writes `waveform` (F32, [channels, samples] or [1, channels, samples], 1 or 2 channels) to
// `path` at `sample_rate` Hz (1 .. 384000). The file is written to PATH.tmp and renamed onto
// PATH, so a failure never leaves a partial file. Every sample must be finite. PCM16 clamps
// to [-1, 1] and converts exactly as the official pipelines do before encoding their audio
// (see wav.cpp).
void write_wav(const std::string& path, const Tensor& waveform, int sample_rate, WavFormat format);

// Reads a PCM16 or float32 WAVE file into an F32 [channels, samples] tensor; PCM16 values are
// divided by 32768 (ffmpeg's / torchaudio's s16 -> float convention). `sample_rate` (if
// non-null) receives the file's rate. Chunk sizes are validated; errors name the file.
Tensor read_wav(const std::string& path, int* sample_rate = nullptr);

}  // namespace ltx2
