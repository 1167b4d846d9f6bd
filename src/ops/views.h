#pragma once
// Writing into strided views: a slice of a bigger tensor (along any dimensions) filled or
// accumulated in place, as copy_from does for contiguous destinations only.
#include "core/tensor.h"

namespace ltx2 {

// dst = src: dst an F32 view whose last stride is 1, written through; src of dst's shape (any
// dtype, any strides).
void copy_into_view(const Tensor& dst, const Tensor& src);
// dst += src: dst such a view; src F32 of dst's shape (any strides).
void add_into_view(const Tensor& dst, const Tensor& src);

}  // namespace ltx2
