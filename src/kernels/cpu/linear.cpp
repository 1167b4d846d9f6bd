#include "kernels/cpu/linear.h"

#include <vector>

#include "core/error.h"
#include "kernels/cpu/cpu_common.h"

namespace ltx2::cpu {

using dt = dnnl::memory::data_type;

namespace {

dt dnnl_type(DType t, const char* what) {
    switch (t) {
        case DType::F32: return dt::f32;
        case DType::BF16: return dt::bf16;
        default: fail("{}: unsupported dtype {} (expected F32 or BF16)", what, dtype_name(t));
    }
}

// B[K, N] description of a 2-D tensor: row-major (stride(1)==1) or transposed (stride(0)==1).
void b_layout(const Tensor& b, int64_t& ldb, bool& trans, const char* what) {
    if (b.stride(1) == 1 && (b.size(0) == 1 || b.stride(0) >= b.size(1))) {
        ldb = b.size(0) == 1 ? b.size(1) : b.stride(0);
        trans = false;
    } else if (b.stride(0) == 1 && (b.size(1) == 1 || b.stride(1) >= b.size(0))) {
        ldb = b.size(1) == 1 ? b.size(0) : b.stride(1);
        trans = true;
    } else {
        fail("{}: matrix {} with strides ({}, {}) needs a unit stride in one dimension", what,
             shape_str(b.shape()), b.stride(0), b.stride(1));
    }
}

// x rows as bf16: a packed copy in thread-local scratch (ld == K).
const uint16_t* rows_as_bf16(const cpu::RowView& x) {
    auto* dst = cpu::thread_scratch().bf16_rows.reserve_as<uint16_t>(size_t(x.rows * x.cols));
    const float* src = reinterpret_cast<const float*>(x.data);
    if (x.ld == x.cols) {
        f32_to_bf16_array(src, dst, size_t(x.rows * x.cols));
    } else {
        for (int64_t r = 0; r < x.rows; ++r) f32_to_bf16_array(src + r * x.ld, dst + r * x.cols, size_t(x.cols));
    }
    return dst;
}

}  // namespace

Tensor linear(const Tensor& x, const Tensor& weight, const Tensor& bias, Precision precision) {
    LTX2_CHECK(weight.defined() && weight.dim() == 2, "linear: weight must be 2-D, got {}",
               weight.defined() ? shape_str(weight.shape()) : std::string("undefined"));
    Shape shape = x.shape();
    LTX2_CHECK(!shape.empty(), "linear: input must have at least 1 dimension");
    shape.back() = weight.size(0);
    Tensor y = Tensor::empty(shape, DType::F32);
    linear_into(x, weight, bias, y, precision);
    return y;
}

void linear_into(const Tensor& x, const Tensor& stored_weight, const Tensor& bias, Tensor& y, Precision precision) {
    LTX2_CHECK(x.dtype() == DType::F32, "linear: input must be F32, got {}", dtype_name(x.dtype()));
    LTX2_CHECK(y.dtype() == DType::F32, "linear: output must be F32, got {}", dtype_name(y.dtype()));
    LTX2_CHECK(stored_weight.defined() && stored_weight.dim() == 2, "linear: weight must be 2-D");
    const Tensor weight = cpu::weight_at_precision(stored_weight, precision);
    const int64_t N = weight.size(0), K = weight.size(1);
    cpu::RowView xv = cpu::row_view(x, "linear input");
    cpu::RowView yv = cpu::row_view(y, "linear output");
    LTX2_CHECK(xv.cols == K, "linear: input {} does not match weight {} (K = {})", shape_str(x.shape()),
               shape_str(weight.shape()), K);
    LTX2_CHECK(yv.cols == N && yv.rows == xv.rows, "linear: output {} does not match input {} and weight {}",
               shape_str(y.shape()), shape_str(x.shape()), shape_str(weight.shape()));
    if (xv.rows == 0 || N == 0) return;

    // weight [N, K]: B = Wᵀ is [K, N]; row-major W is B transposed with ldb = stride(0).
    Tensor wt = weight.transpose(0, 1);
    cpu::MatmulDesc d;
    d.M = xv.rows;
    d.N = N;
    d.K = K;
    d.b_dt = dnnl_type(weight.dtype(), "linear weight");
    b_layout(wt, d.ldb, d.b_trans, "linear weight");
    d.ldc = yv.ld;

    std::vector<float> bias32;
    const float* bias_ptr = nullptr;
    if (bias.defined()) {
        LTX2_CHECK(bias.numel() == N, "linear: bias {} does not match {} outputs", shape_str(bias.shape()), N);
        if (bias.dtype() == DType::F32 && bias.is_contiguous()) {
            bias_ptr = bias.data<float>();
        } else {
            bias32 = bias.to_vector();
            bias_ptr = bias32.data();
        }
        d.bias = true;
    }

    const void* a_ptr = xv.data;
    if (d.b_dt == dt::bf16) {
        a_ptr = rows_as_bf16(xv);
        d.a_dt = dt::bf16;
        d.lda = K;
    } else {
        d.a_dt = dt::f32;
        d.lda = xv.ld;
    }
    const auto& prim = cpu::matmul_primitive(d);
    cpu::matmul_execute(prim, a_ptr, weight.raw(), yv.data, bias_ptr);
}

void matmul(const Tensor& a, const Tensor& b, Tensor& c) {
    LTX2_CHECK(a.dim() == 2 && b.dim() == 2 && c.dim() == 2, "matmul: expected 2-D tensors, got {} {} {}",
               shape_str(a.shape()), shape_str(b.shape()), shape_str(c.shape()));
    const int64_t M = a.size(0), K = a.size(1), N = b.size(1);
    LTX2_CHECK(b.size(0) == K && c.size(0) == M && c.size(1) == N, "matmul: shapes {} · {} -> {} do not agree",
               shape_str(a.shape()), shape_str(b.shape()), shape_str(c.shape()));
    LTX2_CHECK(c.dtype() == DType::F32, "matmul: output must be F32");
    LTX2_CHECK(c.stride(1) == 1 || N == 1, "matmul: output rows must be contiguous");
    if (M == 0 || N == 0) return;
    if (K == 0) {
        for (int64_t m = 0; m < M; ++m)
            for (int64_t n = 0; n < N; ++n) c.data<float>()[m * c.stride(0) + n] = 0.f;
        return;
    }
    dt adt = dnnl_type(a.dtype(), "matmul A"), bdt = dnnl_type(b.dtype(), "matmul B");
    cpu::MatmulDesc d;
    d.M = M;
    d.N = N;
    d.K = K;
    d.ldc = M == 1 ? N : c.stride(0);
    b_layout(b, d.ldb, d.b_trans, "matmul B");

    // A: rows must be unit-stride; a transposed A is copied.
    Tensor ac = a;
    if (!(a.stride(1) == 1 || K == 1)) ac = a.contiguous();
    const void* a_ptr = ac.raw();
    d.lda = M == 1 ? K : ac.stride(0);
    const void* b_ptr = b.raw();
    Tensor bc;
    if (adt != bdt) {  // mixed: round the f32 operand to bf16
        if (adt == dt::f32) {
            cpu::RowView av{reinterpret_cast<std::byte*>(ac.raw()), M, K, d.lda};
            a_ptr = rows_as_bf16(av);
            d.lda = K;
            adt = dt::bf16;
        } else {
            bc = b.to(DType::BF16);
            b_ptr = bc.raw();
            d.ldb = N;
            d.b_trans = false;
            bdt = dt::bf16;
        }
    }
    d.a_dt = adt;
    d.b_dt = bdt;
    const auto& prim = cpu::matmul_primitive(d);
    cpu::matmul_execute(prim, a_ptr, b_ptr, c.raw(), nullptr);
}

}  // namespace ltx2::cpu
