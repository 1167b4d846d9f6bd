#pragma once
// Still images: decoding conditioning images to RGB, and writing frames as PNG files.
#include <string>

#include "core/tensor.h"

namespace ltx2 {

// Decodes an image file to U8 [H, W, 3] RGB: JPEG with libjpeg as PIL does (same pixels; see
// jpeg_decode.h), everything else (PNG, BMP, GIF first frame, TGA, PSD, HDR, PNM, and CMYK
// JPEG) with stb_image. The reference (PIL's np.array(image)[..., :3]) keeps the first three
// channels, which we match for RGB and RGBA (alpha dropped, not composited). Where the reference
// breaks we convert to RGB instead: grayscale (PIL gives a 2-D array), grayscale+alpha (two
// channels), palette images (indices), CMYK JPEG (raw inks) and 16-bit PNG (reduced to the
// high byte, as PIL does for 16-bit RGB). EXIF orientation is ignored, as by PIL's open().
// Missing, unreadable, corrupt or truncated files throw an ltx2::Error naming the path.
Tensor read_image(const std::string& path);

// Writes U8 [H, W, 3] RGB as a PNG file (stb_image_write), through PATH.tmp renamed onto PATH.
void write_png(const std::string& path, const Tensor& rgb);

// Writes U8 [F, H, W, 3] frames as DIR/frame_00000.png, frame_00001.png, ... (each written
// atomically). DIR must exist and be writable.
void write_png_frames(const std::string& dir, const Tensor& frames);

}  // namespace ltx2
