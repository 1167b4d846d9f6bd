#pragma once
// Conditioning media -> the video VAE encoder's input, as the official pipelines prepare it
// (packages/ltx-pipelines/src/ltx_pipelines/utils/media_io.py at 28c3c73:
// load_image_conditioning, load_video_conditioning, resize_and_center_crop, normalize_latent).
#include <cstdint>
#include <string>

#include "core/tensor.h"
#include "io/media/h264_round_trip.h"

namespace ltx2 {

// Cover-resize then centre-crop U8 frames ([H, W, 3] or [F, H, W, 3]) to height x width:
//   scale = max(height / H, width / W) (double), resized size = ceil(H * scale) x ceil(W * scale),
//   torch bilinear interpolation with align_corners=False and no antialiasing, computed in
//   float32 on the 0..255 values, then the window at ((newH - height) // 2, (newW - width) // 2).
//   Index and weight arithmetic and the order of the sums follow torch's CPU kernels without
//   fused multiply-adds; a torch build that fuses them can differ in the last bit (CUDA, which
//   the reference also allows, sums in yet another order).
// Returns F32 [1, 3, F, height, width] (F = 1 for a single image), values still in 0..255.
Tensor resize_and_center_crop(const Tensor& frames, int64_t height, int64_t width);

// x / 127.5 - 1 in float32: pixel values 0..255 -> [-1, 1] (normalize_latent). Returns a new tensor.
Tensor normalize_pixels(const Tensor& pixels);

// An image file -> F32 [1, 3, 1, height, width] in [-1, 1]: decode (io/media/image_io.h),
// H.264 round trip at `crf` (0 skips it), resize_and_center_crop, normalize_pixels.
Tensor load_image_conditioning(const std::string& path, int64_t height, int64_t width, double crf = kDefaultImageCrf);

// A video file -> F32 [1, 3, F, height, width] in [-1, 1], F = min(frames in the file,
// frame_cap) (frame_cap <= 0: all): each decoded frame resized, cropped and normalised on its
// own; no H.264 round trip for videos (as the reference).
Tensor load_video_conditioning(const std::string& path, int64_t height, int64_t width, int64_t frame_cap);

}  // namespace ltx2
