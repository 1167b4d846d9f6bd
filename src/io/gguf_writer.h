#pragma once
// Writing GGUF version 3 files: metadata of every value type and tensors of any supported ggml
// type, laid out as ggml's writer does (infos in order, data offsets padded to the alignment).
// Tensor bytes are produced one tensor at a time during write(), so a quantizer never holds
// more than one tensor's blocks in memory.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/tensor.h"
#include "core/ggml_types.h"

namespace ltx2 {

class GgufWriter {
public:
    // Fills `nbytes` bytes of ggml blocks (the tensor's rows back to back) at dst.
    using Fill = std::function<void(std::byte* dst, size_t nbytes)>;

    // An alignment other than 32 is recorded as `general.alignment` (u32), as GGUF requires.
    explicit GgufWriter(uint32_t alignment = 32);

    // Metadata; setting a key again replaces its value (keeping its position).
    void set_string(std::string_view key, std::string_view value);
    void set_bool(std::string_view key, bool value);
    void set_u32(std::string_view key, uint32_t value);
    void set_i32(std::string_view key, int32_t value);
    void set_u64(std::string_view key, uint64_t value);
    void set_i64(std::string_view key, int64_t value);
    void set_f32(std::string_view key, float value);
    void set_string_array(std::string_view key, const std::vector<std::string>& values);
    void set_f32_array(std::string_view key, const std::vector<float>& values);
    void set_i32_array(std::string_view key, const std::vector<int32_t>& values);

    // A tensor of row-major `shape` (1 to 4 dims, innermost a multiple of the type's block size).
    // Its bytes come from fill() during write(); a null fill leaves them a hole (zero bytes that
    // take no disk: full-size test files).
    void add_tensor(const std::string& name, GgmlType type, const Shape& shape, Fill fill);
    // Same, bytes copied from `data` during write(): it must stay valid until then.
    void add_tensor(const std::string& name, GgmlType type, const Shape& shape, const void* data);

    // Writes PATH.tmp, then renames it to PATH: a failure never leaves a partial PATH.
    void write(const std::string& path) const;

private:
    struct Entry {
        std::string key;
        std::string encoded;  // value type + value, as stored
    };
    struct PendingTensor {
        std::string name;
        GgmlType type;
        Shape shape;
        size_t nbytes;
        Fill fill;
    };
    void set(std::string_view key, std::string encoded);

    uint32_t alignment_;
    std::vector<Entry> metadata_;
    std::vector<PendingTensor> tensors_;
};

}  // namespace ltx2
