#include "kernels/cpu/ggml_matvec.h"

#include <omp.h>

#include <vector>

#include "core/error.h"
#include "kernels/cpu/dequant.h"

namespace ltx2::cpu {

namespace {

// Sixteen running sums, so the loop vectorizes without reassociating a single sum.
float dot(const float* a, const float* b, int64_t n) {
    constexpr int kLanes = 16;
    float lanes[kLanes] = {};
    int64_t i = 0;
    for (; i + kLanes <= n; i += kLanes)
        for (int l = 0; l < kLanes; ++l) lanes[l] += a[i + l] * b[i + l];
    float sum = 0;
    for (; i < n; ++i) sum += a[i] * b[i];
    for (float lane : lanes) sum += lane;
    return sum;
}

}  // namespace

void ggml_matvec(GgmlType type, const std::byte* rows, int64_t n_rows, int64_t k, const float* x, float* y) {
    LTX2_CHECK(k > 0 && n_rows >= 0, "ggml_matvec: {} rows of {} values", n_rows, k);
    const size_t row_bytes = ggml_row_bytes(type, k);
#pragma omp parallel if (!omp_in_parallel())
    {
        std::vector<float> row(static_cast<size_t>(k));
#pragma omp for schedule(static)
        for (int64_t r = 0; r < n_rows; ++r) {
            dequantize_row(type, rows + size_t(r) * row_bytes, row.data(), k);
            y[r] = dot(row.data(), x, k);
        }
    }
}

}  // namespace ltx2::cpu
