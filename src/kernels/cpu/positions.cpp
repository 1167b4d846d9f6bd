#include "kernels/cpu/positions.h"

#include <algorithm>

#include "core/error.h"

namespace ltx2::cpu {

namespace {

void check_coords(const char* op, const Tensor& t) {
    LTX2_CHECK(t.dim() == 4 && t.size(1) == 3 && t.size(3) == 2, "{}: expected [B, 3, N, 2], got {}", op,
               shape_str(t.shape()));
    LTX2_CHECK(t.dtype() == DType::I64, "{}: expected int64 coordinates, got {}", op, dtype_name(t.dtype()));
}

}  // namespace

Tensor latent_to_pixel_coords(const Tensor& bounds, const std::array<int64_t, 3>& scale, bool causal_fix) {
    check_coords("latent_to_pixel_coords", bounds);
    const Tensor in = bounds.contiguous();
    const int64_t* b = in.data<int64_t>();
    Tensor out = Tensor::empty(bounds.shape(), DType::I64);
    int64_t* o = out.data<int64_t>();
    const int64_t rows = bounds.size(0) * 3, per_axis = bounds.size(2) * 2;
#pragma omp parallel for schedule(static)
    for (int64_t r = 0; r < rows; ++r) {
        const int axis = int(r % 3);
        for (int64_t i = r * per_axis; i < (r + 1) * per_axis; ++i) {
            int64_t v = b[i] * scale[size_t(axis)];
            if (causal_fix && axis == 0) v = std::max<int64_t>(v + 1 - scale[0], 0);
            o[i] = v;
        }
    }
    return out;
}

Tensor pixel_coords_to_positions(const Tensor& coords, int64_t time_offset, float fps, int64_t spatial_factor) {
    check_coords("pixel_coords_to_positions", coords);
    const Tensor in = coords.contiguous();
    const int64_t* c = in.data<int64_t>();
    Tensor out = Tensor::empty(coords.shape());
    float* o = out.f32();
    const int64_t rows = coords.size(0) * 3, per_axis = coords.size(2) * 2;
    const float spatial = float(spatial_factor);
#pragma omp parallel for schedule(static)
    for (int64_t r = 0; r < rows; ++r) {
        const int axis = int(r % 3);
        for (int64_t i = r * per_axis; i < (r + 1) * per_axis; ++i) {
            if (axis == 0) o[i] = float(double(c[i] + time_offset)) / fps;
            else if (spatial_factor != 1) o[i] = float(double(c[i])) * spatial;
            else o[i] = float(double(c[i]));
        }
    }
    return out;
}

Tensor time_window_mask(const Tensor& positions, float start, float end, int64_t per_token) {
    LTX2_CHECK(positions.dim() == 4 && positions.size(3) == 2 && positions.size(1) >= 1,
               "time_window_mask: positions must be [B, axes, N, 2], got {}", shape_str(positions.shape()));
    const Tensor ps = positions.to(DType::F32);
    const float* p = ps.f32();
    const int64_t batch = positions.size(0), axes = positions.size(1), tokens = positions.size(2);
    Tensor out = Tensor::empty({batch, tokens, per_token});
    float* o = out.f32();
#pragma omp parallel for collapse(2) schedule(static)
    for (int64_t b = 0; b < batch; ++b)
        for (int64_t n = 0; n < tokens; ++n) {
            const float* span = p + (b * axes * tokens + n) * 2;  // time axis: [t0, t1)
            const float inside = span[1] > start && span[0] < end ? 1.0f : 0.0f;
            for (int64_t k = 0; k < per_token; ++k) o[(b * tokens + n) * per_token + k] = inside;
        }
    return out;
}

}  // namespace ltx2::cpu
