#include "models/gemma3/gguf_config.h"

#include <cmath>
#include <string>

#include <fmt/format.h>

#include "core/error.h"

namespace ltx2 {

namespace {

constexpr const char* kArchitecture = "gemma3";

std::string meta_key(const std::string& name) { return std::string(kArchitecture) + "." + name; }

// Metadata under "gemma3.", with messages naming the file and the key.
class Keys {
public:
    explicit Keys(const GgufFile& file) : f_(file) {}

    std::string key(const std::string& name) const { return meta_key(name); }
    bool has(const std::string& name) const { return f_.has_key(key(name)); }

    int64_t positive(const std::string& name) const {
        LTX2_CHECK(has(name), "{}: metadata key '{}' is missing (llama.cpp writes it for every Gemma 3 GGUF)",
                   f_.path(), key(name));
        const uint32_t v = f_.get_u32(key(name));
        LTX2_CHECK(v > 0, "{}: metadata key '{}' is 0, expected a positive integer", f_.path(), key(name));
        return v;
    }
    int64_t positive(const std::string& name, int64_t fallback) const { return has(name) ? positive(name) : fallback; }

    // The float32 as the decimal it was written from (1e-6f -> 1e-6, not 9.99999997e-7), so
    // that settings compare equal to the 12B ones.
    double real(const std::string& name, double fallback) const {
        if (!has(name)) return fallback;
        const float v = f_.get_f32(key(name));
        LTX2_CHECK(v > 0 && std::isfinite(v), "{}: metadata key '{}' is {}, expected a positive number", f_.path(),
                   key(name), v);
        return std::stod(fmt::format("{}", v));
    }

private:
    const GgufFile& f_;
};

}  // namespace

Gemma3Config gemma3_config_from_gguf(const GgufFile& file) {
    const std::string& path = file.path();
    LTX2_CHECK(file.has_key("general.architecture"),
               "{}: metadata key 'general.architecture' is missing (expected \"{}\", a Gemma 3 GGUF made by llama.cpp)",
               path, kArchitecture);
    const std::string arch = file.get_string("general.architecture");
    LTX2_CHECK(arch == kArchitecture,
               "{}: general.architecture is \"{}\", expected \"{}\" (the text encoder must be a Gemma 3 GGUF, e.g. "
               "gemma-3-12b-it converted by llama.cpp)",
               path, arch, kArchitecture);
    const Keys k(file);
    Gemma3Config c;
    c.hidden_size = int(k.positive("embedding_length"));
    c.num_hidden_layers = int(k.positive("block_count"));
    c.intermediate_size = int(k.positive("feed_forward_length"));
    c.num_attention_heads = int(k.positive("attention.head_count"));
    c.num_key_value_heads = int(k.positive("attention.head_count_kv", c.num_attention_heads));
    c.head_dim = int(k.positive("attention.key_length", c.hidden_size / c.num_attention_heads));
    if (k.has("attention.value_length"))
        LTX2_CHECK(k.positive("attention.value_length") == c.head_dim,
                   "{}: metadata '{}' ({}) differs from '{}' ({}): Gemma 3 has one head size", path,
                   k.key("attention.value_length"), k.positive("attention.value_length"),
                   k.key("attention.key_length"), c.head_dim);
    c.rms_norm_eps = k.real("attention.layer_norm_rms_epsilon", c.rms_norm_eps);
    c.rope_theta = k.real("rope.freq_base", c.rope_theta);
    c.sliding_window = k.positive("attention.sliding_window");
    c.max_position_embeddings = k.positive("context_length", c.max_position_embeddings);

    const std::string scaling = k.has("rope.scaling.type") ? file.get_string(k.key("rope.scaling.type")) : "none";
    if (scaling == "linear")
        c.rope_linear_factor = k.real("rope.scaling.factor", 1.0);
    else
        LTX2_CHECK(scaling == "none", "{}: metadata '{}' is \"{}\": only \"linear\" (or none) is supported", path,
                   k.key("rope.scaling.type"), scaling);

    if (k.has("attention.scale")) {
        const double scale = k.real("attention.scale", 1.0);
        c.query_pre_attn_scalar = 1.0 / (scale * scale);
    } else {
        c.query_pre_attn_scalar =
            c.num_hidden_layers == 62 ? double(c.hidden_size / c.num_attention_heads) : double(c.head_dim);
    }
    c.rope_local_base_freq = 10000.0;
    c.layer_types = gemma3_layer_pattern(c.num_hidden_layers, 6);

    const GgufTensorInfo* embedding = file.find("token_embd.weight");
    LTX2_CHECK(embedding != nullptr, "{}: tensor 'token_embd.weight' (the token embedding table) is missing", path);
    LTX2_CHECK(embedding->shape.size() == 2 && embedding->shape[1] == c.hidden_size,
               "{}: tensor 'token_embd.weight' has shape {}, expected (vocabulary, {})", path,
               shape_str(embedding->shape), c.hidden_size);
    c.vocab_size = embedding->shape[0];

    LTX2_CHECK(c.num_attention_heads % c.num_key_value_heads == 0,
               "{}: metadata '{}' ({}) is not divisible by '{}' ({})", path, k.key("attention.head_count"),
               c.num_attention_heads, k.key("attention.head_count_kv"), c.num_key_value_heads);
    LTX2_CHECK(c.head_dim % 2 == 0, "{}: metadata '{}' is {}, expected an even number (rotary embeddings rotate halves)",
               path, k.key("attention.key_length"), c.head_dim);
    return c;
}

void set_gemma3_gguf_metadata(GgufWriter& w, const Gemma3Config& c) {
    LTX2_CHECK(c.layer_types.empty() || c.layer_types == gemma3_layer_pattern(c.num_hidden_layers, 6),
               "a Gemma 3 GGUF cannot record a layer pattern other than llama.cpp's (every 6th layer full)");
    LTX2_CHECK(c.rope_local_base_freq == 10000.0, "a Gemma 3 GGUF cannot record a sliding-layer rope base of {}",
               c.rope_local_base_freq);
    w.set_string("general.architecture", kArchitecture);
    w.set_u32(meta_key("context_length"), uint32_t(c.max_position_embeddings));
    w.set_u32(meta_key("embedding_length"), uint32_t(c.hidden_size));
    w.set_u32(meta_key("block_count"), uint32_t(c.num_hidden_layers));
    w.set_u32(meta_key("feed_forward_length"), uint32_t(c.intermediate_size));
    w.set_u32(meta_key("attention.head_count"), uint32_t(c.num_attention_heads));
    w.set_u32(meta_key("attention.head_count_kv"), uint32_t(c.num_key_value_heads));
    w.set_u32(meta_key("attention.key_length"), uint32_t(c.head_dim));
    w.set_u32(meta_key("attention.value_length"), uint32_t(c.head_dim));
    w.set_f32(meta_key("attention.layer_norm_rms_epsilon"), float(c.rms_norm_eps));
    w.set_f32(meta_key("rope.freq_base"), float(c.rope_theta));
    w.set_u32(meta_key("attention.sliding_window"), uint32_t(c.sliding_window));
    if (c.rope_linear_factor != 1.0) {
        w.set_string(meta_key("rope.scaling.type"), "linear");
        w.set_f32(meta_key("rope.scaling.factor"), float(c.rope_linear_factor));
    }
    const double implied = c.num_hidden_layers == 62 ? double(c.hidden_size / c.num_attention_heads) : double(c.head_dim);
    if (c.query_pre_attn_scalar != implied) w.set_f32(meta_key("attention.scale"), c.attention_scale());
}

}  // namespace ltx2
