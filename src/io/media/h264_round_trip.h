#pragma once
// The reference's image "preprocess" (ltx_pipelines/utils/media_io.py: preprocess,
// encode_single_frame, decode_single_frame at 28c3c73): a conditioning image is passed once
// through H.264 so that it carries the compression artefacts of the video frames the model was
// trained on.
#include "core/tensor.h"

namespace ltx2 {

// The pipelines' default strength of that round trip (constants.py, DEFAULT_IMAGE_CRF).
constexpr double kDefaultImageCrf = 33;

// U8 [H, W, 3] RGB -> U8 [H', W', 3] with H' = H rounded down to even, W' likewise (the
// reference crops the bottom row / right column of odd sizes). crf == 0 returns the image
// unchanged, uncropped, as the reference does. Otherwise the cropped image is converted to
// yuv420p (swscale, bilinear), encoded as one frame by libx264 (crf, preset "veryfast", rate 1,
// auto slice threads: PyAV's defaults), decoded by FFmpeg's H.264 decoder and converted back to
// RGB24 (swscale, bilinear). The reference muxes the frame into an in-memory MP4 between the
// two; the container does not change the bitstream's pixels, so we pass the packets directly.
// libx264's slice threading makes the result depend on the machine's core count (in the
// reference too); on one machine it is deterministic. `what` names the image in errors.
Tensor h264_round_trip(const Tensor& rgb, double crf, const std::string& what);

}  // namespace ltx2
