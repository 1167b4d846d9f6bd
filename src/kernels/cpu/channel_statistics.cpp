// Per-channel affine maps of VAE feature maps (ops/channel_statistics.h).
#include "core/error.h"
#include "kernels/cpu/strided_rows.h"
#include "kernels/cpu/vae_kernels.h"

namespace ltx2::cpu {

Tensor apply_channel_statistics(const Tensor& x_in, const Tensor& std_in, const Tensor& mean_in,
                                StatisticsDirection direction) {
    LTX2_CHECK(x_in.dtype() == DType::F32 && x_in.dim() >= 1, "channel statistics: x must be F32, got {} {}",
               dtype_name(x_in.dtype()), shape_str(x_in.shape()));
    const Shape shape = x_in.shape();
    for (const Tensor* t : {&std_in, &mean_in})
        LTX2_CHECK(t->defined() && t->dtype() == DType::F32 && broadcasts_to(*t, shape),
                   "channel statistics: std and mean must be F32 broadcasting to x {}, got {}", shape_str(shape),
                   t->defined() ? shape_str(t->shape()) : std::string("undefined"));
    LTX2_CHECK(std_in.shape() == mean_in.shape(), "channel statistics: std {} and mean {} differ in shape",
               shape_str(std_in.shape()), shape_str(mean_in.shape()));
    const Tensor x = x_in.contiguous(), sd_t = std_in.contiguous(), mn_t = mean_in.contiguous();
    Tensor out = Tensor::empty(shape);
    const int64_t L = shape.back(), rows = L ? x.numel() / L : 0;
    const int64_t step = sd_t.size(-1) == 1 ? 0 : 1;
    const bool denormalize = direction == StatisticsDirection::Denormalize;
    const float* s = x.f32();
    const float* sd_all = sd_t.f32();
    const float* mn_all = mn_t.f32();
    float* o = out.f32();
#pragma omp parallel for schedule(static) if (x.numel() >= (1 << 16))
    for (int64_t r = 0; r < rows; ++r) {
        const int64_t so = row_offset(sd_t, shape, r);
        const float* sd = sd_all + so;
        const float* mn = mn_all + so;
        const float* xr = s + r * L;
        float* orow = o + r * L;
        for (int64_t i = 0; i < L; ++i) {
            const int64_t k = i * step;
            orow[i] = denormalize ? xr[i] * sd[k] + mn[k] : (xr[i] - mn[k]) / sd[k];
        }
    }
    return out;
}

void modulate_channels_inplace(Tensor& x, const Tensor& scale_in, const Tensor& shift_in) {
    LTX2_CHECK(x.dtype() == DType::F32 && x.is_contiguous() && x.dim() >= 2,
               "channel modulation: x must be contiguous F32 [B, C, ...], got {} {}", dtype_name(x.dtype()),
               shape_str(x.shape()));
    LTX2_CHECK(x.storage()->writable(), "channel modulation: x is read-only");
    const int64_t B = x.size(0), C = x.size(1), S = B * C > 0 ? x.numel() / (B * C) : 0;
    for (const Tensor* t : {&scale_in, &shift_in})
        LTX2_CHECK(t->defined() && t->dtype() == DType::F32 && t->shape() == Shape({B, C}),
                   "channel modulation: scale and shift must be F32 [{}, {}], got {}", B, C,
                   t->defined() ? shape_str(t->shape()) : std::string("undefined"));
    const Tensor scale = scale_in.contiguous(), shift = shift_in.contiguous();
    const float* sc = scale.f32();
    const float* sh = shift.f32();
    float* d = x.f32();
#pragma omp parallel for schedule(static) if (x.numel() >= (1 << 16))
    for (int64_t bc = 0; bc < B * C; ++bc) {
        const float shift_v = sh[bc];
        const float scale1 = 1.f + sc[bc];
        float* p = d + bc * S;
        for (int64_t s = 0; s < S; ++s) p[s] = p[s] * scale1 + shift_v;
    }
}

}  // namespace ltx2::cpu
