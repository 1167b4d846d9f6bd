#include "ops/pixels.h"

#include "ops/backend.h"

namespace ltx2 {

Tensor unit_rgb_frames(const Tensor& v) { return backend_for(v.device()).unit_rgb_frames(v); }

Tensor unit_to_uint8(const Tensor& x) { return backend_for(x.device()).unit_to_uint8(x); }

}  // namespace ltx2
