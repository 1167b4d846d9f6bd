#include "ops/positions.h"

#include "ops/backend.h"

namespace ltx2 {

Tensor latent_to_pixel_coords(const Tensor& bounds, const std::array<int64_t, 3>& scale, bool causal_fix) {
    return call_backend(bounds.device())->latent_to_pixel_coords(bounds, scale, causal_fix);
}

Tensor pixel_coords_to_positions(const Tensor& coords, int64_t time_offset, float fps, int64_t spatial_factor) {
    return call_backend(coords.device())->pixel_coords_to_positions(coords, time_offset, fps, spatial_factor);
}

Tensor time_window_mask(const Tensor& positions, float start, float end, int64_t per_token) {
    return call_backend(positions.device())->time_window_mask(positions, start, end, per_token);
}

}  // namespace ltx2
