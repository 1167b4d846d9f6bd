#include "io/weight_store.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/finite_check.h"
#include "ops/weights.h"

namespace ltx2 {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

json read_json_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    LTX2_CHECK(in.good(), "{}: cannot open", path);
    std::stringstream text;
    text << in.rdbuf();
    try {
        return json::parse(text.str());
    } catch (const json::exception& e) {
        fail("{}: not valid JSON: {}", path, e.what());
    }
}

bool is_float8(DType t) { return t == DType::F8_E4M3 || t == DType::F8_E5M2; }

// "x.weight" -> "x.weight_scale" / "x.input_scale"; other names have no scale.
std::string scale_name(const std::string& name, const char* which) {
    if (!name.ends_with(".weight")) return {};
    return name.substr(0, name.size() - 6) + which;
}

bool is_weight_dtype(DType t) {
    switch (t) {
        case DType::F32:
        case DType::BF16:
        case DType::F16:
        case DType::F8_E4M3:
        case DType::F8_E5M2: return true;
        default: return false;
    }
}

// (full key -> file) for every tensor of a sharded checkpoint, validated against the shards.
std::vector<std::pair<std::string, std::shared_ptr<SafetensorsFile>>> open_index(
    const std::string& index_path, std::vector<std::shared_ptr<SafetensorsFile>>& files) {
    const json index = read_json_file(index_path);
    LTX2_CHECK(index.is_object() && index.contains("weight_map") && index["weight_map"].is_object(),
               "{}: not a safetensors index: expected an object with a 'weight_map' object", index_path);
    const fs::path folder = fs::path(index_path).parent_path();

    std::map<std::string, std::shared_ptr<SafetensorsFile>> shards;
    std::vector<std::pair<std::string, std::shared_ptr<SafetensorsFile>>> keys;
    for (const auto& [key, shard_value] : index["weight_map"].items()) {
        LTX2_CHECK(shard_value.is_string(), "{}: weight_map entry for tensor '{}' must be a shard file name", index_path,
                   key);
        const std::string shard = shard_value.get<std::string>();
        auto it = shards.find(shard);
        if (it == shards.end()) {
            const std::string shard_path = (folder / shard).string();
            std::error_code ec;
            LTX2_CHECK(fs::is_regular_file(shard_path, ec), "{}: shard '{}' (listed for tensor '{}') does not exist at {}",
                       index_path, shard, key, shard_path);
            it = shards.emplace(shard, SafetensorsFile::open(shard_path)).first;
            files.push_back(it->second);
        }
        LTX2_CHECK(it->second->has(key), "{}: tensor '{}' is listed in shard '{}' but {} does not hold it", index_path,
                   key, shard, it->second->path());
        keys.emplace_back(key, it->second);
    }
    return keys;
}

// comfy-kitchen files (Kijai's *_fp8_scaled) mark each quantized layer with `LAYER.comfy_quant`:
// the UTF-8 JSON of its storage format, as uint8. Float8 layers are then the official fp8
// layout (weight + weight_scale [+ input_scale]); the marker describes storage, not a weight.
bool is_storage_marker(const std::string& key) { return key.ends_with(".comfy_quant"); }

void check_storage_marker(const SafetensorsFile& file, const std::string& key) {
    const Tensor t = file.tensor(key);
    const std::string layer = key.substr(0, key.size() - std::string_view(".comfy_quant").size());
    std::string format;
    if (t.dtype() == DType::U8) {
        const json j = json::parse(std::string(reinterpret_cast<const char*>(t.raw()), size_t(t.numel())), nullptr, false);
        if (j.is_object() && j.contains("format") && j.at("format").is_string()) format = j.at("format").get<std::string>();
    }
    if (format == "float8_e4m3fn" || format == "float8_e5m2") return;
    fail("{}: layer '{}' is stored in the comfy-kitchen format '{}', which this build does not decode (supported: "
         "float8_e4m3fn and float8_e5m2 with a per-tensor weight_scale)",
         file.path(), layer, format.empty() ? "(unreadable marker)" : format);
}

}  // namespace

struct WeightStore::Synthetic {
    json config;
    std::map<std::string, std::string> metadata;
    TensorMaker make;
    std::mutex mutex;
    std::map<std::string, Tensor> made;
};

WeightStore WeightStore::synthetic(json config, TensorMaker make, std::map<std::string, std::string> metadata) {
    LTX2_CHECK(make != nullptr, "synthetic weight store: no tensor maker given");
    WeightStore store;
    store.path_ = "<synthetic weights>";
    store.synthetic_ = std::make_shared<Synthetic>();
    store.synthetic_->config = std::move(config);
    store.synthetic_->make = std::move(make);
    store.synthetic_->metadata = std::move(metadata);
    return store;
}

std::vector<std::pair<std::string, Tensor>> WeightStore::synthesized() const {
    LTX2_CHECK(synthetic_ != nullptr, "{}: not a synthetic weight store", describe());
    std::lock_guard lock(synthetic_->mutex);
    return {synthetic_->made.begin(), synthetic_->made.end()};
}

WeightStore WeightStore::open_mapped(const std::string& path, const KeyMapper& component_name) {
    LTX2_CHECK(component_name != nullptr, "{}: no name mapping given", path);
    WeightStore store = open(path);
    std::vector<std::pair<std::string, Source>> mapped;
    for (auto& [key, src] : store.by_name_) {
        std::string name = component_name(key);
        if (!name.empty()) mapped.emplace_back(std::move(name), std::move(src));
    }
    std::sort(mapped.begin(), mapped.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    for (size_t i = 1; i < mapped.size(); ++i)
        LTX2_CHECK(mapped[i].first != mapped[i - 1].first, "{}: tensors '{}' and '{}' both map to '{}'", path,
                   mapped[i - 1].second.key, mapped[i].second.key, mapped[i].first);
    store.by_name_ = std::move(mapped);
    return store;
}

WeightStore WeightStore::open(const std::string& path, const std::string& prefix) {
    WeightStore store;
    store.prefix_ = prefix;
    store.path_ = path;

    std::vector<std::pair<std::string, std::shared_ptr<SafetensorsFile>>> keys;
    if (path.ends_with(".json")) {
        keys = open_index(path, store.files_);
    } else if (path.ends_with(".gguf")) {
        store.gguf_ = GgufSource::open(path);
        for (const auto& t : store.gguf_->file().tensors()) keys.emplace_back(t.name, nullptr);
    } else {
        auto file = SafetensorsFile::open(path);
        store.files_.push_back(file);
        for (const auto& e : file->entries()) keys.emplace_back(e.name, file);
    }
    std::erase_if(keys, [](const auto& k) {
        if (!k.second || !is_storage_marker(k.first)) return false;
        check_storage_marker(*k.second, k.first);
        return true;
    });

    store.prefix_present_ =
        !prefix.empty() && std::any_of(keys.begin(), keys.end(), [&](const auto& k) { return k.first.starts_with(prefix); });
    for (auto& [key, file] : keys) {
        if (store.prefix_present_ && !key.starts_with(prefix)) continue;
        std::string name = store.prefix_present_ ? key.substr(prefix.size()) : key;
        store.by_name_.emplace_back(std::move(name), Source{file, key});
    }
    std::sort(store.by_name_.begin(), store.by_name_.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    return store;
}

const WeightStore::Source* WeightStore::lookup(const std::string& name) const {
    auto it = std::lower_bound(by_name_.begin(), by_name_.end(), name,
                               [](const auto& entry, const std::string& n) { return entry.first < n; });
    return it != by_name_.end() && it->first == name ? &it->second : nullptr;
}

std::string WeightStore::key_for(const std::string& name) const { return prefix_present_ ? prefix_ + name : name; }

bool WeightStore::has(const std::string& name) const {
    if (synthetic_) {
        std::lock_guard lock(synthetic_->mutex);
        return synthetic_->made.count(name) != 0;
    }
    return lookup(name) != nullptr;
}

void WeightStore::mark_used(const std::string& name) const {
    std::lock_guard lock(*used_mutex_);
    used_->insert(name);
}

Tensor WeightStore::get(const std::string& name, WeightArena* arena) const {
    if (synthetic_) {
        std::lock_guard lock(synthetic_->mutex);
        auto it = synthetic_->made.find(name);
        if (it != synthetic_->made.end()) return it->second;
        // A buffer whose size the file decides (e.g. a filter's taps): the maker knows it or throws.
        Tensor t = synthetic_->make(name, {});
        LTX2_CHECK(t.defined(), "{}: tensor '{}' was requested without a shape before it was created", describe(),
                   name);
        return synthetic_->made.emplace(name, std::move(t)).first->second;
    }
    const Source* src = lookup(name);
    if (!src) {
        std::string where;
        if (prefix_present_)
            where = fmt::format(" (looked for it under prefix '{}')", prefix_);
        else if (!prefix_.empty())
            where = fmt::format(" (the files hold no keys under prefix '{}', so plain names are used)", prefix_);
        fail("{}: tensor '{}' is missing{}", describe(), key_for(name), where);
    }
    mark_used(name);
    if (auto it = overrides_.find(name); it != overrides_.end()) return it->second;
    Tensor t = read(name, *src, arena);
    check_finite_once(name, *src, t);
    return t;
}

// Each tensor is scanned the first time it is read (a streamed transformer reads its layers again
// every step; the file does not change under the mapping).
void WeightStore::check_finite_once(const std::string& name, const Source& src, const Tensor& t) const {
    {
        std::lock_guard lock(*used_mutex_);
        if (finite_checked_->count(name)) return;
    }
    require_finite_weight(t, file_path(src), src.key);
    std::lock_guard lock(*used_mutex_);
    finite_checked_->insert(name);
}

Tensor WeightStore::read(const std::string& name, const Source& src, WeightArena* arena) const {
    if (gguf_) return gguf_->tensor(src.key, arena);
    const TensorEntry* e = src.file->find(src.key);
    return is_float8(e->dtype) ? decode_float8(name, src, arena) : src.file->tensor(src.key);
}

const WeightStore::Source* WeightStore::float8_scale(const std::string& name, const Source& src) const {
    const std::string scale = scale_name(name, "weight_scale");
    const std::string_view stored = dtype_name(src.file->find(src.key)->dtype);
    if (scale.empty())
        fail("{}: tensor '{}' is stored as {}; float8 is supported only for '.weight' tensors with a float32 "
             "'.weight_scale' beside them (the official fp8 layout)",
             file_path(src), src.key, stored);
    const Source* scale_src = lookup(scale);
    if (!scale_src)
        fail("{}: tensor '{}' is stored as {} but the file has no scale '{}' for it (fp8 checkpoints need a float32 "
             "per-tensor weight_scale beside each float8 weight)",
             file_path(src), src.key, stored, key_for(scale));
    return scale_src;
}

// Official fp8 checkpoints: float8_e4m3fn weights with a float32 per-tensor `weight_scale`
// (dequantized weight = float(w) · weight_scale) and an `input_scale` that only serves fp8
// activation GEMMs; activations stay in bf16/f32 here, so it is accepted and left unused.
Tensor WeightStore::decode_float8(const std::string& name, const Source& src, WeightArena* arena) const {
    const Source* scale_src = float8_scale(name, src);
    const Tensor s = scale_src->file->tensor(scale_src->key);
    LTX2_CHECK(s.numel() == 1 && (s.dtype() == DType::F32 || s.dtype() == DType::BF16 || s.dtype() == DType::F16),
               "{}: scale '{}' must be a single float (F32/BF16/F16), got {} of shape {}", file_path(*scale_src),
               scale_src->key, dtype_name(s.dtype()), shape_str(s.shape()));
    const float factor = s.to_vector()[0];
    LTX2_CHECK(std::isfinite(factor), "{}: scale '{}' is not finite ({})", file_path(*scale_src), scale_src->key,
               factor);
    mark_scales_used(name);

    const Tensor w = src.file->tensor(src.key);
    Tensor out = arena ? arena->allocate(w.shape(), DType::BF16) : Tensor::empty(w.shape(), DType::BF16, Device::Cpu);
    decode_fp8_into(w, factor, out);
    return out;
}

bool WeightStore::decodes(const std::string& name) const {
    if (overrides_.count(name)) return false;
    const Source* src = lookup(name);
    if (!src) return false;
    if (gguf_) return gguf_->decodes(src->key);
    return src->file && is_float8(src->file->find(src->key)->dtype);
}

size_t WeightStore::source_bytes(const Source& src) const {
    if (gguf_) return gguf_->file().info(src.key).nbytes;
    const TensorEntry* e = src.file->find(src.key);
    return e->end - e->begin;
}

size_t WeightStore::stored_bytes(const std::string& name_prefix) const {
    size_t n = 0;
    for (const auto& [name, src] : by_name_)
        if (name.starts_with(name_prefix)) n += source_bytes(src);
    return n;
}

size_t WeightStore::decoded_bytes(const std::string& name_prefix) const {
    size_t n = 0;
    for (const auto& [name, src] : by_name_)
        if (name.starts_with(name_prefix) && decodes(name)) n += size_t(shape_numel(stored_shape(src))) * 2;
    return n;
}

const std::string& WeightStore::file_path(const Source& src) const { return gguf_ ? gguf_->path() : src.file->path(); }

Shape WeightStore::stored_shape(const Source& src) const {
    return gguf_ ? gguf_->shape(src.key) : src.file->find(src.key)->shape;
}

void WeightStore::override_tensor(const std::string& name, Tensor t) {
    const Source* src = lookup(name);
    LTX2_CHECK(src != nullptr, "{}: cannot override tensor '{}': the store holds no such tensor", describe(),
               key_for(name));
    LTX2_CHECK(t.defined(), "{}: cannot override tensor '{}' with an undefined tensor", describe(), src->key);
    const Shape shape = stored_shape(*src);
    LTX2_CHECK(t.shape() == shape, "{}: cannot override tensor '{}' of shape {} with one of shape {}", describe(),
               src->key, shape_str(shape), shape_str(t.shape()));
    overrides_[name] = std::move(t);
}

Tensor WeightStore::get(const std::string& name, const Shape& expected_shape, WeightArena* arena) const {
    if (synthetic_) {
        std::lock_guard lock(synthetic_->mutex);
        auto it = synthetic_->made.find(name);
        if (it == synthetic_->made.end()) {
            Tensor t = synthetic_->make(name, expected_shape);
            LTX2_CHECK(t.defined() && t.shape() == expected_shape, "{}: the maker returned no tensor of shape {} for '{}'",
                       describe(), shape_str(expected_shape), name);
            it = synthetic_->made.emplace(name, std::move(t)).first;
        }
        LTX2_CHECK(it->second.shape() == expected_shape, "{}: tensor '{}' was created with shape {}, now requested as {}",
                   describe(), name, shape_str(it->second.shape()), shape_str(expected_shape));
        return it->second;
    }
    verify(name, expected_shape);
    return get(name, arena);
}

void WeightStore::verify(const std::string& name, const Shape& expected_shape) const {
    const Source* src = lookup(name);
    if (!src) {
        (void)get(name);  // the missing-tensor error
        return;
    }
    Shape shape;
    DType dtype = DType::BF16;  // GGUF tensors: floats or blocks that decode to BF16
    if (auto it = overrides_.find(name); it != overrides_.end()) {
        shape = it->second.shape();
        dtype = it->second.dtype();
    } else {
        shape = stored_shape(*src);
        if (!gguf_) dtype = src->file->find(src->key)->dtype;
    }
    LTX2_CHECK(is_weight_dtype(dtype), "{}: tensor '{}' has dtype {}, expected a floating type (F32, BF16, F16, F8_E4M3, F8_E5M2)",
               file_path(*src), src->key, dtype_name(dtype));
    LTX2_CHECK(shape == expected_shape, "{}: tensor '{}' has shape {}, expected {}", file_path(*src), src->key,
               shape_str(shape), shape_str(expected_shape));
    if (is_float8(dtype) && !overrides_.count(name)) (void)float8_scale(name, *src);
}

void WeightStore::check(const std::string& name, const Shape& expected_shape) const {
    if (synthetic_) {
        (void)get(name, expected_shape);
        return;
    }
    verify(name, expected_shape);
    mark_used(name);
    if (decodes(name) && !gguf_) mark_scales_used(name);
}

void WeightStore::mark_scales_used(const std::string& name) const {
    mark_used(scale_name(name, "weight_scale"));
    if (const std::string input = scale_name(name, "input_scale"); lookup(input)) mark_used(input);
}

Tensor WeightStore::get_optional(const std::string& name, const Shape& expected_shape) const {
    if (!has(name)) return Tensor();
    return get(name, expected_shape);
}

std::vector<std::string> WeightStore::names() const {
    std::vector<std::string> out;
    if (synthetic_)
        for (const auto& [name, t] : synthesized()) out.push_back(name);
    out.reserve(by_name_.size());
    for (const auto& entry : by_name_) out.push_back(entry.first);
    return out;
}

std::vector<std::string> WeightStore::unused_names() const {
    std::lock_guard lock(*used_mutex_);
    std::vector<std::string> out;
    for (const auto& entry : by_name_)
        if (!used_->count(entry.first)) out.push_back(entry.first);
    return out;
}

std::string WeightStore::config_key() const { return gguf_ ? "ltx2.config" : "config"; }

std::optional<std::string> WeightStore::config_text() const {
    if (gguf_) return gguf_->config_text();
    return files_.empty() ? std::nullopt : files_.front()->metadata_value(config_key());
}

struct WeightStore::ConfigOverride {
    json config;
    std::optional<std::string> model_version;
};

void WeightStore::set_config(json config, std::optional<std::string> model_version) {
    config_override_ = std::make_shared<const ConfigOverride>(ConfigOverride{std::move(config), std::move(model_version)});
}

json WeightStore::config() const {
    if (config_override_) return config_override_->config;
    if (synthetic_) return synthetic_->config;
    LTX2_CHECK(gguf_ || !files_.empty(), "{}: no files", describe());
    const std::string key = config_key();
    const std::string& path = gguf_ ? gguf_->path() : files_.front()->path();
    const std::optional<std::string> text = config_text();
    LTX2_CHECK(text.has_value(), "{}: metadata has no '{}' entry", path, key);
    try {
        return json::parse(*text);
    } catch (const json::exception& e) {
        fail("{}: metadata '{}' is not valid JSON: {}", path, key, e.what());
    }
}

std::optional<std::string> WeightStore::metadata(const std::string& key) const {
    if (config_override_ && key == "model_version") return config_override_->model_version;
    if (synthetic_) {
        auto it = synthetic_->metadata.find(key);
        return it == synthetic_->metadata.end() ? std::nullopt : std::optional<std::string>(it->second);
    }
    if (gguf_) return gguf_->metadata_string("ltx2." + key);
    return files_.empty() ? std::nullopt : files_.front()->metadata_value(key);
}

bool WeightStore::has_config() const { return config_override_ || synthetic_ || config_text().has_value(); }

std::shared_ptr<const GgufFile> WeightStore::gguf_file() const {
    return gguf_ ? gguf_->shared_file() : nullptr;
}

std::optional<std::string> WeightStore::gguf_architecture() const {
    return gguf_ ? gguf_->architecture() : std::nullopt;
}

std::string WeightStore::describe() const {
    if (synthetic_ || gguf_) return path_;
    if (files_.size() == 1 && files_.front()->path() == path_) return path_;
    return fmt::format("{} ({} shards)", path_, files_.size());
}

void WeightStore::advise(const std::string& name_prefix, bool need) const {
    for (const auto& [name, src] : by_name_) {
        if (!name.starts_with(name_prefix) || overrides_.count(name)) continue;
        if (gguf_) {
            gguf_->advise(src.key, need);
            continue;
        }
        const TensorEntry* e = src.file->find(src.key);
        const size_t offset = src.file->data_offset() + e->begin;
        if (need)
            src.file->mapping()->will_need(offset, e->end - e->begin);
        else
            src.file->mapping()->dont_need(offset, e->end - e->begin);
    }
}

void WeightStore::prefetch(const std::string& name_prefix) const { advise(name_prefix, true); }
void WeightStore::release(const std::string& name_prefix) const { advise(name_prefix, false); }

}  // namespace ltx2
