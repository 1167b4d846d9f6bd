#include "models/transformer/modulation.h"

#include "ops/elementwise.h"

namespace ltx2 {

void add_gated_where(Tensor& x, const Tensor& y, const AdaValue& gate, const std::function<bool(int)>& keep) {
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
        // A modulation of one sample serves every sample.
        const Tensor mod = gate.mod.size(0) == 1 ? gate.mod : gate.mod.slice(0, b, b + 1);
        add_gated_inplace(xb, y.slice(0, b, b + 1), AdaValue{gate.table, gate.row, mod, gate.chunk});
    }
}

}  // namespace ltx2
