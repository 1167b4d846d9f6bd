#pragma once
// The program's output file: H.264 video (libx264, yuv420p) and optional AAC stereo audio in an
// MP4 container, as the official pipelines' encode_video writes it
// (packages/ltx-pipelines/src/ltx_pipelines/utils/media_io.py at 28c3c73), plus metadata tags.
// Two differences: x264's macroblock tree is off, so the same frames always give the same file,
// and the colours are tagged (the reference writes no tags, and players then guess BT.709 for HD
// sizes, which shifts the hues of its BT.601 pixels).
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/tensor.h"

namespace ltx2 {

// Frames per second as a fraction. The reference opens its stream with rate=int(fps): a
// fractional rate such as 29.97 is truncated to 29 there, which changes the clip's length and its
// sync with the audio. `exact(fps)` is the rate the user meant: the NTSC rates (23.976, 29.97,
// 59.94, ... within 0.001) as k·1000/1001, other rates to 1/1000. `reference(fps)` reproduces
// the reference's truncation.
struct FrameRate {
    int num = 24;
    int den = 1;
    static FrameRate reference(double fps);  // {int(fps), 1}, as the reference does
    static FrameRate exact(double fps);
    double value() const { return double(num) / double(den); }
};

struct AudioTrack {
    Tensor samples;       // F32 [2, N] or [1, 2, N], stereo, nominally in [-1, 1]
    int sample_rate = 0;  // Hz; must be a rate the AAC encoder supports (e.g. 16000, 24000, 48000)
};

struct Mp4Options {
    FrameRate fps;
    // libx264 rate control and speed. The reference passes neither, so libx264's defaults apply
    // there: crf 23, preset "medium"; these defaults are the same.
    double crf = 23;
    std::string preset = "medium";
    // Container tags, e.g. {"prompt", ...}, {"seed", "10"}, {"comment", ...}. Written as MP4
    // metadata items (the muxer's use_metadata_tags mode, so any key survives; ffprobe lists
    // them under format.tags). The reference writes none.
    std::vector<std::pair<std::string, std::string>> metadata;
};

// Fails "WHO: audio sample rate R Hz is not supported by AAC (supported: ...)" for a rate the
// MP4's AAC track cannot carry.
void check_aac_sample_rate(const std::string& who, int rate);

// Writes `frames` (U8 [F, H, W, 3] RGB, F >= 1) and, if given, `audio` to `path`.
//   Video: every frame is converted RGB24 -> yuv420p with swscale (bilinear, BT.601 limited
//   range, as PyAV's reformat does; tagged so: BT.709 primaries and transfer, BT.601 (SMPTE
//   170M) matrix, limited range, so players show the colours made and a reader that decodes as
//   the reference does gets them back) and encoded with pts = frame index at 1/fps, so a reader sees
//   exactly F frames at fps. yuv420p needs even width and height: odd sizes are an error (the
//   reference's libx264 stream rejects them too; the pipelines only produce multiples of 32).
//   Audio: each sample -> int16 with to_pcm16 (clip, x32767, truncate, exactly as the reference),
//   then libswresample to the AAC encoder's planar float at the same rate, 128 kb/s (what FFmpeg
//   picks for stereo when, as in the reference, no bit rate is given), 1024-sample frames. The
//   whole waveform is written, neither trimmed nor padded to the video's length (see
//   pipelines/audio_length.h); the AAC encoder's 1024-sample priming is hidden by the MP4 edit
//   list, so readers report N / sample_rate seconds.
// The moov index is at the front of the file (faststart: a browser plays it while it loads).
// The file is written under a temporary name in the same folder and renamed onto PATH at the
// end; on any error (bad input, missing or unwritable folder, encoder failure, a failed write such
// as a full disk) the temporary file is removed and ltx2::Error names PATH and FFmpeg's error text. Input and the
// output folder are checked before anything is encoded.
void write_mp4(const std::string& path, const Tensor& frames, const std::optional<AudioTrack>& audio,
               const Mp4Options& options = {});

}  // namespace ltx2
