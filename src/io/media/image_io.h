#pragma once
// Still images: decoding conditioning images to RGB, and writing frames as PNG files.
#include <cstdint>
#include <string>
#include <utility>

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
// Images larger than kMaxImagePixels (or a side beyond kMaxImageSide) are refused from their
// header, naming the file and its size, before any pixel is decoded.
Tensor read_image(const std::string& path);

// 2^27 pixels (134 megapixels, 400 MiB decoded), beyond any camera's picture.
inline constexpr int64_t kMaxImagePixels = int64_t(1) << 27;
inline constexpr int64_t kMaxImageSide = 32768;

// The width and height of an image file read from its header (nothing decoded), within the
// bounds above; throws naming the file as read_image does.
std::pair<int64_t, int64_t> read_image_size(const std::string& path);

// Writes U8 [H, W, 3] RGB as a PNG file (stb_image_write), through PATH.tmp renamed onto PATH.
void write_png(const std::string& path, const Tensor& rgb);

// Writes U8 [F, H, W, 3] frames as DIR/frame_00000.png, frame_00001.png, ... (each written
// atomically). DIR must exist and be writable.
void write_png_frames(const std::string& dir, const Tensor& frames);

}  // namespace ltx2
