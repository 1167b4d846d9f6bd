#include "io/safetensors.h"

#include <algorithm>
#include <limits>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace ltx2 {

namespace {

using json = nlohmann::json;

// The official implementation refuses headers above 100 MB; a larger length is corrupt.
constexpr uint64_t kMaxHeaderBytes = 100ull << 20;

std::string known_dtype_names() {
    std::string out;
    for (DType t : {DType::F64, DType::F32, DType::BF16, DType::F16, DType::F8_E4M3, DType::F8_E5M2, DType::I64,
                    DType::I32, DType::I16, DType::I8, DType::U8, DType::BOOL}) {
        if (!out.empty()) out += ", ";
        out += dtype_name(t);
    }
    return out;
}

uint64_t read_le_u64(const std::byte* p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | uint64_t(std::to_integer<uint8_t>(p[i]));
    return v;
}

std::string json_type(const json& j) { return j.type_name(); }

// Byte size of a shape; false when it overflows size_t.
bool checked_byte_size(const Shape& shape, DType dtype, size_t& out) {
    unsigned __int128 n = dtype_size(dtype);
    for (int64_t d : shape) {
        n *= uint64_t(d);
        if (n > std::numeric_limits<size_t>::max()) return false;
    }
    out = size_t(n);
    return true;
}

TensorEntry parse_entry(const std::string& path, const std::string& name, const json& value) {
    LTX2_CHECK(value.is_object(), "{}: tensor '{}': header entry must be a JSON object, got {}", path, name,
               json_type(value));
    for (const char* field : {"dtype", "shape", "data_offsets"})
        LTX2_CHECK(value.contains(field), "{}: tensor '{}': header entry is missing '{}'", path, name, field);

    TensorEntry e;
    e.name = name;

    const json& dtype = value["dtype"];
    LTX2_CHECK(dtype.is_string(), "{}: tensor '{}': 'dtype' must be a string, got {}", path, name, json_type(dtype));
    const auto& dtype_str = dtype.get_ref<const std::string&>();
    LTX2_CHECK(dtype_from_name(dtype_str, e.dtype), "{}: tensor '{}': unknown dtype '{}' (known: {})", path, name,
               dtype_str, known_dtype_names());

    const json& shape = value["shape"];
    LTX2_CHECK(shape.is_array(), "{}: tensor '{}': 'shape' must be an array, got {}", path, name, json_type(shape));
    for (const json& d : shape) {
        LTX2_CHECK(d.is_number_integer(), "{}: tensor '{}': shape entries must be integers, got {}", path, name,
                   d.dump());
        LTX2_CHECK(d.is_number_unsigned(), "{}: tensor '{}': negative dimension {} in shape {}", path, name,
                   d.get<int64_t>(), shape.dump());
        uint64_t v = d.get<uint64_t>();
        LTX2_CHECK(v <= uint64_t(std::numeric_limits<int64_t>::max()), "{}: tensor '{}': dimension {} too large",
                   path, name, v);
        e.shape.push_back(int64_t(v));
    }

    const json& offsets = value["data_offsets"];
    LTX2_CHECK(offsets.is_array() && offsets.size() == 2,
               "{}: tensor '{}': 'data_offsets' must be an array [begin, end], got {}", path, name, offsets.dump());
    for (const json& o : offsets)
        LTX2_CHECK(o.is_number_unsigned(), "{}: tensor '{}': 'data_offsets' must be non-negative integers, got {}",
                   path, name, offsets.dump());
    uint64_t begin = offsets[0].get<uint64_t>(), end = offsets[1].get<uint64_t>();
    LTX2_CHECK(begin <= end, "{}: tensor '{}': data_offsets begin {} > end {}", path, name, begin, end);
    e.begin = size_t(begin);
    e.end = size_t(end);

    size_t expected = 0;
    LTX2_CHECK(checked_byte_size(e.shape, e.dtype, expected), "{}: tensor '{}': shape {} of {} overflows", path,
               name, shape_str(e.shape), dtype_str);
    LTX2_CHECK(expected == end - begin,
               "{}: tensor '{}': shape {} of {} needs {} bytes but data_offsets [{}, {}] span {} bytes", path, name,
               shape_str(e.shape), dtype_str, expected, begin, end, end - begin);
    return e;
}

void check_spans(const std::string& path, std::vector<TensorEntry>& entries, size_t data_size) {
    for (const auto& e : entries)
        LTX2_CHECK(e.end <= data_size,
                   "{}: tensor '{}': data_offsets [{}, {}] reach beyond the data section of {} bytes (file truncated?)",
                   path, e.name, e.begin, e.end, data_size);
    std::sort(entries.begin(), entries.end(), [](const TensorEntry& a, const TensorEntry& b) {
        return a.begin != b.begin ? a.begin < b.begin : a.end < b.end;
    });
    const TensorEntry* previous = nullptr;  // the non-empty span reaching furthest so far
    for (const auto& e : entries) {
        if (e.begin == e.end) continue;  // empty tensors occupy no bytes
        if (previous)
            LTX2_CHECK(e.begin >= previous->end, "{}: tensors '{}' [{}, {}] and '{}' [{}, {}] overlap", path,
                       previous->name, previous->begin, previous->end, e.name, e.begin, e.end);
        previous = &e;
    }
}

}  // namespace

std::shared_ptr<SafetensorsFile> SafetensorsFile::open(const std::string& path) {
    auto st = std::make_shared<SafetensorsFile>();
    st->path_ = path;
    st->file_ = std::make_shared<MappedFile>(path);
    const std::byte* base = st->file_->data();
    const size_t file_size = st->file_->size();

    LTX2_CHECK(file_size >= 8, "{}: not a safetensors file: {} bytes, shorter than the 8-byte header length", path,
               file_size);
    const uint64_t header_len = read_le_u64(base);
    LTX2_CHECK(header_len <= kMaxHeaderBytes, "{}: header length {} is absurdly large (limit {}); corrupt file?",
               path, header_len, kMaxHeaderBytes);
    LTX2_CHECK(header_len <= file_size - 8, "{}: header length {} exceeds the {} bytes after the length field", path,
               header_len, file_size - 8);
    st->data_offset_ = 8 + size_t(header_len);
    const size_t data_size = file_size - st->data_offset_;

    const char* text = reinterpret_cast<const char*>(base + 8);
    json header;
    try {
        header = json::parse(text, text + header_len);
    } catch (const json::exception& e) {
        fail("{}: header is not valid JSON: {}", path, e.what());
    }
    LTX2_CHECK(header.is_object(), "{}: header must be a JSON object, got {}", path, json_type(header));

    for (auto it = header.begin(); it != header.end(); ++it) {
        if (it.key() == "__metadata__") {
            const json& meta = it.value();
            LTX2_CHECK(meta.is_object(), "{}: __metadata__ must be an object of strings, got {}", path,
                       json_type(meta));
            for (auto m = meta.begin(); m != meta.end(); ++m) {
                LTX2_CHECK(m.value().is_string(), "{}: __metadata__ value '{}' must be a string, got {}", path,
                           m.key(), json_type(m.value()));
                st->metadata_[m.key()] = m.value().get<std::string>();
            }
            continue;
        }
        st->entries_.push_back(parse_entry(path, it.key(), it.value()));
    }
    check_spans(path, st->entries_, data_size);
    for (size_t i = 0; i < st->entries_.size(); ++i) st->index_[st->entries_[i].name] = i;
    return st;
}

const TensorEntry* SafetensorsFile::find(const std::string& name) const {
    auto it = index_.find(name);
    return it == index_.end() ? nullptr : &entries_[it->second];
}

Tensor SafetensorsFile::tensor(const std::string& name) const {
    const TensorEntry* e = find(name);
    LTX2_CHECK(e != nullptr, "{}: no tensor '{}'", path_, name);
    LTX2_CHECK(e->shape.size() <= size_t(Tensor::kMaxDims), "{}: tensor '{}' has {} dimensions; at most {} supported",
               path_, name, e->shape.size(), Tensor::kMaxDims);
    Tensor view = Tensor::view_of(file_, data_offset_ + e->begin, e->shape, e->dtype);
    // The format does not require alignment; kernels read through typed pointers, so a tensor
    // whose address is not a multiple of its element size is served as an aligned copy.
    if (reinterpret_cast<uintptr_t>(view.raw()) % dtype_size(e->dtype) != 0) return view.clone();
    return view;
}

std::optional<std::string> SafetensorsFile::metadata_value(const std::string& key) const {
    auto it = metadata_.find(key);
    if (it == metadata_.end()) return std::nullopt;
    return it->second;
}

}  // namespace ltx2
