#include "ops/views.h"

#include "ops/backend.h"

namespace ltx2 {

void copy_into_view(const Tensor& dst, const Tensor& src) {
    backend_for("copy into a view", {&dst, &src}).copy_into_view(dst, src);
}

void add_into_view(const Tensor& dst, const Tensor& src) {
    backend_for("add into a view", {&dst, &src}).add_into_view(dst, src);
}

}  // namespace ltx2
