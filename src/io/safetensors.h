#pragma once
// Reading .safetensors files: mapped, validated, zero-copy tensor views.
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/tensor.h"

namespace ltx2 {

struct TensorEntry {
    std::string name;
    DType dtype;
    Shape shape;
    size_t begin = 0;  // byte range within the data section
    size_t end = 0;
};

class SafetensorsFile {
public:
    // Maps and validates the whole header: 8-byte length within the file, JSON well formed,
    // known dtypes, shape × dtype size = byte span, spans in range and non-overlapping.
    // Throws Error naming the file (and tensor) on any violation.
    static std::shared_ptr<SafetensorsFile> open(const std::string& path);

    const std::string& path() const { return path_; }
    const std::vector<TensorEntry>& entries() const { return entries_; }
    const TensorEntry* find(const std::string& name) const;
    bool has(const std::string& name) const { return find(name) != nullptr; }
    // Zero-copy view of a tensor; throws "PATH: no tensor 'NAME'" when absent.
    Tensor tensor(const std::string& name) const;
    const std::map<std::string, std::string>& metadata() const { return metadata_; }
    std::optional<std::string> metadata_value(const std::string& key) const;
    const std::shared_ptr<MappedFile>& mapping() const { return file_; }
    size_t data_offset() const { return data_offset_; }  // file offset of the data section

private:
    std::string path_;
    std::shared_ptr<MappedFile> file_;
    size_t data_offset_ = 0;
    std::vector<TensorEntry> entries_;
    std::map<std::string, size_t> index_;
    std::map<std::string, std::string> metadata_;
};

// Writes tensors (any dtype, any strides) and string metadata in safetensors format.
// Written to PATH.tmp and renamed, so a failure never leaves a partial PATH.
void write_safetensors(const std::string& path, const std::vector<std::pair<std::string, Tensor>>& tensors,
                       const std::map<std::string, std::string>& metadata = {});

// A tensor whose bytes are produced only when the writer reaches it: fill(dst, nbytes) writes
// the row-major data. A converter streaming a checkpoint holds one tensor in memory at a time.
struct StreamedTensor {
    std::string name;
    DType dtype;
    Shape shape;
    std::function<void(std::byte* dst, size_t nbytes)> fill;
};
// Same layout and atomicity as write_safetensors; fill() runs once per tensor, in file order.
void write_safetensors_streamed(const std::string& path, const std::vector<StreamedTensor>& tensors,
                                const std::map<std::string, std::string>& metadata = {});

// Writes a valid header for the given (name, dtype, shape) list followed by a data section
// that is a hole (sparse file): a full-size checkpoint that costs no disk. The writer lays
// out the offsets itself (entries' begin/end are ignored), as write_safetensors does:
// gap-free, widest dtype first, header padded to a multiple of 8.
void write_sparse_safetensors(const std::string& path, const std::vector<TensorEntry>& entries,
                              const std::map<std::string, std::string>& metadata = {});

}  // namespace ltx2
