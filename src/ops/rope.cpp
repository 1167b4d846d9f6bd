#include "ops/rope.h"

#include "core/error.h"
#include "ops/backend.h"

namespace ltx2 {

RopeTable rope_table(const Tensor& positions, const RopeSpec& spec) {
    return call_backend(positions.device())->rope_table(positions, spec);
}

void rope_apply_inplace(Tensor& x, const RopeTable& table) {
    call_backend("rope", {&x, &table.cos, &table.sin})->rope_apply_inplace(x, table);
}

void rope_3axis_inplace(Tensor& x, int heads, const std::array<int, 3>& split, int64_t w_position0, double theta) {
    call_backend(x.device())->rope_3axis_inplace(x, heads, split, w_position0, theta);
}

std::array<int, 3> rope_3axis_default_split(int head_dim) {
    LTX2_CHECK(head_dim > 0 && head_dim % 8 == 0, "3-axis RoPE: head_dim {} must be a positive multiple of 8",
               head_dim);
    int dt = (head_dim / 4) / 2 * 2;
    int dhw = (head_dim - dt) / 2;
    if (dhw % 2 != 0) {
        dt -= 2;
        dhw = (head_dim - dt) / 2;
    }
    return {dt, dhw, dhw};
}

}  // namespace ltx2
