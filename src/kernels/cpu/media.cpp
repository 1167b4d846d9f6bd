#include "kernels/cpu/media.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/error.h"

namespace ltx2::cpu {

namespace {

// Where output index o of a linear resize from `in` to `out` samples reads: two source indices
// and their weights, as torch's CPU upsample kernels compute them (align_corners=False, no
// scale_factor given): scale = float(in) / out, source = scale * (o + 0.5) - 0.5 clamped at 0,
// i0 = floor(source) (at most in - 1), i1 = i0 + 1 (or i0 at the end), lambda1 = source - i0.
// Equal sizes copy.
struct LinearTaps {
    std::vector<int64_t> i0, i1;
    std::vector<float> w0, w1;
};

LinearTaps linear_taps(int64_t in, int64_t out) {
    LinearTaps t;
    t.i0.resize(size_t(out));
    t.i1.resize(size_t(out));
    t.w0.resize(size_t(out));
    t.w1.resize(size_t(out));
    const float scale = float(in) / float(out);
    for (int64_t o = 0; o < out; ++o) {
        const size_t k = size_t(o);
        if (in == out) {
            t.i0[k] = t.i1[k] = o;
            t.w0[k] = 1.0f;
            t.w1[k] = 0.0f;
            continue;
        }
        const float source = std::max(scale * (float(o) + 0.5f) - 0.5f, 0.0f);
        const int64_t i0 = std::min(int64_t(std::floor(source)), in - 1);
        const float lambda = std::clamp(source - float(i0), 0.0f, 1.0f);
        t.i0[k] = i0;
        t.i1[k] = i0 + (i0 < in - 1 ? 1 : 0);
        t.w1[k] = lambda;
        t.w0[k] = 1.0f - lambda;
    }
    return t;
}

// Bilinear resize of one U8 [H, W, 3] frame to new_h x new_w, writing only the window of
// height x width at (top, left) into out[c][y][x] (channel stride `plane`, row stride width).
// torch evaluates the four-tap sum in two orders: its channels-last kernel, used when the
// resized height + width <= 128, weights each corner by the product of its two lambdas and sums
// left to right; its generic kernel (larger outputs, multi-threaded torch) interpolates along
// the width first, then blends the two rows.
void resize_window(const uint8_t* src, int64_t in_w, const LinearTaps& rows, const LinearTaps& cols,
                   bool channels_last_kernel, int64_t top, int64_t left, int64_t height, int64_t width, float* out,
                   int64_t plane) {
    for (int64_t y = 0; y < height; ++y) {
        const size_t r = size_t(top + y);
        const uint8_t* row0 = src + rows.i0[r] * in_w * 3;
        const uint8_t* row1 = src + rows.i1[r] * in_w * 3;
        const float h0 = rows.w0[r], h1 = rows.w1[r];
        for (int64_t x = 0; x < width; ++x) {
            const size_t q = size_t(left + x);
            const int64_t a = cols.i0[q] * 3, b = cols.i1[q] * 3;
            const float w0 = cols.w0[q], w1 = cols.w1[q];
            for (int64_t c = 0; c < 3; ++c) {
                const float s00 = row0[a + c], s01 = row0[b + c], s10 = row1[a + c], s11 = row1[b + c];
                float v;
                if (channels_last_kernel) {
                    v = s00 * (h0 * w0) + s01 * (h0 * w1) + s10 * (h1 * w0) + s11 * (h1 * w1);
                } else {
                    const float top_row = s00 * w0 + s01 * w1, bottom_row = s10 * w0 + s11 * w1;
                    v = top_row * h0 + bottom_row * h1;
                }
                out[c * plane + y * width + x] = v;
            }
        }
    }
}

}  // namespace

Tensor resize_bilinear_window(const Tensor& frames_in, int64_t resized_h, int64_t resized_w, int64_t top, int64_t left,
                              int64_t height, int64_t width) {
    LTX2_CHECK(frames_in.dtype() == DType::U8 && frames_in.dim() == 4 && frames_in.size(3) == 3,
               "resize_bilinear_window: expected U8 [F, H, W, 3] frames, got {} {}", dtype_name(frames_in.dtype()),
               shape_str(frames_in.shape()));
    LTX2_CHECK(top >= 0 && left >= 0 && height >= 1 && width >= 1 && top + height <= resized_h &&
                   left + width <= resized_w,
               "resize_bilinear_window: window {}x{} at ({}, {}) does not lie in the resized {}x{}", height, width,
               top, left, resized_h, resized_w);
    const Tensor frames = frames_in.contiguous();
    const int64_t count = frames.size(0), in_h = frames.size(1), in_w = frames.size(2);
    const LinearTaps rows = linear_taps(in_h, resized_h), cols = linear_taps(in_w, resized_w);
    const bool channels_last_kernel = resized_h + resized_w <= 128;
    Tensor out = Tensor::empty({1, 3, count, height, width});
    float* o = out.f32();
    const uint8_t* src = frames.data<uint8_t>();
    const int64_t plane = count * height * width;  // channel stride of [1, 3, F, H, W]
#pragma omp parallel for schedule(static)
    for (int64_t f = 0; f < count; ++f)
        resize_window(src + f * in_h * in_w * 3, in_w, rows, cols, channels_last_kernel, top, left, height,
                      width, o + f * height * width, plane);
    return out;
}

Tensor pixels_to_signed_unit(const Tensor& x) {
    LTX2_CHECK(x.dtype() == DType::F32, "pixels_to_signed_unit: expected F32 pixels, got {}", dtype_name(x.dtype()));
    const Tensor xs = x.contiguous();
    const float* p = xs.f32();
    Tensor out = Tensor::empty(x.shape());
    float* o = out.f32();
    const int64_t n = out.numel();
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < n; ++i) o[i] = p[i] / 127.5f - 1.0f;
    return out;
}

}  // namespace ltx2::cpu
