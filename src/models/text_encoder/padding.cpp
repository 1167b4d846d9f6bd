#include "models/text_encoder/padding.h"

#include "core/error.h"
#include "ops/host.h"

namespace ltx2 {

int64_t left_padded_real_rows(const Tensor& mask, const std::string& what) {
    LTX2_CHECK(mask.defined(), "{}: the attention mask is undefined", what);
    LTX2_CHECK(mask.dim() == 1 || (mask.dim() == 2 && mask.size(0) == 1),
               "{}: the attention mask has shape {}, expected [T] or [1, T] (one prompt)", what,
               shape_str(mask.shape()));
    const std::vector<float> m = copy_to_host(mask);
    const int64_t T = int64_t(m.size());
    int64_t first_real = T;
    for (int64_t t = 0; t < T; ++t) {
        const float v = m[size_t(t)];
        LTX2_CHECK(v == 0.f || v == 1.f, "{}: attention mask value {} at row {}, expected 0 or 1", what, v, t);
        if (v == 1.f && first_real == T) first_real = t;
        LTX2_CHECK(v == 1.f || first_real == T,
                   "{}: the attention mask is not left-padded (0...0 then 1...1): row {} is padding after the real "
                   "row {}",
                   what, t, first_real);
    }
    return T - first_real;
}

Tensor left_padded_rows(const Tensor& rows, const Tensor& padding_row, int64_t T) {
    const int64_t V = rows.size(0), W = rows.size(1);
    LTX2_CHECK(V <= T && padding_row.numel() == W, "left padding: {} rows of width {} into {} rows, padding row of {}",
               V, W, T, padding_row.numel());
    Tensor out = Tensor::zeros({1, T, W});
    Tensor r = out.select(0, 0);
    const Tensor pad = padding_row.reshape({W});
    for (int64_t t = 0; t < T - V; ++t) r.select(0, t).copy_from(pad);
    r.slice(0, T - V, T).copy_from(rows);
    return out;
}

}  // namespace ltx2
