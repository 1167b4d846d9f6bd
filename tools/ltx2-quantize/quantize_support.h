#pragma once
// Shared by ltx2-quantize's GGUF and fp8 writers: checkpoint rows read as float32 (checked
// finite) and the progress line.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>

#include "core/dtype.h"
#include "core/error.h"
#include "core/tensor.h"
#include "kernels/cpu/cpu_common.h"

namespace ltx2 {

// Rows of `t` (contiguous [rows, cols], any float dtype) [first, first + count) as float32.
inline void rows_to_f32(const Tensor& t, const std::string& name, int64_t cols, int64_t first, int64_t count,
                        float* out) {
    const size_t n = size_t(count * cols);
    const std::byte* src = static_cast<const std::byte*>(t.raw()) + size_t(first * cols) * dtype_size(t.dtype());
    if (t.dtype() == DType::BF16) bf16_to_f32_array(reinterpret_cast<const uint16_t*>(src), out, n);
    else convert(src, t.dtype(), out, DType::F32, n);
    for (size_t i = 0; i < n; ++i)
        LTX2_CHECK(std::isfinite(out[i]), "tensor '{}': non-finite value {} at row {}, column {}", name, out[i],
                   first + int64_t(i) / cols, int64_t(i) % cols);
}

// Rows per chunk so that a chunk of float32 staging stays near 4 MB.
inline int64_t chunk_rows(int64_t cols) { return std::max<int64_t>(1, (int64_t(1) << 20) / std::max<int64_t>(cols, 1)); }

// "[done/total] MB/s name" on a terminal; every tenth otherwise.
class Progress {
public:
    explicit Progress(size_t total) : total_(total), tty_(isatty(STDERR_FILENO)), start_(clock::now()) {}
    void done(const std::string& name, size_t bytes_in) {
        ++count_;
        bytes_ += bytes_in;
        const double s = std::chrono::duration<double>(clock::now() - start_).count();
        const double mbs = s > 0 ? double(bytes_) / 1e6 / s : 0.0;
        if (tty_) {
            std::fprintf(stderr, "\r[%zu/%zu] %5.0f MB/s  %-60.60s", count_, total_, mbs, name.c_str());
            if (count_ == total_) std::fprintf(stderr, "\n");
        } else if (count_ == total_ || count_ * 10 / total_ != (count_ - 1) * 10 / total_) {
            std::fprintf(stderr, "[%zu/%zu] %.0f MB/s\n", count_, total_, mbs);
        }
    }

private:
    using clock = std::chrono::steady_clock;
    size_t total_, count_ = 0, bytes_ = 0;
    bool tty_;
    clock::time_point start_;
};

}  // namespace ltx2
