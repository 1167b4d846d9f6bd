// Image decoding (stb_image) and PNG writing (stb_image_write); see image_io.h.
#include "io/media/image_io.h"

#include <stb_image.h>
#include <stb_image_write.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <optional>

#include <fmt/format.h>

#include "core/error.h"
#include "io/media/jpeg_decode.h"
#include "io/media/output_file.h"
#include "io/temp_file.h"

namespace ltx2 {

namespace fs = std::filesystem;

namespace {

// Checks U8 [H, W, 3] and returns it contiguous.
Tensor checked_rgb(const std::string& path, const Tensor& rgb) {
    LTX2_CHECK(rgb.defined(), "{}: cannot write PNG: no image (undefined tensor)", path);
    LTX2_CHECK(rgb.dtype() == DType::U8 && rgb.dim() == 3 && rgb.size(2) == 3,
               "{}: cannot write PNG: expected a U8 [H, W, 3] RGB image, got {} {}", path, dtype_name(rgb.dtype()),
               shape_str(rgb.shape()));
    LTX2_CHECK(rgb.size(0) >= 1 && rgb.size(1) >= 1 && rgb.size(0) <= (1 << 24) && rgb.size(1) <= (1 << 24),
               "{}: cannot write PNG: image size {} is empty or too large", path, shape_str(rgb.shape()));
    return rgb.contiguous();
}

void append_bytes(void* context, void* data, int size) {
    static_cast<std::string*>(context)->append(static_cast<const char*>(data), size_t(size));
}

void encode_and_write_png(const std::string& path, const Tensor& rgb) {
    const int h = int(rgb.size(0)), w = int(rgb.size(1));
    std::string bytes;
    if (!stbi_write_png_to_func(append_bytes, &bytes, w, h, 3, rgb.data<uint8_t>(), w * 3))
        fail("{}: cannot write PNG: encoding a {}x{} image failed", path, w, h);
    TempFile out(path);
    out.write(bytes.data(), bytes.size());
    out.commit();
}

}  // namespace

namespace {

std::string read_image_bytes(const std::string& path) {
    std::error_code ec;
    const fs::file_status st = fs::status(path, ec);
    LTX2_CHECK(fs::exists(st), "{}: cannot read image: no such file", path);
    LTX2_CHECK(fs::is_regular_file(st), "{}: cannot read image: not a regular file", path);
    std::ifstream in(path, std::ios::binary);
    if (!in) fail("{}: cannot read image: {}", path, std::strerror(errno));
    std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    LTX2_CHECK(!in.bad(), "{}: cannot read image: read failed", path);
    LTX2_CHECK(bytes.size() <= size_t(std::numeric_limits<int>::max()), "{}: cannot read image: file too large", path);
    return bytes;
}

[[noreturn]] void fail_undecodable(const std::string& path) {
    const char* why = stbi_failure_reason();
    fail("{}: cannot decode image (PNG, JPEG, BMP, GIF, TGA, PSD, HDR or PNM expected): {}", path,
         why ? why : "unknown error");
}

// The header's width and height, bounded; nullopt when stb_image does not recognise the header.
std::optional<std::pair<int64_t, int64_t>> header_size(const std::string& path, const std::string& bytes) {
    const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
    std::pair<int64_t, int64_t> size;
    if (media::looks_like_jpeg(data, bytes.size())) {
        size = media::jpeg_dimensions(path, data, bytes.size());
    } else {
        int w = 0, h = 0, channels = 0;
        if (!stbi_info_from_memory(data, int(bytes.size()), &w, &h, &channels)) return std::nullopt;
        size = {w, h};
    }
    const auto [w, h] = size;
    LTX2_CHECK(w >= 1 && h >= 1, "{}: image has no pixels ({}x{})", path, w, h);
    LTX2_CHECK(w <= kMaxImageSide && h <= kMaxImageSide && w * h <= kMaxImagePixels,
               "{}: the image is {}x{} pixels ({:.0f} megapixels), larger than the {} megapixels (sides up to {}) "
               "read here; scale it down first",
               path, w, h, double(w * h) / 1e6, kMaxImagePixels / 1000000, kMaxImageSide);
    return size;
}

}  // namespace

std::pair<int64_t, int64_t> read_image_size(const std::string& path) {
    const std::string bytes = read_image_bytes(path);
    const auto size = header_size(path, bytes);
    if (!size) fail_undecodable(path);
    return *size;
}

Tensor read_image(const std::string& path) {
    const std::string bytes = read_image_bytes(path);
    (void)header_size(path, bytes);  // refuses what is too large before decoding
    const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
    if (media::looks_like_jpeg(data, bytes.size()))
        if (std::optional<Tensor> rgb = media::decode_jpeg(path, data, bytes.size())) return *rgb;

    int w = 0, h = 0, channels_in_file = 0;
    struct Free {
        void operator()(stbi_uc* p) const { stbi_image_free(p); }
    };
    std::unique_ptr<stbi_uc, Free> pixels(
        stbi_load_from_memory(data, int(bytes.size()), &w, &h, &channels_in_file, 3));
    if (!pixels) fail_undecodable(path);
    LTX2_CHECK(w >= 1 && h >= 1, "{}: image has no pixels ({}x{})", path, w, h);
    Tensor out = Tensor::zeros({int64_t(h), int64_t(w), 3}, DType::U8, Device::Cpu);
    std::memcpy(out.raw(), pixels.get(), size_t(h) * size_t(w) * 3);
    return out;
}

void write_png(const std::string& path, const Tensor& rgb) {
    const Tensor image = checked_rgb(path, rgb);
    media::require_output_location(path, "PNG");
    encode_and_write_png(path, image);
}

void write_png_frames(const std::string& dir, const Tensor& frames) {
    LTX2_CHECK(frames.defined() && frames.dtype() == DType::U8 && frames.dim() == 4 && frames.size(3) == 3,
               "{}: cannot write PNG frames: expected U8 [F, H, W, 3] frames, got {}", dir,
               frames.defined() ? fmt::format("{} {}", dtype_name(frames.dtype()), shape_str(frames.shape()))
                                : std::string("an undefined tensor"));
    LTX2_CHECK(frames.size(0) >= 1, "{}: cannot write PNG frames: there are no frames", dir);
    media::require_output_folder(dir, "PNG frames");
    for (int64_t i = 0; i < frames.size(0); ++i) {
        const std::string path = (fs::path(dir) / fmt::format("frame_{:05d}.png", i)).string();
        encode_and_write_png(path, checked_rgb(path, frames.select(0, i)));
    }
}

}  // namespace ltx2
