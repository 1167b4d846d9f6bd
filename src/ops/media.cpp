#include "ops/media.h"

#include "ops/backend.h"

namespace ltx2 {

Tensor resize_bilinear_window(const Tensor& frames, const ResizeWindow& w) {
    return call_backend(frames.device())
        ->resize_bilinear_window(frames, w.resized_h, w.resized_w, w.top, w.left, w.height, w.width);
}

Tensor pixels_to_signed_unit(const Tensor& x) { return call_backend(x.device())->pixels_to_signed_unit(x); }

}  // namespace ltx2
