#include "io/gguf_writer.h"

#include <cstring>

#include "core/error.h"
#include "io/gguf.h"
#include "io/temp_file.h"

namespace ltx2 {

namespace {

template <class T>
void append(std::string& out, T v) {
    out.append(reinterpret_cast<const char*>(&v), sizeof(T));
}

void append_string(std::string& out, std::string_view s) {
    append<uint64_t>(out, s.size());
    out.append(s);
}

void append_type(std::string& out, GgufValueType t) { append<uint32_t>(out, uint32_t(t)); }

template <class T>
std::string encode_scalar(GgufValueType type, T v) {
    std::string out;
    append_type(out, type);
    append<T>(out, v);
    return out;
}

template <class T>
std::string encode_array(GgufValueType element_type, const std::vector<T>& values) {
    std::string out;
    append_type(out, GgufValueType::ARRAY);
    append_type(out, element_type);
    append<uint64_t>(out, values.size());
    for (const T& v : values) append<T>(out, v);
    return out;
}

size_t align_up(size_t v, size_t alignment) { return (v + alignment - 1) / alignment * alignment; }

}  // namespace

GgufWriter::GgufWriter(uint32_t alignment) : alignment_(alignment) {
    LTX2_CHECK(alignment != 0 && (alignment & (alignment - 1)) == 0,
               "GGUF writer: alignment {} is not a power of two", alignment);
    if (alignment != GgufFile::kDefaultAlignment) set_u32("general.alignment", alignment);
}

void GgufWriter::set(std::string_view key, std::string encoded) {
    LTX2_CHECK(!key.empty(), "GGUF writer: empty metadata key");
    for (auto& e : metadata_)
        if (e.key == key) {
            e.encoded = std::move(encoded);
            return;
        }
    metadata_.push_back({std::string(key), std::move(encoded)});
}

void GgufWriter::set_string(std::string_view key, std::string_view value) {
    std::string out;
    append_type(out, GgufValueType::STRING);
    append_string(out, value);
    set(key, std::move(out));
}
void GgufWriter::set_bool(std::string_view key, bool value) {
    set(key, encode_scalar<uint8_t>(GgufValueType::BOOL, value ? 1 : 0));
}
void GgufWriter::set_u32(std::string_view key, uint32_t value) { set(key, encode_scalar(GgufValueType::U32, value)); }
void GgufWriter::set_i32(std::string_view key, int32_t value) { set(key, encode_scalar(GgufValueType::I32, value)); }
void GgufWriter::set_u64(std::string_view key, uint64_t value) { set(key, encode_scalar(GgufValueType::U64, value)); }
void GgufWriter::set_i64(std::string_view key, int64_t value) { set(key, encode_scalar(GgufValueType::I64, value)); }
void GgufWriter::set_f32(std::string_view key, float value) { set(key, encode_scalar(GgufValueType::F32, value)); }

void GgufWriter::set_string_array(std::string_view key, const std::vector<std::string>& values) {
    std::string out;
    append_type(out, GgufValueType::ARRAY);
    append_type(out, GgufValueType::STRING);
    append<uint64_t>(out, values.size());
    for (const auto& v : values) append_string(out, v);
    set(key, std::move(out));
}
void GgufWriter::set_f32_array(std::string_view key, const std::vector<float>& values) {
    set(key, encode_array(GgufValueType::F32, values));
}
void GgufWriter::set_i32_array(std::string_view key, const std::vector<int32_t>& values) {
    set(key, encode_array(GgufValueType::I32, values));
}

void GgufWriter::add_tensor(const std::string& name, GgmlType type, const Shape& shape, Fill fill) {
    const GgmlTypeTraits& t = ggml_type_traits(type);
    for (const auto& p : tensors_) LTX2_CHECK(p.name != name, "GGUF writer: tensor '{}' added twice", name);
    LTX2_CHECK(!shape.empty() && shape.size() <= 4, "GGUF writer: tensor '{}' has shape {}, expected 1 to 4 dims",
               name, shape_str(shape));
    int64_t numel = 1;
    for (int64_t d : shape) {
        LTX2_CHECK(d >= 0, "GGUF writer: tensor '{}' has a negative dimension in {}", name, shape_str(shape));
        numel *= d;
    }
    LTX2_CHECK(shape.back() % t.block_elems == 0,
               "GGUF writer: tensor '{}' of type {} has rows of {} values, not a multiple of its block size {}", name,
               t.name, shape.back(), t.block_elems);
    tensors_.push_back({name, type, shape, ggml_row_bytes(type, numel), std::move(fill)});
}

void GgufWriter::add_tensor(const std::string& name, GgmlType type, const Shape& shape, const void* data) {
    LTX2_CHECK(data != nullptr, "GGUF writer: tensor '{}' has no data", name);
    add_tensor(name, type, shape, [data](std::byte* dst, size_t nbytes) { std::memcpy(dst, data, nbytes); });
}

void GgufWriter::write(const std::string& path) const {
    std::string header;
    header.append("GGUF", 4);
    append<uint32_t>(header, 3);
    append<uint64_t>(header, tensors_.size());
    append<uint64_t>(header, metadata_.size());
    for (const auto& e : metadata_) {
        append_string(header, e.key);
        header.append(e.encoded);
    }
    size_t offset = 0;  // within the data section
    for (const auto& t : tensors_) {
        append_string(header, t.name);
        append<uint32_t>(header, uint32_t(t.shape.size()));
        for (auto it = t.shape.rbegin(); it != t.shape.rend(); ++it) append<uint64_t>(header, uint64_t(*it));
        append<uint32_t>(header, uint32_t(t.type));
        append<uint64_t>(header, offset);
        offset += align_up(t.nbytes, alignment_);
    }
    header.append(align_up(header.size(), alignment_) - header.size(), '\0');

    TempFile out(path);
    out.write(header.data(), header.size());
    std::vector<std::byte> buffer;
    const std::vector<std::byte> padding(alignment_, std::byte{0});
    for (const auto& t : tensors_) {
        if (!t.fill) {
            out.skip(align_up(t.nbytes, alignment_));
            continue;
        }
        buffer.resize(t.nbytes);
        t.fill(buffer.data(), t.nbytes);
        out.write(buffer.data(), t.nbytes);
        out.write(padding.data(), align_up(t.nbytes, alignment_) - t.nbytes);
    }
    out.truncate(header.size() + offset);  // a trailing hole still counts in the size
    out.commit();
}

}  // namespace ltx2
