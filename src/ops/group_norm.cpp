#include "ops/group_norm.h"

#include "ops/backend.h"

namespace ltx2 {

void group_norm_inplace(Tensor& x, int groups, const Tensor& weight, const Tensor& bias, float eps, bool per_frame,
                        bool silu) {
    call_backend("group norm", {&x, &weight, &bias})->group_norm_inplace(x, groups, weight, bias, eps, per_frame, silu);
}

}  // namespace ltx2
