// --target image: still-image decoding (read_image_size, read_image: libjpeg for JPEG, stb_image
// for the rest). Seeds: RGB, gray and RGBA PNGs, a JPEG, BMP, RLE TGA and binary PPM (plus files
// given), with the positions of their header fields (sizes, bit depths, colour types, the
// JPEG frame header). Exercise: the header's size, then the whole decode.
#include <stb_image_write.h>

#include "fuzz/target.h"
#include "io/media/image_io.h"

namespace ltx2::fuzz {

namespace {

namespace fs = std::filesystem;

// Fields of the formats' headers where the seed is one of them.
Seed analyze(std::string name, Bytes bytes, const fs::path&) {
    Seed s{std::move(name), std::move(bytes)};
    const Bytes& b = s.bytes;
    if (b.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0 && b.size() >= 33) {
        const Field w{16, 4, true}, h{20, 4, true};
        s.fields = {w, h, {24, 1}, {25, 1}, {26, 1}, {27, 1}, {28, 1}, {8, 4, true}};
        s.groups.push_back({w, h});
        for (size_t at = 33; at + 8 <= b.size();) {  // every chunk's length
            uint32_t length = 0;
            for (int i = 0; i < 4; ++i) length = (length << 8) | uint8_t(b[at + size_t(i)]);
            s.fields.push_back({at, 4, true});
            at += 12 + uint64_t(length);
        }
    } else if (b.size() >= 4 && uint8_t(b[0]) == 0xff && uint8_t(b[1]) == 0xd8) {
        for (size_t at = 2; at + 4 <= b.size() && uint8_t(b[at]) == 0xff;) {  // every segment's length
            const uint8_t marker = uint8_t(b[at + 1]);
            s.fields.push_back({at + 2, 2, true});
            if (marker >= 0xc0 && marker <= 0xc2 && at + 10 <= b.size()) {  // SOF: precision, height, width, components
                const Field h{at + 5, 2, true}, w{at + 7, 2, true};
                s.fields.insert(s.fields.end(), {{at + 4, 1}, h, w, {at + 9, 1}, {at + 11, 1}, {at + 12, 1}});
                s.groups.push_back({h, w});
            }
            if (marker == 0xda) {  // the scan data follows
                s.header_end = at;
                break;
            }
            at += 2 + (size_t(uint8_t(b[at + 2])) << 8 | uint8_t(b[at + 3]));
        }
    } else if (b.compare(0, 2, "BM") == 0 && b.size() >= 34) {
        const Field w{18, 4}, h{22, 4};
        s.fields = {{2, 4}, {10, 4}, {14, 4}, w, h, {26, 2}, {28, 2}, {30, 4}, {34, 4}};
        s.groups.push_back({w, h});
    } else if (b.size() >= 18 && (b[2] == 2 || b[2] == 10)) {  // TGA
        const Field w{12, 2}, h{14, 2};
        s.fields = {{0, 1}, {1, 1}, {2, 1}, w, h, {16, 1}, {17, 1}};
        s.groups.push_back({w, h});
    }
    return s;
}

void append_bytes(void* context, void* data, int size) {
    static_cast<Bytes*>(context)->append(static_cast<const char*>(data), size_t(size));
}

std::vector<Seed> seeds(const fs::path& work) {
    const int w = 9, h = 7;
    std::vector<unsigned char> pixels(size_t(w) * h * 4);
    for (size_t i = 0; i < pixels.size(); ++i) pixels[i] = (unsigned char)(i * 37 + i / 5);
    std::vector<Seed> out;
    auto add = [&](const char* name, auto&& write) {
        Bytes bytes;
        LTX2_CHECK(write(&bytes) != 0, "fuzz image seed {}: stb_image_write failed", name);
        out.push_back(analyze(name, bytes, work));
    };
    add("builtin-rgb.png", [&](Bytes* b) { return stbi_write_png_to_func(append_bytes, b, w, h, 3, pixels.data(), w * 3); });
    add("builtin-gray.png", [&](Bytes* b) { return stbi_write_png_to_func(append_bytes, b, w, h, 1, pixels.data(), w); });
    add("builtin-rgba.png", [&](Bytes* b) { return stbi_write_png_to_func(append_bytes, b, w, h, 4, pixels.data(), w * 4); });
    add("builtin.jpg", [&](Bytes* b) { return stbi_write_jpg_to_func(append_bytes, b, w, h, 3, pixels.data(), 90); });
    add("builtin.bmp", [&](Bytes* b) { return stbi_write_bmp_to_func(append_bytes, b, w, h, 3, pixels.data()); });
    add("builtin-rle.tga", [&](Bytes* b) { return stbi_write_tga_to_func(append_bytes, b, w, h, 4, pixels.data()); });
    out.push_back(Seed{"builtin.ppm", "P6\n3 2\n255\n" + Bytes(pixels.begin(), pixels.begin() + 18)});
    return out;
}

Outcome exercise(const std::string& path, const fs::path&) {
    Outcome o;
    allowing_errors([&] { read_image_size(path); });
    allowing_errors([&] {
        const Tensor rgb = read_image(path);
        o.opened = true;
        uint64_t sum = 0;
        for (int64_t i = 0; i < rgb.numel(); ++i) sum += rgb.data<uint8_t>()[i];
        o.items += size_t(rgb.numel()) + (sum == 1);
    });
    return o;
}

}  // namespace

const Target& image_target() {
    static const Target t{"image", ".img", seeds, analyze, exercise};
    return t;
}

}  // namespace ltx2::fuzz
