#include "models/transformer/preprocess.h"

#include "core/error.h"
#include "ops/elementwise.h"
#include "ops/linear.h"
#include "ops/masks.h"
#include "ops/pointwise.h"
#include "ops/rows.h"
#include "models/transformer/timestep.h"

namespace ltx2 {

namespace {

Tensor as_f32(const Tensor& t) { return t.dtype() == DType::F32 ? t.contiguous() : t.to(DType::F32); }

// Reference table layout for the debug tap: split [B, H, T, dim/(2H)], interleaved [B, T, dim].
Tensor reference_layout(const Tensor& table, const RopeTable& r) {
    if (r.layout != RopeLayout::Split) return table;
    const int64_t b = table.size(0), t = table.size(1), half = table.size(2);
    return table.reshape({b, t, r.heads, half / r.heads}).permute({0, 2, 1, 3});
}

void tap_rope(const DebugTap& tap, const std::string& prefix, const RopeTable& r) {
    tap(prefix + "_cos", reference_layout(r.cos, r));
    tap(prefix + "_sin", reference_layout(r.sin, r));
}

// [B, L] additive bias from an integer mask ((m − 1)·FLT_MAX) or a float bias as given.
Tensor mask_bias(const Tensor& mask, int64_t batch, int64_t length, const char* stream) {
    if (!mask.defined()) return {};
    if (mask.numel() != batch * length)
        fail("{} context_mask has shape {}, expected ({}, {})", stream, shape_str(mask.shape()), batch, length);
    return key_bias_from_mask(mask).reshape({batch, length});
}

// sigma · multiplier per sample (validate_modality made sure the sigma is there).
Tensor scaled_sigma(const Modality& m, const TransformerConfig& c) {
    return scale_timesteps(m.sigma, c.timestep_scale_multiplier);
}

}  // namespace

void validate_modality(const Modality& m, const StreamRef& s, const TransformerConfig& c) {
    const StreamConfig& sc = s.config;
    auto need = [&](const Tensor& t, const char* what) {
        if (!t.defined()) fail("{} input: `{}` is missing", s.name, what);
    };
    need(m.latent, "latent");
    need(m.timesteps, "timesteps");
    need(m.positions, "positions");
    need(m.context, "context");
    if (m.latent.dim() != 3 || m.latent.size(2) != sc.in_channels)
        fail("{} input: latent has shape {}, expected (B, T, {})", s.name, shape_str(m.latent.shape()), sc.in_channels);
    const int64_t b = m.latent.size(0), t = m.latent.size(1);
    const int64_t axes = int64_t(sc.max_pos.size());
    if (m.positions.dim() != 4 || m.positions.size(0) != b || m.positions.size(1) != axes || m.positions.size(2) != t ||
        m.positions.size(3) != 2)
        fail("{} input: positions have shape {}, expected ({}, {}, {}, 2)", s.name, shape_str(m.positions.shape()), b,
             axes, t);
    if (m.timesteps.numel() != b * t && m.timesteps.numel() != b)
        fail("{} input: timesteps have shape {}, expected {} per-token or {} per-sample values", s.name,
             shape_str(m.timesteps.shape()), b * t, b);
    const int context_width = c.caption_projection ? c.caption_channels : sc.context_dim;
    if (m.context.dim() != 3 || m.context.size(0) != b || m.context.size(2) != context_width)
        fail("{} input: context has shape {}, expected ({}, L, {})", s.name, shape_str(m.context.shape()), b,
             context_width);
    if (c.needs_sigma() && !m.sigma.defined())
        fail("{} input: `sigma` is missing; {} needs the per-sample sigma (Modality.sigma)", s.name,
             c.semantics.name());
    if (m.sigma.defined() && m.sigma.numel() != b)
        fail("{} input: sigma has shape {}, expected ({},)", s.name, shape_str(m.sigma.shape()), b);
    if (m.keyframes_mask.defined() && m.keyframes_mask.numel() != b * t)
        fail("{} input: keyframes_mask has shape {}, expected ({}, {}, 1)", s.name, shape_str(m.keyframes_mask.shape()),
             b, t);
    if (m.attention_mask.defined() &&
        (m.attention_mask.dim() != 3 || m.attention_mask.size(0) != b || m.attention_mask.size(1) != t ||
         m.attention_mask.size(2) != t))
        fail("{} input: attention_mask has shape {}, expected ({}, {}, {})", s.name,
             shape_str(m.attention_mask.shape()), b, t, t);
}

StreamTextContext project_text(const Modality& m, const StreamRef& s, const TransformerConfig& c) {
    const CaptionProjectionWeights& w = s.weights.caption_projection;
    StreamTextContext text;
    if (c.caption_projection) {
        Tensor h = linear(as_f32(m.context), w.linear_1.weight, w.linear_1.bias);
        gelu_tanh_inplace(h);
        text.context = linear(h, w.linear_2.weight, w.linear_2.bias);
    } else {
        text.context = as_f32(m.context);
    }
    text.key_bias = mask_bias(m.context_mask, m.context.size(0), m.context.size(1), s.name);
    return text;
}

Tensor prompt_modulation(const Modality& m, const StreamRef& s, const TransformerConfig& c) {
    if (!c.cross_attention_adaln) return {};
    const int64_t b = m.latent.size(0), d = s.config.dim();
    if (!c.text_kv_depends_on_sigma()) return Tensor::zeros({b, 1, 2 * d});
    return adaln_single(s.weights.prompt_adaln, scaled_sigma(m, c)).modulation.reshape({b, 1, 2 * d});
}

StreamState prepare_stream(const Modality& m, const StreamRef& s, const TransformerConfig& c, const Modality* other,
                           const DebugTap& tap) {
    const std::string p = std::string(s.name) + ".";
    const StreamWeights& w = s.weights;
    const int64_t b = m.latent.size(0);
    const int d = s.config.dim();
    StreamState st;
    st.enabled = m.enabled;

    st.x = linear(as_f32(m.latent), w.patchify_proj.weight, w.patchify_proj.bias);
    if (w.keyframes_embedding.defined() && m.keyframes_mask.defined())
        add_row_where_inplace(st.x, w.keyframes_embedding.to(DType::F32).reshape({st.x.size(2)}), m.keyframes_mask);
    if (tap) tap(p + "x_proj", st.x);

    // AdaLN on sigma · timestep_scale_multiplier, one row per token (or per sample).
    const Tensor t = scale_timesteps(m.timesteps, c.timestep_scale_multiplier);
    const int64_t tt = t.numel() / b;
    AdaLNOutput ada = adaln_single(w.adaln, t);
    st.modulation = ada.modulation.reshape({b, tt, int64_t(c.adaln_rows()) * d});
    st.embedded_timestep = ada.embedded.reshape({b, tt, int64_t(d)});
    if (tap) {
        tap(p + "timestep_sinusoid", ada.sinusoid);
        tap(p + "adaln_mod", st.modulation);
        tap(p + "embedded_timestep", st.embedded_timestep);
    }
    st.prompt_modulation = prompt_modulation(m, s, c);
    if (tap && st.prompt_modulation.defined() && c.text_kv_depends_on_sigma())
        tap(p + "prompt_adaln_mod", st.prompt_modulation);

    if (m.attention_mask.defined()) {
        st.self_attention_bias = log_weight_bias(m.attention_mask);
        if (tap) tap(p + "self_attention_bias", st.self_attention_bias.unsqueeze(1));
    }

    st.rope = rope_table(m.positions, c.rope_spec(d, s.config.heads, s.config.max_pos, c.middle_indices));
    if (tap) tap_rope(tap, p + "rope", st.rope);

    if (c.has_audio()) {
        // The time axis alone, at the AV cross-attention width, always patch midpoints.
        Tensor time = m.positions.slice(1, 0, 1).contiguous();
        st.cross_rope = rope_table(time, c.rope_spec(c.cross_rope_dim(), s.config.heads, {c.cross_max_pos()}, true));
        AdaLNOutput ss = adaln_single(w.cross_scale_shift_adaln, t);
        st.cross_scale_shift = ss.modulation.reshape({b, tt, 4 * int64_t(d)});
        // The gate's noise level: the stream's own timesteps, or (LTX-2.3) the other stream's
        // per-sample sigma; σ·multiplier·(av_ca / multiplier) in float32 in that order.
        const bool from_other = c.semantics.av_gate_from_other_sigma;
        if (!from_other || other) {
            Tensor tg = from_other ? scaled_sigma(*other, c) : t.clone();
            mul_scalar_inplace(tg, float(c.av_ca_timestep_scale_multiplier / c.timestep_scale_multiplier));
            AdaLNOutput gate = adaln_single(w.cross_gate_adaln, tg);
            st.cross_gate = gate.modulation.reshape({b, tg.numel() / b, int64_t(d)});
        }
        if (tap) {
            tap_rope(tap, p + "cross_rope", st.cross_rope);
            tap(p + "cross_scale_shift_mod", st.cross_scale_shift);
            if (st.cross_gate.defined()) tap(p + "cross_gate_mod", st.cross_gate);
        }
    }
    return st;
}

}  // namespace ltx2
