#pragma once
// Weights by official name, from one safetensors file or a sharded set
// (*.safetensors.index.json). Models ask for tensors by their module path; the store maps
// that to the key in the file (e.g. adds `model.diffusion_model.`), checks shape and dtype,
// and hands out zero-copy views. Quantized formats and streaming hook in here, not in models.
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/tensor.h"
#include "core/weight_arena.h"
#include "io/gguf_source.h"
#include "io/safetensors.h"

namespace ltx2 {

class WeightStore {
public:
    // path: a .safetensors file, a .safetensors.index.json or a .gguf file written by
    // ltx2-quantize (checkpoint names and shapes; quantized tensors come dequantized to BF16,
    // config() reads its `ltx2.config`). `prefix` is the official key
    // prefix of the component (e.g. "model.diffusion_model."); keys without it are also
    // accepted when the file holds none with it (a component-only file).
    static WeightStore open(const std::string& path, const std::string& prefix = "");
    // A file in another naming scheme (e.g. llama.cpp's for Gemma): `component_name` maps each
    // key of the file to the name models ask for, or to "" to leave the tensor out.
    using KeyMapper = std::function<std::string(const std::string& file_key)>;
    static WeightStore open_mapped(const std::string& path, const KeyMapper& component_name);

    // A store without files whose get(name, shape) creates each tensor with `make` on first
    // request and serves it from then on: the model loaders themselves define the layout of
    // checkpoints written from it (the demo model). get(name) without a shape calls make(name, {}):
    // the maker returns the tensor whose size it knows, or an undefined one (an error naming it).
    // has() is true only for created names.
    using TensorMaker = std::function<Tensor(const std::string& name, const Shape& shape)>;
    static WeightStore synthetic(nlohmann::json config, TensorMaker make,
                                 std::map<std::string, std::string> metadata = {});
    // The tensors a synthetic store created, sorted by name.
    std::vector<std::pair<std::string, Tensor>> synthesized() const;

    // Raw key lookup (after prefix mapping). Throws naming file and tensor when missing, and
    // (the first time a tensor is read) when it holds a NaN or infinity, naming the element.
    // Tensors stored as they are computed with (F32/BF16/F16) come as zero-copy views of the
    // mapping; GGUF block-quantized ones and float8 ones (scaled by their `.weight_scale`) come
    // decoded to BF16, into `arena` when one is given (the caller streams layer by layer), else
    // as owned copies.
    bool has(const std::string& name) const;
    Tensor get(const std::string& name, WeightArena* arena = nullptr) const;
    // Checked: exact shape, and a floating dtype. Error: "FILE: tensor 'KEY' has shape X, expected Y".
    Tensor get(const std::string& name, const Shape& expected_shape, WeightArena* arena = nullptr) const;
    Tensor get_optional(const std::string& name, const Shape& expected_shape) const;  // undefined if absent
    // What get(name, shape) checks (presence, shape, dtype, a float8 weight's scale) without
    // reading or decoding data; counts as a use. For models that materialize layers later.
    void check(const std::string& name, const Shape& expected_shape) const;
    // Whether get(name) decodes into a copy (quantized or float8 storage) rather than a view.
    bool decodes(const std::string& name) const;
    // Bytes stored in the files for every tensor under a name prefix, and the bytes of the BF16
    // copies get() would make of them (0 when all are views).
    size_t stored_bytes(const std::string& name_prefix) const;
    size_t decoded_bytes(const std::string& name_prefix) const;

    // Every component name (prefix stripped) the files hold under this component.
    std::vector<std::string> names() const;
    // Names that were never requested through get(): to report unexpected tensors.
    std::vector<std::string> unused_names() const;
    // The `config` JSON of the (first) file's metadata (`ltx2.config` in a GGUF); throws if
    // absent or malformed.
    nlohmann::json config() const;
    bool has_config() const;
    // A string entry of the (first) file's metadata (a GGUF's `ltx2.KEY`), e.g. "model_version".
    std::optional<std::string> metadata(const std::string& key) const;
    // Serves `config` (and `model_version`, when given) instead of what the files' metadata says:
    // for component files that carry no config of their own (the configuration then comes from
    // the official checkpoint, or from the release's known one). Per object, like overrides.
    void set_config(nlohmann::json config, std::optional<std::string> model_version);
    // Whether config() comes from set_config rather than the files.
    bool config_is_set() const { return config_override_ != nullptr; }

    // For a GGUF store: `general.architecture` (nullopt when absent, and for safetensors), and
    // the file itself (null for safetensors).
    std::optional<std::string> gguf_architecture() const;
    std::shared_ptr<const GgufFile> gguf_file() const;
    std::string describe() const;  // the file path(s), for messages

    // Serves `t` in place of the file's tensor `name` (a name the store already holds; it
    // keeps its shape). For fused LoRA weights: models load through get() unchanged. The
    // override is per WeightStore object (copies made afterwards share it).
    void override_tensor(const std::string& name, Tensor t);
    bool is_overridden(const std::string& name) const { return overrides_.count(name) != 0; }

    // Residency hints for everything under a name prefix (e.g. "transformer_blocks.3.").
    void prefetch(const std::string& name_prefix) const;
    void release(const std::string& name_prefix) const;

private:
    struct Source {
        std::shared_ptr<SafetensorsFile> file;  // null in a GGUF store
        std::string key;                        // full key in the file
    };
    const Source* lookup(const std::string& name) const;
    std::string key_for(const std::string& name) const;  // the full key a name maps to
    void mark_used(const std::string& name) const;
    void mark_scales_used(const std::string& float8_weight) const;
    void advise(const std::string& name_prefix, bool need) const;
    const std::string& file_path(const Source& src) const;
    Shape stored_shape(const Source& src) const;  // the checkpoint shape
    size_t source_bytes(const Source& src) const;
    Tensor read(const std::string& name, const Source& src, WeightArena* arena) const;
    void check_finite_once(const std::string& name, const Source& src, const Tensor& t) const;
    void verify(const std::string& name, const Shape& expected_shape) const;
    std::string config_key() const;                 // the metadata key holding the config
    std::optional<std::string> config_text() const;  // its text, if the file has it
    const Source* float8_scale(const std::string& name, const Source& src) const;  // throws when absent
    Tensor decode_float8(const std::string& name, const Source& src, WeightArena* arena) const;
    std::string path_;            // as given to open(): the file or the index
    std::string prefix_;
    bool prefix_present_ = false;  // the files hold keys under prefix_; else plain names are used
    std::vector<std::shared_ptr<SafetensorsFile>> files_;
    std::shared_ptr<GgufSource> gguf_;  // set instead of files_ for a .gguf file
    std::vector<std::pair<std::string, Source>> by_name_;  // sorted by name
    std::map<std::string, Tensor> overrides_;               // name -> tensor served instead of the file's
    struct ConfigOverride;
    std::shared_ptr<const ConfigOverride> config_override_;  // set_config
    std::shared_ptr<std::set<std::string>> used_ = std::make_shared<std::set<std::string>>();  // shared by copies
    std::shared_ptr<std::set<std::string>> finite_checked_ = std::make_shared<std::set<std::string>>();  // shared by copies
    std::shared_ptr<std::mutex> used_mutex_ = std::make_shared<std::mutex>();
    struct Synthetic;
    std::shared_ptr<Synthetic> synthetic_;  // set for synthetic stores (shared by copies)
};

}  // namespace ltx2
