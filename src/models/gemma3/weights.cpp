#include "models/gemma3/weights.h"

#include <filesystem>

#include <fmt/format.h>

#include "core/error.h"
#include "ops/weights.h"
#include "models/gemma3/gguf_names.h"
#include "models/weight_loader.h"

namespace ltx2 {

namespace {

namespace fs = std::filesystem;

// Tensors of the multimodal checkpoint that the text model does not use.
const std::vector<std::string> kForeignPrefixes = {"vision_tower.", "multi_modal_projector.", "lm_head."};

// Hugging Face checkpoints: tensors from the store. llama.cpp GGUFs: the store checks names and
// shapes (the base loader runs shapes-only) and the data comes from the file, decoded as needed.
class Loader : public ModelWeightLoader {
public:
    Loader(const WeightStore& store, Precision precision, const GgufFile* gguf = nullptr,
           WeightArena* arena = nullptr, bool shapes_only = false)
        : ModelWeightLoader(store, nullptr, gguf ? Mode::ShapesOnly : Mode::Tensors),
          precision_(precision),
          gguf_(gguf),
          gguf_arena_(arena),
          shapes_only_(shapes_only) {}

    Tensor matrix(const std::string& name, int64_t out, int64_t in) {
        const DType compute = precision_ == Precision::F32 ? DType::F32 : DType::BF16;
        if (gguf_) return from_gguf(name + ".weight", {out, in}, compute);
        Tensor t = get(name + ".weight", {out, in});
        return precision_ == Precision::F32 ? t.to(DType::F32) : t;
    }

    // Gemma's RMSNorm scales by (1 + w), computed in float32. llama.cpp stores 1 + w.
    Tensor norm(const std::string& name, int64_t width) {
        if (gguf_) return from_gguf(name + ".weight", {width}, DType::F32);
        std::vector<float> w = get(name + ".weight", {width}).to_vector();
        for (float& x : w) x = 1.0f + x;
        return Tensor::from_f32({width}, w);
    }

    // The table as stored; GGUF tables as their raw view, rows decoded on lookup.
    Tensor embedding(int64_t vocab, int64_t width) {
        const std::string name = "embed_tokens.weight";
        if (!gguf_) return get(name, {vocab, width});
        require(name);
        (void)get(name, {vocab, width});
        return gguf_->raw(gemma3_llama_cpp_name(name));
    }

private:
    void require(const std::string& name) const {
        if (!store_.has(name))
            fail("{}: tensor '{}' is missing (Gemma 3's '{}' in llama.cpp's naming)", gguf_->path(),
                 gemma3_llama_cpp_name(name), name);
    }

    // F32 tensors and tensors already in `want` are views of the mapping; the others decoded.
    Tensor from_gguf(const std::string& name, const Shape& shape, DType want) {
        require(name);
        (void)get(name, shape);  // shape check, counted as used
        if (shapes_only_) return Tensor();
        const GgufTensorInfo& info = gguf_->info(gemma3_llama_cpp_name(name));
        if (info.type == GgmlType::F32 || (info.type == GgmlType::BF16 && want == DType::BF16))
            return gguf_->raw(info.name);
        Tensor t = gguf_arena_ ? gguf_arena_->allocate(shape, want) : Tensor::empty(shape, want);
        decode_ggml_into(info.type, gguf_->stored_bytes(info), t);
        return t;
    }

    Precision precision_;
    const GgufFile* gguf_;
    WeightArena* gguf_arena_;
    bool shapes_only_;
};

std::string find_weights_file(const std::string& path) {
    std::error_code ec;
    if (!fs::is_directory(path, ec)) return path;
    for (const char* name : {"model.safetensors.index.json", "model.safetensors"}) {
        const fs::path p = fs::path(path) / name;
        if (fs::exists(p, ec)) return p.string();
    }
    fail("{}: no model.safetensors or model.safetensors.index.json in the Gemma 3 folder", path);
}

}  // namespace

std::string gemma3_layer_prefix(int layer) { return fmt::format("layers.{}.", layer); }

WeightStore open_gemma3_weights(const std::string& path) {
    const std::string file = find_weights_file(path);
    const WeightStore plain = WeightStore::open(file);
    for (const char* prefix : {"language_model.model.", "model.language_model.", "model."})
        if (plain.has(std::string(prefix) + "embed_tokens.weight")) return WeightStore::open(file, prefix);
    // Plain names, or none of the known layouts: the load names what is missing.
    return plain.has("embed_tokens.weight") ? plain : WeightStore::open(file, "language_model.model.");
}

namespace {

Gemma3LayerWeights load_layer(Loader& l, const Gemma3Config& c, int i) {
    const int64_t hidden = c.hidden_size, inter = c.intermediate_size;
    const std::string p = gemma3_layer_prefix(i);
    Gemma3LayerWeights lw;
    lw.q_proj = l.matrix(p + "self_attn.q_proj", c.q_width(), hidden);
    lw.k_proj = l.matrix(p + "self_attn.k_proj", c.kv_width(), hidden);
    lw.v_proj = l.matrix(p + "self_attn.v_proj", c.kv_width(), hidden);
    lw.o_proj = l.matrix(p + "self_attn.o_proj", hidden, c.q_width());
    lw.q_norm = l.norm(p + "self_attn.q_norm", c.head_dim);
    lw.k_norm = l.norm(p + "self_attn.k_norm", c.head_dim);
    lw.input_norm = l.norm(p + "input_layernorm", hidden);
    lw.post_attention_norm = l.norm(p + "post_attention_layernorm", hidden);
    lw.pre_feedforward_norm = l.norm(p + "pre_feedforward_layernorm", hidden);
    lw.post_feedforward_norm = l.norm(p + "post_feedforward_layernorm", hidden);
    lw.gate_proj = l.matrix(p + "mlp.gate_proj", inter, hidden);
    lw.up_proj = l.matrix(p + "mlp.up_proj", inter, hidden);
    lw.down_proj = l.matrix(p + "mlp.down_proj", hidden, inter);
    return lw;
}

}  // namespace

Gemma3Weights load_gemma3_weights(const WeightStore& store, const Gemma3Config& c, Precision precision,
                                  const GgufFile* llama_cpp) {
    Loader l(store, precision, llama_cpp);
    Loader shapes(store, precision, llama_cpp, nullptr, true);
    Gemma3Weights w;
    w.embed_tokens = l.embedding(c.vocab_size, c.hidden_size);
    if (llama_cpp) w.embed_ggml = llama_cpp->ggml_matrix(gemma3_llama_cpp_name("embed_tokens.weight"));
    w.final_norm = l.norm("norm", c.hidden_size);
    w.streamed = llama_cpp != nullptr;
    for (int i = 0; i < c.num_hidden_layers; ++i) {
        if (w.streamed)
            (void)load_layer(shapes, c, i);
        else
            w.layers.push_back(load_layer(l, c, i));
    }

    l.reject_unused(kForeignPrefixes, fmt::format("a {}-layer Gemma 3 text model", c.num_hidden_layers));
    w.tensor_count = l.count() + shapes.count();
    return w;
}

Gemma3LayerWeights load_gemma3_layer(const WeightStore& store, const Gemma3Config& config, int layer,
                                     Precision precision, const GgufFile& llama_cpp, WeightArena& arena) {
    Loader l(store, precision, &llama_cpp, &arena);
    return load_layer(l, config, layer);
}

}  // namespace ltx2
