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

// Calls `on_frame` with each decoded frame, U8 [H, W, 3], in presentation order, stopping after
// `frame_cap` frames. frame_cap <= 0 reads every frame (the reference's countdown never
// reaches 0 then either). Returns the number of frames delivered. Throws ltx2::Error naming the
// path for a missing or undecodable file or one without a video stream.
int64_t for_each_video_frame(const std::string& path, int64_t frame_cap,
                             const std::function<void(const Tensor& rgb)>& on_frame);

// All delivered frames stacked: U8 [F, H, W, 3] (every frame must have the same size).
Tensor read_video(const std::string& path, int64_t frame_cap = 0);

}  // namespace ltx2
