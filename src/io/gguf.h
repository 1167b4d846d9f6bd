#pragma once
// Reading GGUF files (versions 2 and 3, little-endian): mapped, fully validated at open,
// metadata by key with typed getters, tensors as zero-copy raw views or dequantized copies.
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/tensor.h"
#include "core/ggml_tensor.h"

namespace ltx2 {

// GGUF metadata value types (the file's ids).
enum class GgufValueType : uint32_t {
    U8 = 0,
    I8 = 1,
    U16 = 2,
    I16 = 3,
    U32 = 4,
    I32 = 5,
    F32 = 6,
    BOOL = 7,
    STRING = 8,
    ARRAY = 9,
    U64 = 10,
    I64 = 11,
    F64 = 12,
};
std::string_view gguf_value_type_name(GgufValueType type);  // "u32", "string", "array", ...

struct GgufKeyValue {
    std::string key;
    GgufValueType type;
    GgufValueType element_type = GgufValueType::U8;  // arrays only
    uint64_t count = 0;                              // arrays only: number of elements
    size_t offset = 0;  // file offset of the value (arrays: of the first element)
};

struct GgufTensorInfo {
    std::string name;
    GgmlType type;
    std::vector<int64_t> ggml_dims;  // as stored: dims[0] is the innermost (contiguous) one
    Shape shape;                     // row-major: ggml_dims reversed
    int64_t numel = 0;
    size_t nbytes = 0;
    size_t offset = 0;  // file offset of the data
};

class GgufFile {
public:
    static constexpr uint32_t kDefaultAlignment = 32;

    // Maps and validates the whole file: header, every metadata value, every tensor's type,
    // dims, byte size, alignment, bounds and overlap. Throws Error naming the file, the offset
    // and what was expected on any violation.
    static std::shared_ptr<GgufFile> open(const std::string& path);

    const std::string& path() const { return path_; }
    uint32_t version() const { return version_; }
    size_t alignment() const { return alignment_; }
    size_t data_offset() const { return data_offset_; }  // file offset of the data section
    const std::shared_ptr<MappedFile>& mapping() const { return file_; }

    // Metadata. Getters throw naming the file and key when it is absent or of another type;
    // the integer getters accept any integer type whose value fits the requested one.
    const std::vector<GgufKeyValue>& metadata() const { return kvs_; }
    const GgufKeyValue* find_key(std::string_view key) const;
    bool has_key(std::string_view key) const { return find_key(key) != nullptr; }
    std::string get_string(std::string_view key) const;
    bool get_bool(std::string_view key) const;
    uint32_t get_u32(std::string_view key) const;
    int32_t get_i32(std::string_view key) const;
    uint64_t get_u64(std::string_view key) const;
    int64_t get_i64(std::string_view key) const;
    float get_f32(std::string_view key) const;
    std::vector<std::string> get_string_array(std::string_view key) const;
    std::vector<float> get_f32_array(std::string_view key) const;
    std::vector<int32_t> get_i32_array(std::string_view key) const;

    // Tensors, in file order.
    const std::vector<GgufTensorInfo>& tensors() const { return tensors_; }
    const GgufTensorInfo* find(std::string_view name) const;
    bool has(std::string_view name) const { return find(name) != nullptr; }
    const GgufTensorInfo& info(std::string_view name) const;  // throws "PATH: no tensor 'NAME'"
    const std::byte* data(const GgufTensorInfo& t) const { return file_->data() + t.offset; }
    // The tensor's bytes as stored, U8 [nbytes] (what decode_ggml_into reads).
    Tensor stored_bytes(const GgufTensorInfo& t) const;
    // Zero-copy view: F32/F16/BF16 tensors as that dtype with the row-major shape; block types
    // as U8 [..., row bytes] (the innermost dim counts bytes of a row of blocks).
    Tensor raw(std::string_view name) const;
    // Decoded copy with the row-major shape, F32 (bitwise ggml's to_float) or BF16.
    Tensor dequantize(std::string_view name, DType dtype = DType::F32) const;
    // A 2-D tensor of any type as stored, for the ops that read ggml rows in place (throws
    // naming the tensor when it is not a matrix).
    GgmlTensor ggml_matrix(std::string_view name) const;

private:
    template <class T>
    T read_scalar(const GgufKeyValue& kv) const;
    int64_t get_integer(std::string_view key, int64_t min, uint64_t max, std::string_view wanted) const;
    const GgufKeyValue& expect(std::string_view key, GgufValueType type) const;
    const GgufKeyValue& expect_array(std::string_view key, GgufValueType element_type) const;
    [[noreturn]] void fail_type(const GgufKeyValue& kv, std::string_view wanted) const;

    std::string path_;
    std::shared_ptr<MappedFile> file_;
    uint32_t version_ = 0;
    size_t alignment_ = kDefaultAlignment;
    size_t data_offset_ = 0;
    std::vector<GgufKeyValue> kvs_;
    std::map<std::string, size_t, std::less<>> kv_index_;
    std::vector<GgufTensorInfo> tensors_;
    std::map<std::string, size_t, std::less<>> tensor_index_;
};

}  // namespace ltx2
