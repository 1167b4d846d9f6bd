#include "ops/pixels.h"

#include "ops/backend.h"

namespace ltx2 {

Tensor unit_rgb_frames(const Tensor& v) { return call_backend(v.device())->unit_rgb_frames(v); }

Tensor unit_to_uint8(const Tensor& x) { return call_backend(x.device())->unit_to_uint8(x); }

}  // namespace ltx2
