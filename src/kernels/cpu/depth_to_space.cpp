// Depth-to-space / space-to-depth of 5-D feature maps and the channel shortcuts beside them
// (ops/depth_to_space.h). Pure data movement, except the two shortcut sums.
#include "core/error.h"
#include "kernels/cpu/vae_kernels.h"

namespace ltx2::cpu {

namespace {

constexpr int64_t kParallelMin = 1 << 16;

Tensor f32_5d(const Tensor& x, const char* op) {
    LTX2_CHECK(x.defined() && x.dim() == 5 && x.dtype() == DType::F32, "{}: expected an F32 5-D tensor, got {}", op,
               x.defined() ? shape_str(x.shape()) : std::string("undefined"));
    return x.contiguous();
}

void check_strides(const std::array<int, 3>& stride, const char* op) {
    LTX2_CHECK(stride[0] >= 1 && stride[1] >= 1 && stride[2] >= 1, "{}: strides ({}, {}, {}) must be >= 1", op,
               stride[0], stride[1], stride[2]);
}

// x [B, C·P, F, H, W] -> [B, C, pt·F − drop, ph·H, pw·W].
Tensor depth_to_space_channels_first(const Tensor& x, int64_t pt, int64_t ph, int64_t pw, int64_t drop) {
    const int64_t P = pt * ph * pw;
    const int64_t B = x.size(0), CP = x.size(1), F = x.size(2), H = x.size(3), W = x.size(4), C = CP / P;
    const int64_t OF = pt * F - drop, OH = ph * H, OW = pw * W;
    Tensor out = Tensor::empty({B, C, OF, OH, OW});
    const float* s = x.f32();
    float* o = out.f32();
#pragma omp parallel for collapse(3) schedule(static) if (out.numel() >= kParallelMin)
    for (int64_t b = 0; b < B; ++b)
        for (int64_t c = 0; c < C; ++c)
            for (int64_t t = drop; t < pt * F; ++t)
                for (int64_t r = 0; r < OH; ++r) {
                    const int64_t f = t / pt, dt = t % pt, h = r / ph, dh = r % ph;
                    float* orow = o + (((b * C + c) * OF + (t - drop)) * OH + r) * OW;
                    for (int64_t col = 0; col < OW; ++col) {
                        const int64_t ch = c * P + (dt * ph + dh) * pw + col % pw;
                        orow[col] = s[(((b * CP + ch) * F + f) * H + h) * W + col / pw];
                    }
                }
    return out;
}

// x [B, F, H, W, C·P] -> [B, pt·F − drop, ph·H, pw·W, C].
Tensor depth_to_space_channels_last(const Tensor& x, int64_t pt, int64_t ph, int64_t pw, int64_t drop) {
    const int64_t P = pt * ph * pw;
    const int64_t B = x.size(0), T = x.size(1), H = x.size(2), W = x.size(3), CP = x.size(4), C = CP / P;
    const int64_t OT = T * pt - drop, OH = H * ph, OW = W * pw;
    Tensor out = Tensor::empty({B, OT, OH, OW, C});
    const float* s = x.f32();
    float* o = out.f32();
#pragma omp parallel for collapse(2) schedule(static) if (out.numel() >= kParallelMin)
    for (int64_t b = 0; b < B; ++b)
        for (int64_t ot = 0; ot < OT; ++ot) {
            const int64_t t = (ot + drop) / pt, dt = (ot + drop) % pt;
            for (int64_t oh = 0; oh < OH; ++oh)
                for (int64_t ow = 0; ow < OW; ++ow) {
                    const int64_t h = oh / ph, dh = oh % ph, w = ow / pw, dw = ow % pw;
                    const float* src = s + (((b * T + t) * H + h) * W + w) * CP + (dt * ph + dh) * pw + dw;
                    float* dst = o + (((b * OT + ot) * OH + oh) * OW + ow) * C;
                    for (int64_t c = 0; c < C; ++c) dst[c] = src[c * P];
                }
        }
    return out;
}

// x [B, C, ...] and y [B, Cy, ...] with equal trailing sizes; returns the trailing volume.
int64_t channel_volume(const Tensor& x, const Tensor& y, const char* op) {
    LTX2_CHECK(x.dtype() == DType::F32 && x.is_contiguous() && x.dim() >= 2 && x.storage()->writable(),
               "{}: x must be a writable contiguous F32 [B, C, ...], got {} {}", op, dtype_name(x.dtype()),
               shape_str(x.shape()));
    bool same_trailing = y.defined() && y.dtype() == DType::F32 && y.dim() == x.dim() && y.size(0) == x.size(0);
    for (int d = 2; same_trailing && d < x.dim(); ++d) same_trailing = y.size(d) == x.size(d);
    LTX2_CHECK(same_trailing, "{}: {} does not match x {} in batch and trailing sizes", op,
               y.defined() ? shape_str(y.shape()) : std::string("undefined"), shape_str(x.shape()));
    const int64_t BC = x.size(0) * x.size(1);
    return BC ? x.numel() / BC : 0;
}

}  // namespace

Tensor depth_to_space_3d(const Tensor& x_in, const std::array<int, 3>& stride, int64_t drop_frames,
                         ChannelLayout layout) {
    const char* op = "depth_to_space_3d";
    check_strides(stride, op);
    const Tensor x = f32_5d(x_in, op);
    const int64_t pt = stride[0], ph = stride[1], pw = stride[2], P = pt * ph * pw;
    const bool first = layout == ChannelLayout::First;
    const int64_t CP = x.size(first ? 1 : 4), F = x.size(first ? 2 : 1);
    LTX2_CHECK(CP % P == 0, "{}: {} channels do not split by the stride volume {}", op, CP, P);
    LTX2_CHECK(drop_frames >= 0 && drop_frames < pt && pt * F - drop_frames >= 1,
               "{}: cannot drop {} of the {} output frames of time stride {}", op, drop_frames, pt * F, pt);
    return first ? depth_to_space_channels_first(x, pt, ph, pw, drop_frames)
                 : depth_to_space_channels_last(x, pt, ph, pw, drop_frames);
}

Tensor space_to_depth_3d(const Tensor& x_in, const std::array<int, 3>& stride) {
    const char* op = "space_to_depth_3d";
    check_strides(stride, op);
    const Tensor x = f32_5d(x_in, op);
    const int64_t st = stride[0], sh = stride[1], sw = stride[2];
    const int64_t B = x.size(0), C = x.size(1), F = x.size(2), H = x.size(3), W = x.size(4);
    LTX2_CHECK(F % st == 0 && H % sh == 0 && W % sw == 0, "{}: {} does not divide by the strides ({}, {}, {})", op,
               shape_str(x.shape()), st, sh, sw);
    const int64_t P = st * sh * sw, OF = F / st, OH = H / sh, OW = W / sw;
    Tensor out = Tensor::empty({B, C * P, OF, OH, OW});
    const float* s = x.f32();
    float* o = out.f32();
#pragma omp parallel for collapse(2) schedule(static) if (x.numel() >= kParallelMin)
    for (int64_t b = 0; b < B; ++b)
        for (int64_t c = 0; c < C; ++c)
            for (int64_t f = 0; f < F; ++f)
                for (int64_t row = 0; row < H; ++row)
                    for (int64_t col = 0; col < W; ++col) {
                        const int64_t ch = c * P + ((f % st) * sh + row % sh) * sw + col % sw;
                        o[(((b * C * P + ch) * OF + f / st) * OH + row / sh) * OW + col / sw] =
                            s[(((b * C + c) * F + f) * H + row) * W + col];
                    }
    return out;
}

void add_repeated_channels_inplace(Tensor& x, const Tensor& r_in) {
    const char* op = "add_repeated_channels";
    const int64_t S = channel_volume(x, r_in, op);
    const int64_t B = x.size(0), C = x.size(1), RC = r_in.size(1);
    LTX2_CHECK(RC >= 1 && C % RC == 0, "{}: {} channels are not a multiple of {}", op, C, RC);
    const Tensor r = r_in.contiguous();
    const float* rp = r.f32();
    float* hp = x.f32();
#pragma omp parallel for collapse(2) schedule(static) if (x.numel() >= kParallelMin)
    for (int64_t b = 0; b < B; ++b)
        for (int64_t ch = 0; ch < C; ++ch) {
            float* dst = hp + (b * C + ch) * S;
            const float* src = rp + (b * RC + ch % RC) * S;
            for (int64_t s = 0; s < S; ++s) dst[s] += src[s];
        }
}

void add_channel_group_means_inplace(Tensor& x, const Tensor& s_in) {
    const char* op = "add_channel_group_means";
    const int64_t S = channel_volume(x, s_in, op);
    const int64_t B = x.size(0), C = x.size(1), SC = s_in.size(1);
    LTX2_CHECK(C >= 1 && SC % C == 0 && SC >= C, "{}: {} channels do not split into {} groups", op, SC, C);
    const int64_t group = SC / C;
    const Tensor skip = s_in.contiguous();
    const float* sp = skip.f32();
    float* hp = x.f32();
#pragma omp parallel for collapse(2) schedule(static) if (x.numel() >= kParallelMin)
    for (int64_t b = 0; b < B; ++b)
        for (int64_t ch = 0; ch < C; ++ch) {
            float* dst = hp + (b * C + ch) * S;
            for (int64_t s = 0; s < S; ++s) {
                float acc = 0.f;
                for (int64_t g = 0; g < group; ++g) acc += sp[(b * SC + ch * group + g) * S + s];
                dst[s] += acc / float(group);
            }
        }
}

}  // namespace ltx2::cpu
