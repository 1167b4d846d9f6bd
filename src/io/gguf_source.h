#pragma once
// A GGUF file as a source of checkpoint tensors: the file's names, the checkpoint shapes
// (restored from ltx2-quantize's `ltx2.original_shapes` or ComfyUI-GGUF's
// `comfy.gguf.orig_shape.NAME`), F32/BF16 tensors as zero-copy views, F16 and block-quantized
// ones decoded to BF16 on every request.
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
    const std::shared_ptr<GgufFile>& shared_file() const { return file_; }
    // The checkpoint shape of tensor `key` (which the file must hold).
    Shape shape(const std::string& key) const;
    // F32/BF16 tensors as stored (a view of the mapping); F16 and block-quantized ones decoded
    // to BF16, into `arena` when given (else an owned copy).
    Tensor tensor(const std::string& key, WeightArena* arena = nullptr) const;
    bool decodes(const std::string& key) const;
    // `general.architecture`, if present.
    std::optional<std::string> architecture() const;
    // The checkpoint's config JSON text (`ltx2.config`), if the file has one.
    std::optional<std::string> config_text() const;
    std::optional<std::string> metadata_string(const std::string& key) const;  // absent: nullopt
    // Residency hint for the bytes of tensor `key`.
    void advise(const std::string& key, bool need) const;

    using ShapeMap = std::map<std::string, Shape, std::less<>>;

private:
    std::shared_ptr<GgufFile> file_;
    ShapeMap original_shapes_;
};

}  // namespace ltx2
