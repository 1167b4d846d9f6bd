#pragma once
// A GGUF file written by ltx2-quantize as a source of checkpoint tensors: the checkpoint's
// names, its shapes (5-D/6-D ones restored from `ltx2.original_shapes`), float tensors as
// zero-copy views and block-quantized ones dequantized to BF16 copies on every request.
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "core/tensor.h"
#include "core/weight_arena.h"
#include "io/gguf.h"

namespace ltx2 {

class GgufSource {
public:
    static std::shared_ptr<GgufSource> open(const std::string& path);

    const std::string& path() const { return file_->path(); }
    const GgufFile& file() const { return *file_; }
    // The checkpoint shape of tensor `key` (which the file must hold).
    Shape shape(const std::string& key) const;
    // F32/F16/BF16 tensors as stored (a view of the mapping); quantized ones decoded to BF16,
    // into `arena` when given (else an owned copy).
    Tensor tensor(const std::string& key, WeightArena* arena = nullptr) const;
    bool is_quantized(const std::string& key) const;
    // The checkpoint's config JSON text (`ltx2.config`), if the file has one.
    std::optional<std::string> config_text() const;
    // Residency hint for the bytes of tensor `key`.
    void advise(const std::string& key, bool need) const;

private:
    std::shared_ptr<GgufFile> file_;
    std::map<std::string, Shape, std::less<>> original_shapes_;
};

}  // namespace ltx2
