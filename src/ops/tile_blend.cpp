#include "ops/tile_blend.h"

#include "ops/backend.h"

namespace ltx2 {

void accumulate_masked_tile(const Tensor& values, const Tensor& weights, const Tensor& tile, const Tensor& mask_t,
                            const Tensor& mask_h, const Tensor& mask_w, MaskProduct order) {
    call_backend("masked tile accumulation", {&values, &weights, &tile, &mask_t, &mask_h, &mask_w})
        ->accumulate_masked_tile(values, weights, tile, mask_t, mask_h, mask_w, order);
}

void divide_by_weights(const Tensor& values, const Tensor& weights, Tensor& out) {
    call_backend("division by blend weights", {&values, &weights, &out})->divide_by_weights(values, weights, out);
}

}  // namespace ltx2
