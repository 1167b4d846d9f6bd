// Writing into strided views (ops/views.h).
#include <algorithm>

#include "core/error.h"
#include "kernels/cpu/strided_rows.h"
#include "kernels/cpu/vae_kernels.h"

namespace ltx2::cpu {

namespace {

// Calls fn(dst_row, src_row, row_length) for every row of dst (a view) and src (contiguous).
template <class Fn>
void for_view_rows(const Tensor& dst, const Tensor& src, Fn&& fn) {
    const Shape shape = dst.shape();
    const int64_t L = shape.back(), rows = L ? dst.numel() / L : 0;
    float* d = dst.data<float>();
    const float* s = src.f32();
#pragma omp parallel for schedule(static) if (dst.numel() >= (1 << 18))
    for (int64_t r = 0; r < rows; ++r) fn(d + row_offset(dst, shape, r), s + r * L, L);
}

void check_shapes(const Tensor& dst, const Tensor& src, const char* op) {
    check_row_view(dst, op, "the destination");
    LTX2_CHECK(src.defined() && src.shape() == dst.shape(), "{}: shape {} into {}", op,
               src.defined() ? shape_str(src.shape()) : std::string("undefined"), shape_str(dst.shape()));
}

}  // namespace

void copy_into_view(const Tensor& dst, const Tensor& src_in) {
    check_shapes(dst, src_in, "copy into a view");
    if (dst.numel() == 0) return;
    const Tensor src = src_in.to(DType::F32);
    for_view_rows(dst, src, [](float* d, const float* s, int64_t n) { std::copy(s, s + n, d); });
}

void add_into_view(const Tensor& dst, const Tensor& src_in) {
    check_shapes(dst, src_in, "add into a view");
    LTX2_CHECK(src_in.dtype() == DType::F32, "add into a view: src must be F32, got {}", dtype_name(src_in.dtype()));
    if (dst.numel() == 0) return;
    const Tensor src = src_in.contiguous();
    for_view_rows(dst, src, [](float* d, const float* s, int64_t n) {
        for (int64_t i = 0; i < n; ++i) d[i] += s[i];
    });
}

}  // namespace ltx2::cpu
