#include "models/transformer/modulation.h"

#include "core/error.h"
#include "ops/elementwise.h"
#include "ops/rows.h"

namespace ltx2 {

Tensor ada_value(const Tensor& table, int row, const Tensor& mod, int chunk) {
    const int64_t d = table.size(1), width = mod.size(2);
    LTX2_CHECK((chunk + 1) * d <= width, "ada_value: modulation width {} too small for chunk {} of {}", width, chunk, d);
    return add_row(mod.contiguous().slice(2, chunk * d, (chunk + 1) * d), table.select(0, row).to(DType::F32));
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
