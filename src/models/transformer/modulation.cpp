#include "models/transformer/modulation.h"

#include "core/error.h"
#include "ops/elementwise.h"

namespace ltx2 {

Tensor ada_value(const Tensor& table, int row, const Tensor& mod, int chunk) {
    const int64_t d = table.size(1);
    const int64_t b = mod.size(0), t = mod.size(1), width = mod.size(2);
    LTX2_CHECK((chunk + 1) * d <= width, "ada_value: modulation width {} too small for chunk {} of {}", width, chunk, d);
    std::vector<float> row_values(static_cast<size_t>(d));
    const Tensor r = table.select(0, row);
    if (r.dtype() == DType::BF16) {
        const uint16_t* p = r.contiguous().bf16();
        for (int64_t i = 0; i < d; ++i) row_values[size_t(i)] = bf16_to_f32(p[i]);
    } else {
        const float* p = r.contiguous().f32();
        for (int64_t i = 0; i < d; ++i) row_values[size_t(i)] = p[i];
    }
    Tensor out = Tensor::zeros({b, t, d});
    const Tensor m = mod.contiguous();
    const float* src = m.f32();
    float* dst = out.f32();
    for (int64_t bt = 0; bt < b * t; ++bt) {
        const float* s = src + bt * width + chunk * d;
        float* o = dst + bt * d;
        for (int64_t i = 0; i < d; ++i) o[i] = row_values[size_t(i)] + s[i];
    }
    return out;
}

void add_gated_where(Tensor& x, const Tensor& y, const Tensor& gate, const std::function<bool(int)>& keep) {
    const int batch = int(x.size(0));
    bool all = true;
    if (keep)
        for (int b = 0; b < batch; ++b) all = all && keep(b);
    if (all) {
        add_gated_inplace(x, y, gate);
        return;
    }
    for (int b = 0; b < batch; ++b) {
        if (!keep(b)) continue;
        Tensor xb = x.slice(0, b, b + 1);
        add_gated_inplace(xb, y.slice(0, b, b + 1), gate.slice(0, b, b + 1));
    }
}

}  // namespace ltx2
