#include "io/gguf_source.h"

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "ops/weights.h"

namespace ltx2 {

namespace {

constexpr const char* kOriginalShapesKey = "ltx2.original_shapes";

// Stored as models compute with them; F16 (a common fallback of GGUF converters) is decoded to
// BF16, the dtype the reference pipelines cast every weight to.
bool is_compute_type(GgmlType t) { return t == GgmlType::F32 || t == GgmlType::BF16; }

}  // namespace

namespace {

constexpr std::string_view kComfyShapePrefix = "comfy.gguf.orig_shape.";

void add_original_shape(GgufSource::ShapeMap& shapes, const GgufFile& file, const std::string& key,
                        const std::string& name, Shape shape) {
    const GgufTensorInfo* info = file.find(name);
    LTX2_CHECK(info != nullptr, "{}: metadata '{}' names tensor '{}', which the file does not hold", file.path(), key,
               name);
    LTX2_CHECK(shape_numel(shape) == info->numel && !shape.empty(),
               "{}: metadata '{}' gives tensor '{}' shape {}, which does not hold its {} stored elements ({})",
               file.path(), key, name, shape_str(shape), info->numel, shape_str(info->shape));
    shapes.emplace(name, std::move(shape));
}

}  // namespace

std::shared_ptr<GgufSource> GgufSource::open(const std::string& path) {
    auto source = std::make_shared<GgufSource>();
    source->file_ = GgufFile::open(path);
    const GgufFile& file = *source->file_;

    // ComfyUI-GGUF's convert.py: one INT32 array per reshaped tensor, in torch (row-major) order.
    for (const GgufKeyValue& kv : file.metadata()) {
        if (!kv.key.starts_with(kComfyShapePrefix)) continue;
        const std::vector<int32_t> dims = file.get_i32_array(kv.key);
        add_original_shape(source->original_shapes_, file, kv.key, kv.key.substr(kComfyShapePrefix.size()),
                           Shape(dims.begin(), dims.end()));
    }
    if (!file.has_key(kOriginalShapesKey)) return source;

    nlohmann::json shapes;
    try {
        shapes = nlohmann::json::parse(file.get_string(kOriginalShapesKey));
    } catch (const nlohmann::json::exception& e) {
        fail("{}: metadata '{}' is not valid JSON: {}", path, kOriginalShapesKey, e.what());
    }
    LTX2_CHECK(shapes.is_object(), "{}: metadata '{}' must be a JSON object of tensor name -> shape", path,
               kOriginalShapesKey);
    for (const auto& [name, dims] : shapes.items()) {
        Shape shape;
        try {
            shape = dims.get<Shape>();
        } catch (const nlohmann::json::exception&) {
            fail("{}: metadata '{}' entry for tensor '{}' must be a list of dims, got {}", path, kOriginalShapesKey,
                 name, dims.dump());
        }
        add_original_shape(source->original_shapes_, file, kOriginalShapesKey, name, std::move(shape));
    }
    return source;
}

std::optional<std::string> GgufSource::architecture() const {
    if (!file_->has_key("general.architecture")) return std::nullopt;
    return file_->get_string("general.architecture");
}

Shape GgufSource::shape(const std::string& key) const {
    if (auto it = original_shapes_.find(key); it != original_shapes_.end()) return it->second;
    return file_->info(key).shape;
}

bool GgufSource::decodes(const std::string& key) const { return !is_compute_type(file_->info(key).type); }

Tensor GgufSource::tensor(const std::string& key, WeightArena* arena) const {
    const GgufTensorInfo& info = file_->info(key);
    Tensor t;
    if (is_compute_type(info.type)) {
        t = file_->raw(key);
    } else if (arena) {
        t = arena->allocate(info.shape, DType::BF16);
        decode_ggml_into(info.type, file_->stored_bytes(info), t);
    } else {
        t = file_->dequantize(key, DType::BF16);
    }
    const Shape original = shape(key);
    return original == info.shape ? t : t.reshape(original);
}

std::optional<std::string> GgufSource::config_text() const { return metadata_string("ltx2.config"); }

std::optional<std::string> GgufSource::metadata_string(const std::string& key) const {
    if (!file_->has_key(key)) return std::nullopt;
    return file_->get_string(key);
}

void GgufSource::advise(const std::string& key, bool need) const {
    const GgufTensorInfo& info = file_->info(key);
    if (need)
        file_->mapping()->will_need(info.offset, info.nbytes);
    else
        file_->mapping()->dont_need(info.offset, info.nbytes);
}

}  // namespace ltx2
