#include "ops/views.h"

#include "ops/backend.h"

namespace ltx2 {

void copy_into_view(const Tensor& dst, const Tensor& src) {
    call_backend("copy into a view", {&dst, &src})->copy_into_view(dst, src);
}

void add_into_view(const Tensor& dst, const Tensor& src) {
    call_backend("add into a view", {&dst, &src})->add_into_view(dst, src);
}

}  // namespace ltx2
