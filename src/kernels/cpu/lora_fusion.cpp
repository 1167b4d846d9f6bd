#include "kernels/cpu/lora_fusion.h"

#include "core/error.h"
#include "kernels/cpu/linear.h"

namespace ltx2::cpu {

namespace {

// Rounds a float32 value to dtype t (F32: unchanged).
inline float round_to(DType t, float v) {
    switch (t) {
        case DType::BF16: return round_to_bf16(v);
        case DType::F16: return f16_to_f32(f32_to_f16(v));
        default: return v;
    }
}

void check_rounding(const char* op, DType t) {
    LTX2_CHECK(t == DType::F32 || t == DType::BF16 || t == DType::F16, "{}: dtype {} is not F32, BF16 or F16", op,
               dtype_name(t));
}

}  // namespace

Tensor lora_delta(const Tensor& a, const Tensor& b, double strength) {
    const DType lt = b.dtype();
    check_rounding("lora_delta", lt);
    LTX2_CHECK(a.dtype() == lt && a.dim() == 2 && b.dim() == 2 && a.size(0) == b.size(1),
               "lora_delta: expected A [rank, in] and B [out, rank] of one dtype, got A {} {} and B {} {}",
               dtype_name(a.dtype()), shape_str(a.shape()), dtype_name(lt), shape_str(b.shape()));
    const float s = round_to(lt, float(strength));
    const int64_t out = b.size(0), rank = b.size(1), in = a.size(1);

    // B·s rounded to L, in a dtype matmul takes (F16 values are exact in F32).
    const Tensor bf = b.to(DType::F32);
    const float* pb = bf.f32();
    const int64_t nb = out * rank;
    Tensor bs, as;
    if (lt == DType::BF16) {
        bs = Tensor::empty({out, rank}, DType::BF16);
        uint16_t* p = bs.bf16();
        for (int64_t i = 0; i < nb; ++i) p[i] = f32_to_bf16(pb[i] * s);
        as = a.contiguous();
    } else {
        bs = Tensor::empty({out, rank}, DType::F32);
        float* p = bs.f32();
        for (int64_t i = 0; i < nb; ++i) p[i] = round_to(lt, pb[i] * s);
        as = a.to(DType::F32);
    }
    Tensor c = Tensor::zeros({out, in}, DType::F32);
    matmul(bs, as, c);  // float32 accumulation
    if (lt != DType::F32) {
        float* p = c.f32();
        const int64_t n = c.numel();
#pragma omp parallel for schedule(static)
        for (int64_t i = 0; i < n; ++i) p[i] = round_to(lt, p[i]);
    }
    return c;
}

void add_rounded_inplace(Tensor& sum, const Tensor& delta, DType rounding) {
    check_rounding("add_rounded", rounding);
    LTX2_CHECK(sum.shape() == delta.shape(), "add_rounded: delta shape {} differs from sum shape {}",
               shape_str(delta.shape()), shape_str(sum.shape()));
    const Tensor ds = delta.to(DType::F32);
    const float* p = ds.f32();
    float* q = sum.f32();
    const int64_t n = sum.numel();
#pragma omp parallel for schedule(static)
    for (int64_t i = 0; i < n; ++i) q[i] += round_to(rounding, p[i]);
}

void fuse_lora_delta(const Tensor& weight, const Tensor& delta_sum, Tensor& fused, Tensor& rounded_delta) {
    const DType t = fused.dtype();
    LTX2_CHECK(t == DType::F32 || t == DType::BF16, "fuse_lora_delta: target dtype {} is not F32 or BF16",
               dtype_name(t));
    LTX2_CHECK(weight.shape() == fused.shape() && delta_sum.shape() == fused.shape() &&
                   (!rounded_delta.defined() || (rounded_delta.shape() == fused.shape() && rounded_delta.dtype() == t)),
               "fuse_lora_delta: weight {}, delta sum {} and outputs must share the fused weight's shape {} and dtype",
               shape_str(weight.shape()), shape_str(delta_sum.shape()), shape_str(fused.shape()));
    const Tensor wf = weight.to(DType::F32), qs = delta_sum.to(DType::F32);
    const float *wp = wf.f32(), *q = qs.f32();
    const int64_t n = fused.numel();
    if (t == DType::BF16) {
        uint16_t* out = fused.bf16();
        uint16_t* dout = rounded_delta.defined() ? rounded_delta.bf16() : nullptr;
#pragma omp parallel for schedule(static)
        for (int64_t i = 0; i < n; ++i) {
            const float d = round_to_bf16(q[i]);
            if (dout) dout[i] = f32_to_bf16(d);
            out[i] = f32_to_bf16(d + wp[i]);
        }
    } else {
        float* out = fused.f32();
        float* dout = rounded_delta.defined() ? rounded_delta.f32() : nullptr;
#pragma omp parallel for schedule(static)
        for (int64_t i = 0; i < n; ++i) {
            if (dout) dout[i] = q[i];
            out[i] = q[i] + wp[i];
        }
    }
}

}  // namespace ltx2::cpu
