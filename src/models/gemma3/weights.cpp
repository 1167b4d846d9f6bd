#include "models/gemma3/weights.h"

#include <filesystem>

#include <fmt/format.h>

#include "core/error.h"
#include "models/weight_loader.h"

namespace ltx2 {

namespace {

namespace fs = std::filesystem;

// Tensors of the multimodal checkpoint that the text model does not use.
const std::vector<std::string> kForeignPrefixes = {"vision_tower.", "multi_modal_projector.", "lm_head."};

class Loader : public ModelWeightLoader {
public:
    Loader(const WeightStore& store, Precision precision) : ModelWeightLoader(store), precision_(precision) {}

    Tensor matrix(const std::string& name, int64_t out, int64_t in) {
        Tensor t = get(name + ".weight", {out, in});
        return precision_ == Precision::F32 ? t.to(DType::F32) : t;
    }

    // Gemma's RMSNorm scales by (1 + w), computed in float32.
    Tensor norm(const std::string& name, int64_t width) {
        std::vector<float> w = get(name + ".weight", {width}).to_vector();
        for (float& x : w) x = 1.0f + x;
        return Tensor::from_f32({width}, w);
    }

private:
    Precision precision_;
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

Gemma3Weights load_gemma3_weights(const WeightStore& store, const Gemma3Config& c, Precision precision) {
    Loader l(store, precision);
    Gemma3Weights w;
    const int64_t hidden = c.hidden_size, inter = c.intermediate_size;
    w.embed_tokens = l.get("embed_tokens.weight", {c.vocab_size, hidden});
    w.final_norm = l.norm("norm", hidden);
    for (int i = 0; i < c.num_hidden_layers; ++i) {
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
        w.layers.push_back(std::move(lw));
    }

    l.reject_unused(kForeignPrefixes, fmt::format("a {}-layer Gemma 3 text model", c.num_hidden_layers));
    w.tensor_count = l.count();
    return w;
}

}  // namespace ltx2
