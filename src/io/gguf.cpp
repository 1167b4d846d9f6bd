#include "io/gguf.h"

#include <algorithm>
#include <cstring>
#include <limits>

#include "core/error.h"
#include "ops/weights.h"

namespace ltx2 {

namespace {

constexpr GgufValueType kLastValueType = GgufValueType::F64;
constexpr size_t kMinKeyValueBytes = 8 + 1 + 4 + 1;           // key length, 1-byte key, type, u8 value
constexpr size_t kMinTensorInfoBytes = 8 + 4 + 8 + 4 + 8;     // name length, n_dims, 1 dim, type, offset
constexpr uint32_t kMaxDims = 4;

bool is_integer(GgufValueType t) {
    switch (t) {
        case GgufValueType::U8: case GgufValueType::I8: case GgufValueType::U16: case GgufValueType::I16:
        case GgufValueType::U32: case GgufValueType::I32: case GgufValueType::U64: case GgufValueType::I64:
            return true;
        default: return false;
    }
}

// Bytes of a fixed-size value; 0 for STRING and ARRAY.
size_t value_size(GgufValueType t) {
    switch (t) {
        case GgufValueType::U8: case GgufValueType::I8: case GgufValueType::BOOL: return 1;
        case GgufValueType::U16: case GgufValueType::I16: return 2;
        case GgufValueType::U32: case GgufValueType::I32: case GgufValueType::F32: return 4;
        case GgufValueType::U64: case GgufValueType::I64: case GgufValueType::F64: return 8;
        case GgufValueType::STRING: case GgufValueType::ARRAY: return 0;
    }
    return 0;
}

template <class T>
T load(const std::byte* p) {
    T v;
    std::memcpy(&v, p, sizeof(T));
    return v;
}

// An integer value of any GGUF integer type, widened: `negative` tells which member holds it.
struct WideInteger {
    bool negative = false;
    int64_t s = 0;
    uint64_t u = 0;
};

WideInteger load_integer(GgufValueType t, const std::byte* p) {
    auto from_signed = [](int64_t v) { return v < 0 ? WideInteger{true, v, 0} : WideInteger{false, v, uint64_t(v)}; };
    switch (t) {
        case GgufValueType::U8: return {false, 0, load<uint8_t>(p)};
        case GgufValueType::U16: return {false, 0, load<uint16_t>(p)};
        case GgufValueType::U32: return {false, 0, load<uint32_t>(p)};
        case GgufValueType::U64: return {false, 0, load<uint64_t>(p)};
        case GgufValueType::I8: return from_signed(load<int8_t>(p));
        case GgufValueType::I16: return from_signed(load<int16_t>(p));
        case GgufValueType::I32: return from_signed(load<int32_t>(p));
        case GgufValueType::I64: return from_signed(load<int64_t>(p));
        default: fail("internal: GGUF value type {} is not an integer", uint32_t(t));
    }
}

bool fits(const WideInteger& v, int64_t min, uint64_t max) { return v.negative ? v.s >= min : v.u <= max; }

std::string describe_type(const GgufKeyValue& kv) {
    if (kv.type != GgufValueType::ARRAY) return std::string(gguf_value_type_name(kv.type));
    return fmt::format("an array of {} {}", kv.count, gguf_value_type_name(kv.element_type));
}

// Bounds-checked sequential reading of the header; every error names the file and offset.
class HeaderReader {
public:
    HeaderReader(const std::string& path, const std::byte* data, size_t size) : path_(path), data_(data), size_(size) {}

    size_t pos() const { return pos_; }
    size_t remaining() const { return size_ - pos_; }

    template <class... Args>
    [[noreturn]] void fail_at(size_t offset, fmt::format_string<Args...> pattern, Args&&... args) const {
        fail("{}: at offset {}: {}", path_, offset, fmt::format(pattern, std::forward<Args>(args)...));
    }

    void need(size_t n, std::string_view what) const {
        if (n > remaining())
            fail_at(pos_, "{} needs {} bytes, but the file ends {} bytes later (file size {})", what, n, remaining(),
                    size_);
    }

    template <class T>
    T read(std::string_view what) {
        need(sizeof(T), what);
        T v = load<T>(data_ + pos_);
        pos_ += sizeof(T);
        return v;
    }

    // A string: u64 length + bytes. Returns its bytes' offset and length after checking them.
    std::pair<size_t, uint64_t> skip_string(std::string_view what) {
        const size_t at = pos_;
        const uint64_t length = read<uint64_t>(what);
        if (length > remaining())
            fail_at(at, "{} has length {}, past the end of the file ({} bytes remain)", what, length, remaining());
        const size_t begin = pos_;
        pos_ += size_t(length);
        return {begin, length};
    }

    std::string read_string(std::string_view what) {
        auto [begin, length] = skip_string(what);
        return std::string(reinterpret_cast<const char*>(data_ + begin), size_t(length));
    }

    GgufValueType read_value_type(std::string_view what) {
        const size_t at = pos_;
        const uint32_t t = read<uint32_t>(what);
        if (t > uint32_t(kLastValueType))
            fail_at(at, "{} is the unknown value type {} (expected 0..{})", what, t, uint32_t(kLastValueType));
        return GgufValueType(t);
    }

    // Steps over `count` values of type t (not ARRAY), checking they lie within the file.
    void skip_values(GgufValueType t, uint64_t count, const std::string& what) {
        if (const size_t size = value_size(t)) {
            if (count > remaining() / size)
                fail_at(pos_, "{}: {} values of {} bytes do not fit in the {} bytes left in the file", what, count,
                        size, remaining());
            pos_ += size_t(count) * size;
            return;
        }
        if (count > remaining() / 8)
            fail_at(pos_, "{}: {} strings do not fit in the {} bytes left in the file", what, count, remaining());
        for (uint64_t i = 0; i < count; ++i) skip_string(what);
    }

private:
    const std::string& path_;
    const std::byte* data_;
    size_t size_;
    size_t pos_ = 0;
};

size_t align_up(size_t v, size_t alignment) { return (v + alignment - 1) / alignment * alignment; }

}  // namespace

std::string_view gguf_value_type_name(GgufValueType type) {
    switch (type) {
        case GgufValueType::U8: return "u8";
        case GgufValueType::I8: return "i8";
        case GgufValueType::U16: return "u16";
        case GgufValueType::I16: return "i16";
        case GgufValueType::U32: return "u32";
        case GgufValueType::I32: return "i32";
        case GgufValueType::F32: return "f32";
        case GgufValueType::BOOL: return "bool";
        case GgufValueType::STRING: return "string";
        case GgufValueType::ARRAY: return "array";
        case GgufValueType::U64: return "u64";
        case GgufValueType::I64: return "i64";
        case GgufValueType::F64: return "f64";
    }
    return "unknown";
}

std::shared_ptr<GgufFile> GgufFile::open(const std::string& path) {
    auto g = std::shared_ptr<GgufFile>(new GgufFile());
    g->path_ = path;
    g->file_ = std::make_shared<MappedFile>(path);
    const std::byte* base = g->file_->data();
    const size_t size = g->file_->size();
    HeaderReader r(path, base, size);

    // Header.
    if (size < 4) fail("{}: file of {} bytes is too short for a GGUF header (magic 'GGUF')", path, size);
    if (std::memcmp(base, "GGUF", 4) != 0) {
        std::string magic;
        for (int i = 0; i < 4; ++i) {
            const char c = char(base[i]);
            magic += (c >= 32 && c < 127) ? fmt::format("{}", c) : fmt::format("\\x{:02x}", uint8_t(c));
        }
        r.fail_at(0, "bad magic '{}', expected 'GGUF' (not a GGUF file)", magic);
    }
    r.read<uint32_t>("magic");
    const size_t version_at = r.pos();
    g->version_ = r.read<uint32_t>("the version");
    if (g->version_ == 0x02000000u || g->version_ == 0x03000000u)
        r.fail_at(version_at, "big-endian GGUF (version {}) is not supported", g->version_ >> 24);
    if (g->version_ != 2 && g->version_ != 3)
        r.fail_at(version_at, "unsupported GGUF version {}, expected 3 (or 2)", g->version_);
    const size_t counts_at = r.pos();
    const uint64_t tensor_count = r.read<uint64_t>("the tensor count");
    const uint64_t kv_count = r.read<uint64_t>("the metadata count");
    if (kv_count > r.remaining() / kMinKeyValueBytes)
        r.fail_at(counts_at + 8, "metadata count {} cannot fit in the {} bytes after the header", kv_count,
                  r.remaining());
    if (tensor_count > (r.remaining() - kv_count * kMinKeyValueBytes) / kMinTensorInfoBytes)
        r.fail_at(counts_at, "tensor count {} cannot fit in the {} bytes after the header", tensor_count,
                  r.remaining());

    // Metadata.
    for (uint64_t i = 0; i < kv_count; ++i) {
        GgufKeyValue kv;
        const size_t key_at = r.pos();
        kv.key = r.read_string(fmt::format("the key of metadata entry {}", i));
        if (kv.key.empty()) r.fail_at(key_at, "metadata entry {} has an empty key", i);
        if (g->kv_index_.count(kv.key)) r.fail_at(key_at, "duplicate metadata key '{}'", kv.key);
        const std::string what = fmt::format("metadata '{}'", kv.key);
        kv.type = r.read_value_type(what + " type");
        if (kv.type == GgufValueType::ARRAY) {
            const size_t element_at = r.pos();
            kv.element_type = r.read_value_type(what + " array element type");
            if (kv.element_type == GgufValueType::ARRAY)
                r.fail_at(element_at, "{} is an array of arrays, which GGUF readers do not support", what);
            kv.count = r.read<uint64_t>(what + " array length");
            kv.offset = r.pos();
            r.skip_values(kv.element_type, kv.count, what);
        } else {
            kv.offset = r.pos();
            r.skip_values(kv.type, 1, what);
        }
        g->kv_index_.emplace(kv.key, g->kvs_.size());
        g->kvs_.push_back(std::move(kv));
    }
    if (const GgufKeyValue* a = g->find_key("general.alignment")) {
        if (a->type != GgufValueType::U32)
            fail("{}: metadata 'general.alignment' is {}, expected u32", path, describe_type(*a));
        const uint32_t alignment = g->read_scalar<uint32_t>(*a);
        if (alignment == 0 || (alignment & (alignment - 1)) != 0)
            fail("{}: metadata 'general.alignment' is {}, expected a power of two", path, alignment);
        g->alignment_ = alignment;
    }

    // Tensor infos.
    for (uint64_t i = 0; i < tensor_count; ++i) {
        GgufTensorInfo t;
        const size_t name_at = r.pos();
        t.name = r.read_string(fmt::format("the name of tensor {}", i));
        if (g->tensor_index_.count(t.name)) r.fail_at(name_at, "duplicate tensor name '{}'", t.name);
        const std::string what = fmt::format("tensor '{}'", t.name);
        const size_t dims_at = r.pos();
        const uint32_t n_dims = r.read<uint32_t>(what + " dimension count");
        if (n_dims == 0 || n_dims > kMaxDims)
            r.fail_at(dims_at, "{} has {} dimensions, expected 1 to {}", what, n_dims, kMaxDims);
        // A tensor with a zero dim holds no elements, yet consumers still derive strides and row
        // sizes from its other dims: their product (zeros counted as 1) must fit too.
        int64_t span = 1;
        for (uint32_t d = 0; d < n_dims; ++d) {
            const uint64_t dim = r.read<uint64_t>(what + " dimensions");
            if (dim > uint64_t(std::numeric_limits<int64_t>::max()) ||
                __builtin_mul_overflow(span, std::max<int64_t>(int64_t(dim), 1), &span))
                r.fail_at(dims_at, "{} dimensions overflow: the element count exceeds 2^63", what);
            t.ggml_dims.push_back(int64_t(dim));
        }
        t.numel = shape_numel(t.ggml_dims);
        const size_t type_at = r.pos();
        const uint32_t type_id = r.read<uint32_t>(what + " type");
        const GgmlTypeTraits* traits = ggml_type_traits(type_id);
        if (!traits) r.fail_at(type_at, "{} has ggml type {}", what, ggml_type_describe(type_id));
        t.type = traits->type;
        if (t.ggml_dims[0] % traits->block_elems != 0)
            r.fail_at(dims_at, "{} of type {} has {} values per row (dim 0), not a multiple of its block size {}",
                      what, traits->name, t.ggml_dims[0], traits->block_elems);
        const int64_t row_elems = std::max<int64_t>(t.ggml_dims[0], traits->block_elems);
        int64_t span_bytes = 0;
        if (__builtin_mul_overflow(span / std::max<int64_t>(t.ggml_dims[0], 1) * (row_elems / traits->block_elems),
                                   int64_t(traits->block_bytes), &span_bytes))
            r.fail_at(dims_at, "{} byte size overflows", what);
        t.nbytes = size_t(t.numel / traits->block_elems) * traits->block_bytes;  // at most span_bytes
        t.offset = size_t(r.read<uint64_t>(what + " data offset"));  // relative for now
        t.shape.assign(t.ggml_dims.rbegin(), t.ggml_dims.rend());
        g->tensor_index_.emplace(t.name, g->tensors_.size());
        g->tensors_.push_back(std::move(t));
    }

    // Data section: starts at the next multiple of the alignment.
    g->data_offset_ = align_up(r.pos(), g->alignment_);
    if (!g->tensors_.empty() && g->data_offset_ > size)
        fail("{}: the data section would start at offset {}, past the end of the file ({} bytes)", path,
             g->data_offset_, size);
    const size_t data_size = size - std::min(size, g->data_offset_);
    for (auto& t : g->tensors_) {
        const size_t relative = t.offset;
        if (relative % g->alignment_ != 0)
            fail("{}: tensor '{}' data offset {} is not a multiple of the alignment {}", path, t.name, relative,
                 g->alignment_);
        if (relative > data_size || t.nbytes > data_size - relative)
            fail("{}: tensor '{}' data ({} bytes at data offset {}) ends past the end of the file (data section "
                 "of {} bytes at offset {})",
                 path, t.name, t.nbytes, relative, data_size, g->data_offset_);
        t.offset = g->data_offset_ + relative;
    }
    std::vector<const GgufTensorInfo*> by_offset;
    for (const auto& t : g->tensors_)
        if (t.nbytes > 0) by_offset.push_back(&t);
    std::sort(by_offset.begin(), by_offset.end(), [](auto* a, auto* b) { return a->offset < b->offset; });
    for (size_t i = 1; i < by_offset.size(); ++i) {
        const GgufTensorInfo& a = *by_offset[i - 1];
        const GgufTensorInfo& b = *by_offset[i];
        if (a.offset + a.nbytes > b.offset)
            fail("{}: tensors '{}' (bytes {}..{}) and '{}' (from byte {}) overlap", path, a.name, a.offset,
                 a.offset + a.nbytes, b.name, b.offset);
    }
    return g;
}

// --- metadata ---

const GgufKeyValue* GgufFile::find_key(std::string_view key) const {
    auto it = kv_index_.find(key);
    return it == kv_index_.end() ? nullptr : &kvs_[it->second];
}

template <class T>
T GgufFile::read_scalar(const GgufKeyValue& kv) const {
    return load<T>(file_->data() + kv.offset);
}

void GgufFile::fail_type(const GgufKeyValue& kv, std::string_view wanted) const {
    fail("{}: metadata '{}' is {}, expected {}", path_, kv.key, describe_type(kv), wanted);
}

const GgufKeyValue& GgufFile::expect(std::string_view key, GgufValueType type) const {
    const GgufKeyValue* kv = find_key(key);
    if (!kv) fail("{}: metadata key '{}' is missing", path_, key);
    if (kv->type != type) fail_type(*kv, gguf_value_type_name(type));
    return *kv;
}

const GgufKeyValue& GgufFile::expect_array(std::string_view key, GgufValueType element_type) const {
    const GgufKeyValue* kv = find_key(key);
    if (!kv) fail("{}: metadata key '{}' is missing", path_, key);
    if (kv->type != GgufValueType::ARRAY || kv->element_type != element_type)
        fail_type(*kv, fmt::format("an array of {}", gguf_value_type_name(element_type)));
    return *kv;
}

int64_t GgufFile::get_integer(std::string_view key, int64_t min, uint64_t max, std::string_view wanted) const {
    const GgufKeyValue* kv = find_key(key);
    if (!kv) fail("{}: metadata key '{}' is missing", path_, key);
    if (!is_integer(kv->type)) fail_type(*kv, wanted);
    const WideInteger v = load_integer(kv->type, file_->data() + kv->offset);
    if (!fits(v, min, max))
        fail("{}: metadata '{}' ({}) is {}, which does not fit {}", path_, kv->key, describe_type(*kv),
             v.negative ? fmt::format("{}", v.s) : fmt::format("{}", v.u), wanted);
    return v.negative ? v.s : int64_t(v.u);
}

std::string GgufFile::get_string(std::string_view key) const {
    const GgufKeyValue& kv = expect(key, GgufValueType::STRING);
    const uint64_t length = read_scalar<uint64_t>(kv);
    return std::string(reinterpret_cast<const char*>(file_->data() + kv.offset + 8), size_t(length));
}

bool GgufFile::get_bool(std::string_view key) const {
    return read_scalar<uint8_t>(expect(key, GgufValueType::BOOL)) != 0;
}

uint32_t GgufFile::get_u32(std::string_view key) const {
    return uint32_t(get_integer(key, 0, std::numeric_limits<uint32_t>::max(), "u32"));
}

int32_t GgufFile::get_i32(std::string_view key) const {
    return int32_t(get_integer(key, std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max(), "i32"));
}

uint64_t GgufFile::get_u64(std::string_view key) const {
    const GgufKeyValue* kv = find_key(key);
    if (kv && kv->type == GgufValueType::U64) return read_scalar<uint64_t>(*kv);  // beyond int64's range too
    return uint64_t(get_integer(key, 0, uint64_t(std::numeric_limits<int64_t>::max()), "u64"));
}

int64_t GgufFile::get_i64(std::string_view key) const {
    return get_integer(key, std::numeric_limits<int64_t>::min(), uint64_t(std::numeric_limits<int64_t>::max()),
                       "i64");
}

float GgufFile::get_f32(std::string_view key) const { return read_scalar<float>(expect(key, GgufValueType::F32)); }

std::vector<std::string> GgufFile::get_string_array(std::string_view key) const {
    const GgufKeyValue& kv = expect_array(key, GgufValueType::STRING);
    std::vector<std::string> out;
    out.reserve(size_t(kv.count));
    const std::byte* p = file_->data() + kv.offset;
    for (uint64_t i = 0; i < kv.count; ++i) {
        const uint64_t length = load<uint64_t>(p);
        out.emplace_back(reinterpret_cast<const char*>(p + 8), size_t(length));
        p += 8 + length;
    }
    return out;
}

std::vector<float> GgufFile::get_f32_array(std::string_view key) const {
    const GgufKeyValue& kv = expect_array(key, GgufValueType::F32);
    std::vector<float> out(size_t(kv.count));
    if (!out.empty()) std::memcpy(out.data(), file_->data() + kv.offset, out.size() * sizeof(float));
    return out;
}

std::vector<int32_t> GgufFile::get_i32_array(std::string_view key) const {
    const GgufKeyValue* kv = find_key(key);
    if (!kv) fail("{}: metadata key '{}' is missing", path_, key);
    if (kv->type != GgufValueType::ARRAY || !is_integer(kv->element_type)) fail_type(*kv, "an array of i32");
    const size_t size = value_size(kv->element_type);
    std::vector<int32_t> out(size_t(kv->count));
    for (size_t i = 0; i < out.size(); ++i) {
        const WideInteger v = load_integer(kv->element_type, file_->data() + kv->offset + i * size);
        if (!fits(v, std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max()))
            fail("{}: metadata '{}' element {} does not fit i32", path_, kv->key, i);
        out[i] = int32_t(v.negative ? v.s : int64_t(v.u));
    }
    return out;
}

// --- tensors ---

const GgufTensorInfo* GgufFile::find(std::string_view name) const {
    auto it = tensor_index_.find(name);
    return it == tensor_index_.end() ? nullptr : &tensors_[it->second];
}

const GgufTensorInfo& GgufFile::info(std::string_view name) const {
    const GgufTensorInfo* t = find(name);
    if (!t) fail("{}: no tensor '{}'", path_, name);
    return *t;
}

Tensor GgufFile::raw(std::string_view name) const {
    const GgufTensorInfo& t = info(name);
    switch (t.type) {
        case GgmlType::F32: return Tensor::view_of(file_, t.offset, t.shape, DType::F32);
        case GgmlType::F16: return Tensor::view_of(file_, t.offset, t.shape, DType::F16);
        case GgmlType::BF16: return Tensor::view_of(file_, t.offset, t.shape, DType::BF16);
        default: break;
    }
    Shape bytes = t.shape;
    bytes.back() = int64_t(ggml_row_bytes(t.type, t.ggml_dims[0]));
    return Tensor::view_of(file_, t.offset, bytes, DType::U8);
}

Tensor GgufFile::dequantize(std::string_view name, DType dtype) const {
    const GgufTensorInfo& t = info(name);
    if (dtype != DType::F32 && dtype != DType::BF16)
        fail("{}: tensor '{}' can be dequantized to F32 or BF16, not {}", path_, t.name, dtype_name(dtype));
    Tensor out = Tensor::empty(t.shape, dtype, Device::Cpu);
    decode_ggml_into(t.type, stored_bytes(t), out);
    return out;
}

Tensor GgufFile::stored_bytes(const GgufTensorInfo& t) const {
    return Tensor::view_of(file_, t.offset, {int64_t(t.nbytes)}, DType::U8);
}

GgmlTensor GgufFile::ggml_matrix(std::string_view name) const {
    const GgufTensorInfo& t = info(name);
    if (t.shape.size() != 2) fail("{}: tensor '{}' is {}, not a matrix", path_, t.name, shape_str(t.shape));
    const Shape rows = {t.shape[0], int64_t(ggml_row_bytes(t.type, t.shape[1]))};
    return {t.type, t.shape[1], Tensor::view_of(file_, t.offset, rows, DType::U8)};
}

}  // namespace ltx2
