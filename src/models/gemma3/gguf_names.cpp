#include "models/gemma3/gguf_names.h"

#include <array>
#include <cctype>
#include <string_view>
#include <utility>

#include "core/error.h"

namespace ltx2 {

namespace {

// (llama.cpp, Hugging Face) module names: the whole name for the model-wide tensors, the part
// after "blk.N." / "layers.N." for the decoder layers. ffn_norm is Gemma's pre-feed-forward
// norm (llama.cpp's FFN_PRE_NORM shares the name), post_ffw_norm the post-feed-forward one.
constexpr std::array<std::pair<std::string_view, std::string_view>, 2> kGlobal{{
    {"token_embd", "embed_tokens"},
    {"output_norm", "norm"},
}};
constexpr std::array<std::pair<std::string_view, std::string_view>, 13> kLayer{{
    {"attn_norm", "input_layernorm"},
    {"attn_q", "self_attn.q_proj"},
    {"attn_k", "self_attn.k_proj"},
    {"attn_v", "self_attn.v_proj"},
    {"attn_output", "self_attn.o_proj"},
    {"attn_q_norm", "self_attn.q_norm"},
    {"attn_k_norm", "self_attn.k_norm"},
    {"post_attention_norm", "post_attention_layernorm"},
    {"ffn_norm", "pre_feedforward_layernorm"},
    {"ffn_gate", "mlp.gate_proj"},
    {"ffn_up", "mlp.up_proj"},
    {"ffn_down", "mlp.down_proj"},
    {"post_ffw_norm", "post_feedforward_layernorm"},
}};

constexpr std::string_view kWeight = ".weight";

// "PREFIX<digits>.REST" -> (digits, REST); false when `name` does not have that form.
bool split_layer(std::string_view name, std::string_view prefix, std::string_view& index, std::string_view& rest) {
    if (!name.starts_with(prefix)) return false;
    name.remove_prefix(prefix.size());
    const size_t dot = name.find('.');
    if (dot == 0 || dot == std::string_view::npos) return false;
    for (char c : name.substr(0, dot))
        if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    index = name.substr(0, dot);
    rest = name.substr(dot + 1);
    return true;
}

// Maps `name` (module + ".weight") through one column of the tables to the other.
std::string translate(std::string_view name, bool from_llama_cpp) {
    if (!name.ends_with(kWeight)) return {};
    const std::string_view module = name.substr(0, name.size() - kWeight.size());
    auto lookup = [&](const auto& table, std::string_view m) -> std::string_view {
        for (const auto& [llama, hf] : table)
            if ((from_llama_cpp ? llama : hf) == m) return from_llama_cpp ? hf : llama;
        return {};
    };
    if (const std::string_view g = lookup(kGlobal, module); !g.empty()) return std::string(g) + std::string(kWeight);
    std::string_view index, rest;
    if (!split_layer(module, from_llama_cpp ? "blk." : "layers.", index, rest)) return {};
    const std::string_view l = lookup(kLayer, rest);
    if (l.empty()) return {};
    return std::string(from_llama_cpp ? "layers." : "blk.") + std::string(index) + "." + std::string(l) +
           std::string(kWeight);
}

}  // namespace

std::string gemma3_name_from_llama_cpp(const std::string& gguf_key) {
    if (gguf_key == "output.weight") return {};
    const std::string hf = translate(gguf_key, true);
    return hf.empty() ? gguf_key : hf;
}

std::string gemma3_llama_cpp_name(const std::string& hf_name) {
    const std::string key = translate(hf_name, false);
    LTX2_CHECK(!key.empty(), "'{}' is not a Gemma 3 text-model tensor name", hf_name);
    return key;
}

}  // namespace ltx2
