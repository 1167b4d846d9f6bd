// JPEG decoding through libjpeg (see jpeg_decode.h).
#include "io/media/jpeg_decode.h"

#include <csetjmp>
#include <cstdio>  // jpeglib.h needs FILE

#include <jerror.h>
#include <jpeglib.h>

#include "core/error.h"

namespace ltx2::media {

namespace {

// libjpeg reports fatal errors through error_exit, which must not return: it jumps back to the
// step that was running. The steps below hold no C++ objects, so the jump skips no destructor.
struct JpegErrors {
    jpeg_error_mgr mgr{};
    std::jmp_buf jump{};
    char message[JMSG_LENGTH_MAX] = {};
    bool truncated = false;
};

void on_error(j_common_ptr c) {
    auto* e = reinterpret_cast<JpegErrors*>(c->err);
    (*c->err->format_message)(c, e->message);
    std::longjmp(e->jump, 1);
}

// Warnings about corrupt data are ignored as PIL ignores them, except a premature end.
void on_message(j_common_ptr c, int level) {
    if (level < 0 && c->err->msg_code == JWRN_JPEG_EOF) reinterpret_cast<JpegErrors*>(c->err)->truncated = true;
}

struct JpegReader {
    jpeg_decompress_struct cinfo{};
    JpegErrors errors;
    bool created = false;
    JpegReader() {
        cinfo.err = jpeg_std_error(&errors.mgr);
        errors.mgr.error_exit = on_error;
        errors.mgr.emit_message = on_message;
    }
    ~JpegReader() {
        if (created) jpeg_destroy_decompress(&cinfo);
    }
    JpegReader(const JpegReader&) = delete;
    JpegReader& operator=(const JpegReader&) = delete;
};

bool read_header(JpegReader& r, const unsigned char* data, size_t size) {
    if (setjmp(r.errors.jump)) return false;
    jpeg_create_decompress(&r.cinfo);
    r.created = true;
    jpeg_mem_src(&r.cinfo, data, static_cast<unsigned long>(size));
    jpeg_read_header(&r.cinfo, TRUE);
    return true;
}

// PIL's decoder settings: RGB output, accurate integer IDCT, fancy (triangle) chroma upsampling.
bool read_pixels(JpegReader& r, uint8_t* out) {
    if (setjmp(r.errors.jump)) return false;
    r.cinfo.out_color_space = JCS_RGB;
    r.cinfo.dct_method = JDCT_ISLOW;
    r.cinfo.do_fancy_upsampling = TRUE;
    jpeg_start_decompress(&r.cinfo);
    const size_t row = size_t(r.cinfo.output_width) * 3;
    while (r.cinfo.output_scanline < r.cinfo.output_height) {
        JSAMPROW p = out + size_t(r.cinfo.output_scanline) * row;
        jpeg_read_scanlines(&r.cinfo, &p, 1);
    }
    jpeg_finish_decompress(&r.cinfo);
    return true;
}

}  // namespace

bool looks_like_jpeg(const unsigned char* data, size_t size) {
    return size >= 3 && data[0] == 0xFF && data[1] == 0xD8 && data[2] == 0xFF;
}

std::pair<int64_t, int64_t> jpeg_dimensions(const std::string& path, const unsigned char* data, size_t size) {
    JpegReader r;
    if (!read_header(r, data, size)) fail("{}: cannot decode JPEG: {}", path, r.errors.message);
    return {int64_t(r.cinfo.image_width), int64_t(r.cinfo.image_height)};
}

std::optional<Tensor> decode_jpeg(const std::string& path, const unsigned char* data, size_t size) {
    JpegReader r;
    if (!read_header(r, data, size)) fail("{}: cannot decode JPEG: {}", path, r.errors.message);
    if (r.cinfo.jpeg_color_space == JCS_CMYK || r.cinfo.jpeg_color_space == JCS_YCCK) return std::nullopt;
    const int64_t h = r.cinfo.image_height, w = r.cinfo.image_width;
    LTX2_CHECK(h >= 1 && w >= 1, "{}: cannot decode JPEG: image size {}x{}", path, w, h);
    Tensor out = Tensor::zeros({h, w, 3}, DType::U8, Device::Cpu);
    if (!read_pixels(r, out.data<uint8_t>())) fail("{}: cannot decode JPEG: {}", path, r.errors.message);
    LTX2_CHECK(int64_t(r.cinfo.output_height) == h && int64_t(r.cinfo.output_width) == w,
               "{}: cannot decode JPEG: decoded size {}x{} differs from the header's {}x{}", path,
               r.cinfo.output_width, r.cinfo.output_height, w, h);
    LTX2_CHECK(!r.errors.truncated, "{}: cannot decode JPEG: the file is truncated", path);
    return out;
}

}  // namespace ltx2::media
