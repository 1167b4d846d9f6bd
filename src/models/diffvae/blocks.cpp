#include "models/diffvae/blocks.h"

#include <algorithm>
#include <cmath>

#include "core/error.h"
#include "ops/elementwise.h"
#include "ops/linear.h"
#include "ops/attention.h"
#include "ops/norm.h"
#include "ops/rope.h"
#include "ops/pointwise.h"
#include "ops/views.h"
#include "models/diffvae/geometry.h"

namespace ltx2 {

namespace {

constexpr float kEps = 1e-6f;
constexpr int64_t kTokenChunk = 8192;  // rows per chunk of the token-wise steps

Tensor project(const Tensor& x, const DiffVaeLinear& l) { return linear(x, l.weight, l.bias); }

// RMSNorm over each head's channels of x [..., heads·head_dim], then · factor.
void norm_heads(Tensor& x, int head_dim, const Tensor& weight, float factor) {
    Tensor rows = x.reshape({-1, int64_t(head_dim)});
    rms_norm_inplace(rows, weight, kEps);
    if (factor != 1.f) mul_scalar_inplace(x, factor);
}

}  // namespace

Tensor diffvae_attention(const DiffVaeAttention& a, const Tensor& y, const DiffVaeAttentionShape& s,
                         int64_t w_position0) {
    const float scale = float(1.0 / std::sqrt(double(s.head_dim)));
    Tensor q = project(y, a.q);
    norm_heads(q, s.head_dim, a.q_norm, scale);
    rope_3axis_inplace(q, s.heads, s.rope_split, w_position0);
    Tensor k = project(y, a.k);
    norm_heads(k, s.head_dim, a.k_norm, 1.f);
    rope_3axis_inplace(k, s.heads, s.rope_split, w_position0);
    const Tensor v = project(y, a.v);
    return project(neighborhood_attention_3d(q, k, v, s.heads, s.kernel, s.precision), a.proj);
}

void diffvae_swiglu_residual(const DiffVaeSwiGLU& mlp, const Tensor& norm, const Tensor& scale, const Tensor& shift,
                             Tensor& x) {
    const int64_t C = x.size(-1);
    Tensor rows = x.reshape({-1, C});
    const int64_t n = rows.size(0);
    for (int64_t r0 = 0; r0 < n; r0 += kTokenChunk) {
        Tensor xr = rows.slice(0, r0, std::min(n, r0 + kTokenChunk));
        Tensor y = rms_norm(xr, norm, kEps).reshape({1, xr.size(0), C});
        if (scale.defined()) modulate_inplace(y, scale, shift);
        Tensor gate = linear(y, mlp.w_gate, Tensor());
        silu_inplace(gate);
        mul_inplace(gate, linear(y, mlp.w_up, Tensor()));
        Tensor out = linear(gate, mlp.w_down, Tensor()).reshape({xr.size(0), C});
        add_inplace(xr, out);
    }
}

Tensor diffvae_project_rows(const Tensor& x_in, const Tensor& norm, const DiffVaeLinear& l) {
    const Tensor x = x_in.contiguous();
    const int64_t C = x.size(-1), n = x.numel() / C;
    Shape shape = x.shape();
    shape.back() = l.weight.size(0);
    Tensor y = Tensor::zeros(shape);
    const Tensor rows = x.reshape({n, C});
    Tensor y_rows = y.reshape({n, shape.back()});
    for (int64_t r0 = 0; r0 < n; r0 += kTokenChunk) {
        const int64_t r1 = std::min(n, r0 + kTokenChunk);
        Tensor out = y_rows.slice(0, r0, r1);
        linear_into(norm.defined() ? rms_norm(rows.slice(0, r0, r1), norm, kEps) : rows.slice(0, r0, r1), l.weight,
                    l.bias, out);
    }
    return y;
}

void diffvae_na_block(const DiffVaeNABlock& b, const DiffVaeAttentionShape& s, Tensor& x) {
    for (int a = 0; a < 3; ++a)
        LTX2_CHECK(x.size(1 + a) >= s.kernel[size_t(a)],
                   "DiffVAE: neighborhood attention needs a volume of at least ({}, {}, {}), got {}", s.kernel[0],
                   s.kernel[1], s.kernel[2], shape_str(x.shape()));
    add_inplace(x, diffvae_attention(b.attn, rms_norm(x, b.norm1, kEps), s, 0));
    diffvae_swiglu_residual(b.mlp, b.norm2, Tensor(), Tensor(), x);
}

// The attention residual in W slabs of width cw = ceil(W / n). Each slab is computed on a buffer
// of cw + 2·halo columns (halo = kernel_w / 2) taken from the block input: the up-to-halo
// columns before the slab, the slab, the up-to-halo columns after it. At the volume's true
// borders the missing halo columns replicate the slab's edge column (the first slab's left
// halo, and whatever the right side lacks); a later slab narrower than the halo leaves zeros
// on its left. RoPE column positions stay global ((slab start − halo) + j), and the window
// runs over the buffer, so the borders see replicated columns rather than shifted windows.
void chunked_attention_residual(const DiffVaeNABlock& b, const DiffVaeAttentionShape& s, const DiffVaeModulation& mod,
                                int w_chunks, Tensor& x) {
    const int64_t W = x.size(3), C = x.size(4);
    const int64_t halo = s.kernel[2] / 2, cw = (W + w_chunks - 1) / w_chunks, extent = cw + 2 * halo;
    Shape buf_shape = x.shape();
    buf_shape[3] = extent;
    Tensor left_halo;  // pre-residual columns just before the next slab
    for (int i = 0; i < w_chunks; ++i) {
        const int64_t start = i * cw, end = std::min(W, (i + 1) * cw), len = end - start;
        if (len <= 0) fail("DiffVAE: stage-5 width {} is too narrow for {} attention slabs", W, w_chunks);
        Tensor buf = Tensor::zeros(buf_shape);
        if (i > 0) copy_into_view(buf.slice(3, halo - left_halo.size(3), halo), left_halo);
        copy_into_view(buf.slice(3, halo, halo + len), x.slice(3, start, end));
        int64_t right = 0;
        if (i + 1 < w_chunks) {
            const int64_t right_end = std::min(W, end + halo);
            right = right_end - end;
            copy_into_view(buf.slice(3, halo + len, halo + len + right), x.slice(3, end, right_end));
        }
        if (i == 0)
            for (int64_t j = 0; j < halo; ++j) copy_into_view(buf.slice(3, j, j + 1), x.slice(3, start, start + 1));
        for (int64_t j = halo + len + right; j < extent; ++j)
            copy_into_view(buf.slice(3, j, j + 1), x.slice(3, end - 1, end));
        if (i + 1 < w_chunks) left_halo = x.slice(3, end - std::min(halo, len), end).contiguous().clone();

        Tensor y = rms_norm(buf, b.norm1, kEps).reshape({1, -1, C});
        modulate_inplace(y, mod.scale_msa, mod.shift_msa);
        const Tensor out = diffvae_attention(b.attn, y.reshape(buf_shape), s, start - halo);
        add_into_view(x.slice(3, start, end), out.slice(3, halo, halo + len));
    }
}

void diffvae_diffusion_block(const DiffVaeDiffusionBlock& b, const DiffVaeAttentionShape& s,
                             const DiffVaeModulation& mod, const Tensor& context_up, int w_chunks, Tensor& x) {
    LTX2_CHECK(context_up.shape()[1] == x.size(1) && context_up.size(2) == x.size(2) && context_up.size(3) == x.size(3),
               "DiffVAE: the upsampled context {} does not cover the stage-5 volume {}", shape_str(context_up.shape()),
               shape_str(x.shape()));
    const int64_t C = x.size(-1), n = x.numel() / C;
    Tensor x_rows = x.reshape({n, C});
    const Tensor ctx_rows = context_up.reshape({n, context_up.size(-1)});
    for (int64_t r0 = 0; r0 < n; r0 += kTokenChunk) {
        const int64_t r1 = std::min(n, r0 + kTokenChunk);
        Tensor xr = x_rows.slice(0, r0, r1);
        add_inplace(xr, project(ctx_rows.slice(0, r0, r1), b.context_proj));
    }
    chunked_attention_residual(b.na, s, mod, w_chunks, x);
    diffvae_swiglu_residual(b.na.mlp, b.na.norm2, mod.scale_mlp, mod.shift_mlp, x);
}

}  // namespace ltx2
