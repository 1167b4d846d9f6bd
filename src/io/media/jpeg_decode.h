#pragma once
// JPEG decoding with libjpeg(-turbo), the library behind PIL's JPEG plugin, with PIL's settings
// (accurate integer IDCT, fancy chroma upsampling), so that conditioning images decode to the
// same pixels as in the reference.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "core/tensor.h"

namespace ltx2::media {

// True when `data` starts with the JPEG SOI marker.
bool looks_like_jpeg(const unsigned char* data, size_t size);

// The width and height a JPEG's header declares, read without decoding; throws naming `path`
// when the header is unreadable.
std::pair<int64_t, int64_t> jpeg_dimensions(const std::string& path, const unsigned char* data, size_t size);

// Decodes a YCbCr, RGB or grayscale JPEG to U8 [H, W, 3]. Returns nullopt for CMYK / YCCK
// files (left to another decoder). A corrupt or truncated file throws ltx2::Error naming `path`
// (PIL refuses truncated files too).
std::optional<Tensor> decode_jpeg(const std::string& path, const unsigned char* data, size_t size);

}  // namespace ltx2::media
