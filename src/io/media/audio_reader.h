#pragma once
// Audio decoding from any file FFmpeg reads (WAV, MP3, AAC, FLAC, the audio track of an MP4), as
// the official pipelines' decode_audio_from_file does it (ltx_pipelines/utils/media_io/decode.py
// @ 400fd31): the first audio stream, samples as float32 in [-1, 1], the window
// [start_time, start_time + max_duration) cut out of the decoded frames.
#include <optional>
#include <string>

#include "core/tensor.h"

namespace ltx2 {

struct DecodedAudio {
    Tensor samples;       // F32 [channels, N]
    int sample_rate = 0;  // Hz, the stream's own rate (no resampling)
};

// The reference's cut of the decoded frames, which start at first_frame_time seconds: drop
// round((start_time − first_frame_time) · rate) samples when positive, then keep at most
// round(max_duration · rate) (Python round: half to even). samples F32 [C, N].
Tensor trim_decoded_audio(const Tensor& samples, int sample_rate, double first_frame_time, double start_time,
                          std::optional<double> max_duration);

// Decodes `path`. Frames with no timestamp are skipped, frames ending before start_time too;
// decoding stops at the first frame starting after start_time + max_duration (without a
// maximum: the stream's end). Integer samples are divided by their format's full scale
// (u8 centred at 128), interleaved ones de-interleaved.
// Errors name `option` and the file: missing or unreadable file, no audio stream, nothing
// decodable at start_time (e.g. start beyond the end of the audio).
DecodedAudio read_audio(const std::string& path, double start_time = 0.0,
                        std::optional<double> max_duration = std::nullopt, const std::string& option = "--audio-path");

}  // namespace ltx2
