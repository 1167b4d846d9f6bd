#include "ops/rows.h"

#include "ops/backend.h"

namespace ltx2 {

Tensor add_row(const Tensor& x, const Tensor& row) { return call_backend("add row", {&x, &row})->add_row(x, row); }

void add_row_where_inplace(Tensor& x, const Tensor& row, const Tensor& mask) {
    call_backend("add row where", {&x, &row, &mask})->add_row_where_inplace(x, row, mask);
}

void apply_head_gates_inplace(Tensor& x, Tensor& logits) {
    call_backend("head gates", {&x, &logits})->apply_head_gates_inplace(x, logits);
}

Tensor denoised_from_velocity(const Tensor& latent, const Tensor& velocity, const Tensor& sigma) {
    return call_backend("denoised from velocity", {&latent, &velocity, &sigma})
        ->denoised_from_velocity(latent, velocity, sigma);
}

}  // namespace ltx2
