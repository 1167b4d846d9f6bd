#pragma once
// Shared by ltx2-quantize's GGUF and fp8 writers: checkpoint rows read as float32 (checked
// finite), GGUF tensors written from them a chunk at a time, the target types and the
// progress line.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "core/dtype.h"
#include "core/error.h"
#include "core/tensor.h"
#include "io/gguf_writer.h"
#include "kernels/cpu/cpu_common.h"
#include "kernels/cpu/quantize.h"

namespace ltx2 {

// Rows of `t` (contiguous [rows, cols], any float dtype) [first, first + count) as float32.
inline void rows_to_f32(const Tensor& t, const std::string& name, int64_t cols, int64_t first, int64_t count,
                        float* out) {
    const size_t n = size_t(count * cols);
    const std::byte* src = static_cast<const std::byte*>(t.raw()) + size_t(first * cols) * dtype_size(t.dtype());
    if (t.dtype() == DType::BF16) cpu::bf16_to_f32_array(reinterpret_cast<const uint16_t*>(src), out, n);
    else convert(src, t.dtype(), out, DType::F32, n);
    for (size_t i = 0; i < n; ++i)
        LTX2_CHECK(std::isfinite(out[i]), "tensor '{}': non-finite value {} at row {}, column {}", name, out[i],
                   first + int64_t(i) / cols, int64_t(i) % cols);
}

// Rows per chunk so that a chunk of float32 staging stays near 4 MB.
inline int64_t chunk_rows(int64_t cols) { return std::max<int64_t>(1, (int64_t(1) << 20) / std::max<int64_t>(cols, 1)); }

// A --type for GGUF output.
struct TargetType {
    const char* option;
    GgmlType type;
    uint32_t file_type;  // llama.cpp's general.file_type for a model mostly of this type
};

// general.name, general.file_type and general.quantization_version of an output file.
inline void set_quantized_file_metadata(GgufWriter& writer, const std::string& name, const TargetType& target) {
    writer.set_string("general.name", name);
    writer.set_u32("general.file_type", target.file_type);
    writer.set_u32("general.quantization_version", 2);
}

// Adds `t` (contiguous, any float dtype, rows of its last dimension) to `writer` as `key` of
// type `type` (a block type, F16 or F32), converted through float32 a chunk of rows at a time
// when the writer fills it; `adjust` (if set) first changes each chunk's values in place;
// `done` runs once the bytes are written.
inline void add_rows_tensor(GgufWriter& writer, const std::string& key, GgmlType type, const Shape& shape,
                            const Tensor& t, const std::string& name, std::function<void(float*, size_t)> adjust,
                            std::function<void()> done) {
    writer.add_tensor(key, type, shape, [t, name, type, adjust, done](std::byte* dst, size_t) {
        const int64_t cols = std::max<int64_t>(t.size(t.dim() - 1), 1), rows = t.numel() / cols;
        const int64_t step = chunk_rows(cols);
        std::vector<float> staging(size_t(std::min(rows, step) * cols));
        for (int64_t r = 0; r < rows; r += step) {
            const int64_t n = std::min(step, rows - r);
            const size_t count = size_t(n * cols);
            rows_to_f32(t, name, cols, r, n, staging.data());
            if (adjust) adjust(staging.data(), count);
            std::byte* out = dst + ggml_row_bytes(type, r * cols);
            if (type == GgmlType::F32) std::memcpy(out, staging.data(), count * sizeof(float));
            else if (type == GgmlType::F16) convert(staging.data(), DType::F32, out, DType::F16, count);
            else cpu::quantize(type, staging.data(), out, int64_t(count));
        }
        done();
    });
}

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
