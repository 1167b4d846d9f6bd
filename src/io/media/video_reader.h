#pragma once
// Reading the frames of a video file (IC-LoRA reference videos, tests): libavformat demuxes the
// first video stream, libavcodec decodes it, libswscale converts each frame to RGB24 with
// PyAV's to_rgb() settings (bilinear, the stream's own colourspace), as the reference's
// decode_video_from_file does.
#include <cstdint>
#include <functional>
#include <string>

#include "core/tensor.h"

namespace ltx2 {

// What a video file holds, as the reference's get_videostream_metadata reads it: the first video
// stream's size and average frame rate, its frame count (the container's, else the frames
// decoded), and whether the file also has an audio stream.
struct VideoFileInfo {
    int64_t width = 0, height = 0, frames = 0;
    int fps_num = 0, fps_den = 1;
    bool has_audio = false;
    double fps() const { return double(fps_num) / double(fps_den); }
};
// Throws naming `option` and the path for a missing or unreadable file, one without a video
// stream, a stream without a frame rate, or frames larger than an image may be (image_io.h).
VideoFileInfo probe_video(const std::string& path, const std::string& option);
// The same from the container's header alone: nothing is decoded, and `frames` is 0 when the
// container does not say.
VideoFileInfo probe_video_header(const std::string& path, const std::string& option);

// Calls `on_frame` with each decoded frame, U8 [H, W, 3], in presentation order, stopping after
// `frame_cap` frames. frame_cap <= 0 reads every frame (the reference's countdown never
// reaches 0 then either). Returns the number of frames delivered. Throws ltx2::Error naming the
// path for a missing or undecodable file, one without a video stream, or frames larger than an
// image may be (checked from the stream's header before decoding, and for every frame).
int64_t for_each_video_frame(const std::string& path, int64_t frame_cap,
                             const std::function<void(const Tensor& rgb)>& on_frame);

// All delivered frames stacked: U8 [F, H, W, 3] (every frame must have the same size).
Tensor read_video(const std::string& path, int64_t frame_cap = 0);

}  // namespace ltx2
