#include "ops/elementwise.h"

#include "ops/backend.h"

namespace ltx2 {

void gelu_tanh_inplace(Tensor& x) { backend_for(x.device()).gelu_tanh_inplace(x); }

void silu_inplace(Tensor& x) { backend_for(x.device()).silu_inplace(x); }

void add_inplace(Tensor& x, const Tensor& y) { backend_for("add", {&x, &y}).add_inplace(x, y); }

void modulate_inplace(Tensor& x, const Tensor& scale, const Tensor& shift) {
    backend_for("modulate", {&x, &scale, &shift}).modulate_inplace(x, scale, shift);
}

void add_gated_inplace(Tensor& x, const Tensor& y, const Tensor& gate) {
    backend_for("gated add", {&x, &y, &gate}).add_gated_inplace(x, y, gate);
}

}  // namespace ltx2
