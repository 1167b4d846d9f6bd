// Writing .safetensors files: dense (real tensor data) and sparse (header + hole).
#include <algorithm>
#include <cstring>
#include <set>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "io/safetensors.h"
#include "io/temp_file.h"

namespace ltx2 {

namespace {

using ordered_json = nlohmann::ordered_json;

struct PlannedTensor {
    std::string name;
    DType dtype;
    Shape shape;
    size_t begin = 0, end = 0;
    size_t source = 0;  // index into the caller's list
};

// Lays tensors out gap-free, widest dtype first (as the official writer does), so that with
// an 8-aligned data section every tensor is aligned to its element size.
std::vector<PlannedTensor> plan_layout(const std::string& path, std::vector<PlannedTensor> tensors) {
    std::set<std::string> seen;
    for (const auto& t : tensors) {
        LTX2_CHECK(t.name != "__metadata__" && !t.name.empty(), "{}: invalid tensor name '{}'", path, t.name);
        LTX2_CHECK(seen.insert(t.name).second, "{}: tensor '{}' given twice", path, t.name);
        for (int64_t d : t.shape)
            LTX2_CHECK(d >= 0, "{}: tensor '{}' has negative dimension in shape {}", path, t.name, shape_str(t.shape));
    }
    std::stable_sort(tensors.begin(), tensors.end(), [](const PlannedTensor& a, const PlannedTensor& b) {
        return dtype_size(a.dtype) > dtype_size(b.dtype);
    });
    size_t offset = 0;
    for (auto& t : tensors) {
        size_t bytes = dtype_size(t.dtype);
        for (int64_t d : t.shape) bytes *= size_t(d);
        t.begin = offset;
        t.end = offset + bytes;
        offset = t.end;
    }
    return tensors;
}

// A header is JSON, whose text is UTF-8: a name or metadata text that is not fails naming it
// (with its bad bytes shown as U+FFFD).
void check_utf8(const std::string& path, const std::string& what, const std::string& text) {
    try {
        (void)ordered_json(text).dump();
    } catch (const ordered_json::type_error&) {
        fail("{}: {} {} is not valid UTF-8 text, which a safetensors header (JSON) cannot hold", path, what,
             ordered_json(text).dump(-1, ' ', false, ordered_json::error_handler_t::replace));
    }
}

// 8-byte length + JSON header padded with spaces to a multiple of 8.
std::string encode_header(const std::string& path, const std::vector<PlannedTensor>& tensors,
                          const std::map<std::string, std::string>& metadata) {
    for (const auto& t : tensors) check_utf8(path, "tensor name", t.name);
    for (const auto& [k, v] : metadata) {
        check_utf8(path, "metadata key", k);
        check_utf8(path, fmt::format("the value of metadata '{}'", k), v);
    }
    ordered_json header = ordered_json::object();
    if (!metadata.empty()) {
        ordered_json meta = ordered_json::object();
        for (const auto& [k, v] : metadata) meta[k] = v;
        header["__metadata__"] = std::move(meta);
    }
    for (const auto& t : tensors) {
        header[t.name] = {{"dtype", std::string(dtype_name(t.dtype))},
                          {"shape", t.shape},
                          {"data_offsets", {t.begin, t.end}}};
    }
    std::string text = header.dump();
    text.append((8 - text.size() % 8) % 8, ' ');
    std::string out(8, '\0');
    uint64_t n = text.size();
    for (int i = 0; i < 8; ++i) out[size_t(i)] = char((n >> (8 * i)) & 0xff);
    return out + text;
}

}  // namespace

void write_safetensors(const std::string& path, const std::vector<std::pair<std::string, Tensor>>& tensors,
                       const std::map<std::string, std::string>& metadata) {
    std::vector<StreamedTensor> streamed;
    streamed.reserve(tensors.size());
    for (const auto& [name, t] : tensors) {
        LTX2_CHECK(t.defined(), "{}: tensor '{}' is undefined", path, name);
        streamed.push_back({name, t.dtype(), t.shape(), [&t](std::byte* dst, size_t nbytes) {
                                if (nbytes > 0) std::memcpy(dst, t.contiguous().raw(), nbytes);
                            }});
    }
    write_safetensors_streamed(path, streamed, metadata);
}

void write_safetensors_streamed(const std::string& path, const std::vector<StreamedTensor>& tensors,
                                const std::map<std::string, std::string>& metadata) {
    std::vector<PlannedTensor> wanted;
    for (size_t i = 0; i < tensors.size(); ++i) {
        LTX2_CHECK(tensors[i].fill != nullptr, "{}: tensor '{}' has no data source", path, tensors[i].name);
        wanted.push_back({tensors[i].name, tensors[i].dtype, tensors[i].shape, 0, 0, i});
    }
    const auto planned = plan_layout(path, std::move(wanted));
    const std::string header = encode_header(path, planned, metadata);

    TempFile out(path);
    out.write(header.data(), header.size());
    std::vector<std::byte> buffer;
    for (const auto& p : planned) {
        const size_t nbytes = p.end - p.begin;
        buffer.resize(nbytes);
        tensors[p.source].fill(buffer.data(), nbytes);
        if (nbytes > 0) out.write(buffer.data(), nbytes);
    }
    out.commit();
}

void write_sparse_safetensors(const std::string& path, const std::vector<TensorEntry>& entries,
                              const std::map<std::string, std::string>& metadata) {
    std::vector<PlannedTensor> wanted;
    for (size_t i = 0; i < entries.size(); ++i) wanted.push_back({entries[i].name, entries[i].dtype, entries[i].shape, 0, 0, i});
    const auto planned = plan_layout(path, std::move(wanted));
    const std::string header = encode_header(path, planned, metadata);
    const size_t data_bytes = planned.empty() ? 0 : planned.back().end;

    TempFile out(path);
    out.write(header.data(), header.size());
    out.truncate(header.size() + data_bytes);  // the data section stays a hole
    out.commit();
}

}  // namespace ltx2
