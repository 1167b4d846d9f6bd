#pragma once
// Gemma 3 text model settings from a Hugging Face config.json: Gemma3ForConditionalGeneration
// (model_type "gemma3", settings under `text_config`) or a flat "gemma3_text" config. Omitted
// keys take Hugging Face's Gemma3TextConfig defaults; unsupported values fail naming the file
// and the key.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace ltx2 {

enum class Gemma3Attention { Sliding, Full };  // layer_types "sliding_attention" / "full_attention"

// Defaults are those of transformers 4.57's Gemma3TextConfig.__init__ (the version LTX-2 pins):
// they apply to every key a config.json omits (google/gemma-3-12b-it omits head_dim, vocab_size,
// query_pre_attn_scalar, the rope bases, rms_norm_eps, ...).
struct Gemma3Config {
    int64_t vocab_size = 262208;
    int hidden_size = 2304;
    int intermediate_size = 9216;
    int num_hidden_layers = 26;
    int num_attention_heads = 8;
    int num_key_value_heads = 4;
    int head_dim = 256;
    double query_pre_attn_scalar = 256;  // scores are scaled by its −1/2 power, not head_dim's
    double rms_norm_eps = 1e-6;
    double rope_theta = 1e6;             // full-attention layers
    double rope_linear_factor = 1.0;     // full-attention layers only (rope_scaling "linear"); 1: none
    double rope_local_base_freq = 1e4;   // sliding layers, never scaled
    int64_t sliding_window = 4096;
    int64_t max_position_embeddings = 131072;
    std::vector<Gemma3Attention> layer_types;  // one per layer; empty: the default pattern

    bool is_sliding(int layer) const;
    int q_width() const { return num_attention_heads * head_dim; }
    int kv_width() const { return num_key_value_heads * head_dim; }
    float attention_scale() const;  // query_pre_attn_scalar^(−1/2)
};

// The default layer pattern: every `pattern`-th layer (1-based) full, the others sliding.
std::vector<Gemma3Attention> gemma3_layer_pattern(int layers, int pattern = 6);

// `config` is the config.json object; `source` names the file in messages.
Gemma3Config parse_gemma3_config(const nlohmann::json& config, const std::string& source);
// Reads FOLDER/config.json, or the given .json file.
Gemma3Config load_gemma3_config(const std::string& path);

// Gemma 3 12B, the text encoder LTX-2 hard-codes (golden README section 2).
Gemma3Config gemma3_12b_config();
// How `config` differs from gemma3_12b_config(): one "key: value (12B: value)" line per
// differing setting; empty when it matches.
std::vector<std::string> check_matches_12b(const Gemma3Config& config);

}  // namespace ltx2
