#include "ops/elementwise.h"

#include "ops/backend.h"

namespace ltx2 {

void gelu_tanh_inplace(Tensor& x) { call_backend(x.device())->gelu_tanh_inplace(x); }

void silu_inplace(Tensor& x) { call_backend(x.device())->silu_inplace(x); }

void add_inplace(Tensor& x, const Tensor& y) { call_backend("add", {&x, &y})->add_inplace(x, y); }

void modulate_inplace(Tensor& x, const Tensor& scale, const Tensor& shift) {
    call_backend("modulate", {&x, &scale, &shift})->modulate_inplace(x, scale, shift);
}

void add_gated_inplace(Tensor& x, const Tensor& y, const Tensor& gate) {
    call_backend("gated add", {&x, &y, &gate})->add_gated_inplace(x, y, gate);
}

void modulate_inplace(Tensor& x, const AdaValue& scale, const AdaValue& shift) {
    call_backend("modulate", {&x, &scale.table, &scale.mod, &shift.table, &shift.mod})
        ->modulate_inplace(x, scale, shift);
}

void add_gated_inplace(Tensor& x, const Tensor& y, const AdaValue& gate) {
    call_backend("gated add", {&x, &y, &gate.table, &gate.mod})->add_gated_inplace(x, y, gate);
}

}  // namespace ltx2
