// Conditioning image / video preprocessing (see media_preprocess.h).
#include "pipelines/media_preprocess.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/error.h"
#include "io/media/image_io.h"
#include "io/media/video_reader.h"
#include "ops/media.h"

namespace ltx2 {

Tensor resize_and_center_crop(const Tensor& frames_in, int64_t height, int64_t width) {
    LTX2_CHECK(frames_in.defined() && frames_in.dtype() == DType::U8 &&
                   (frames_in.dim() == 3 || frames_in.dim() == 4) && frames_in.size(-1) == 3,
               "resize_and_center_crop: expected U8 [H, W, 3] or [F, H, W, 3] RGB, got {}",
               frames_in.defined() ? std::string(dtype_name(frames_in.dtype())) + " " + shape_str(frames_in.shape())
                                   : std::string("an undefined tensor"));
    const Tensor frames = (frames_in.dim() == 3 ? frames_in.unsqueeze(0) : frames_in).contiguous();
    const int64_t count = frames.size(0), in_h = frames.size(1), in_w = frames.size(2);
    LTX2_CHECK(in_h >= 1 && in_w >= 1 && count >= 1, "resize_and_center_crop: empty input {}",
               shape_str(frames.shape()));
    LTX2_CHECK(height >= 1 && width >= 1, "resize_and_center_crop: target size {}x{} (height x width) must be positive",
               height, width);

    const double scale = std::max(double(height) / double(in_h), double(width) / double(in_w));
    const int64_t new_h = int64_t(std::ceil(double(in_h) * scale));
    const int64_t new_w = int64_t(std::ceil(double(in_w) * scale));
    const int64_t top = (new_h - height) / 2, left = (new_w - width) / 2;  // both >= 0: ceil covers the target

    return resize_bilinear_window(frames, {.resized_h = new_h,
                                           .resized_w = new_w,
                                           .top = top,
                                           .left = left,
                                           .height = height,
                                           .width = width});
}

Tensor normalize_pixels(const Tensor& pixels) {
    LTX2_CHECK(pixels.defined() && pixels.dtype() == DType::F32, "normalize_pixels: expected F32 pixels, got {}",
               pixels.defined() ? std::string(dtype_name(pixels.dtype())) : std::string("an undefined tensor"));
    return pixels_to_signed_unit(pixels);
}

Tensor load_image_conditioning(const std::string& path, int64_t height, int64_t width, double crf) {
    const Tensor image = h264_round_trip(read_image(path), crf, path);
    return normalize_pixels(resize_and_center_crop(image, height, width));
}

Tensor load_video_conditioning(const std::string& path, int64_t height, int64_t width, int64_t frame_cap) {
    std::vector<Tensor> frames;
    for_each_video_frame(path, frame_cap,
                         [&](const Tensor& rgb) { frames.push_back(resize_and_center_crop(rgb, height, width)); });
    const int64_t count = int64_t(frames.size());
    Tensor out = Tensor::empty({1, 3, count, height, width});
    for (int64_t f = 0; f < count; ++f)
        for (int64_t c = 0; c < 3; ++c)  // the [H, W] plane of channel c, frame f
            out.select(1, c).select(1, f).copy_from(frames[size_t(f)].select(1, c).select(1, 0));
    return normalize_pixels(out);
}

}  // namespace ltx2
