#include "models/gemma3/config.h"

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/regular_file.h"

namespace ltx2 {

namespace {

using nlohmann::json;

// Bounds on the sizes a config may give: far above any Gemma 3 (12B: 48 layers, 3840 wide, 16
// heads of 256, 262208 tokens), low enough that nothing sized by them overflows or allocates
// gigabytes before the weights are checked against them.
constexpr int64_t kMaxCount = 1024;  // layers, heads, the sliding-window pattern
constexpr int64_t kMaxWidth = 65536;
constexpr int64_t kMaxHeadDim = 4096;
constexpr int64_t kMaxVocabulary = int64_t(1) << 24;
constexpr int64_t kMaxPositions = int64_t(1) << 30;

// Typed reads of one config object; messages name the file and the key path.
class Keys {
public:
    Keys(const json& object, const std::string& source, std::string prefix)
        : j_(object), source_(source), prefix_(std::move(prefix)) {}

    bool has(const std::string& key) const { return j_.contains(key) && !j_.at(key).is_null(); }
    const json& at(const std::string& key) const { return j_.at(key); }
    std::string name(const std::string& key) const { return prefix_ + key; }

    [[noreturn]] void bad(const std::string& key, const std::string& expected) const {
        fail("{}: config key '{}' is {}, expected {}", source_, name(key), j_.at(key).dump(), expected);
    }

    // A whole number in [1, max], checked before anything is sized by it.
    int64_t integer(const std::string& key, int64_t fallback, int64_t max) const {
        if (!has(key)) return fallback;
        const json& v = j_.at(key);
        if (!v.is_number() || v.is_boolean() || v.get<double>() != std::floor(v.get<double>()) ||
            v.get<double>() < 1 || v.get<double>() > double(max))
            bad(key, fmt::format("a positive integer up to {}", max));
        return int64_t(v.get<double>());
    }

    double positive(const std::string& key, double fallback) const {
        if (!has(key)) return fallback;
        const json& v = j_.at(key);
        if (!v.is_number() || v.is_boolean() || !(v.get<double>() > 0) || !std::isfinite(v.get<double>()))
            bad(key, "a positive number");
        return v.get<double>();
    }

    std::string text(const std::string& key, const std::string& fallback) const {
        if (!has(key)) return fallback;
        if (!j_.at(key).is_string()) bad(key, "a string");
        return j_.at(key).get<std::string>();
    }

    // A feature this engine does not implement must be off (absent, null or false).
    void require_unset(const std::string& key, const std::string& why) const {
        if (has(key) && j_.at(key) != json(false))
            fail("{}: config key '{}' is {}: {} is not supported (expected null)", source_, name(key),
                 j_.at(key).dump(), why);
    }

    // A rope_scaling-style object: returns the linear factor (1 for "default" / none).
    double rope_factor(const std::string& key, bool scaling_allowed) const {
        if (!has(key)) return 1.0;
        const json& v = j_.at(key);
        if (!v.is_object()) bad(key, "an object or null");
        const Keys r(v, source_, name(key) + ".");
        const std::string type = r.text("rope_type", r.text("type", "default"));
        if (type == "default") return 1.0;
        if (type != "linear" || !scaling_allowed)
            fail("{}: config key '{}' has rope type '{}': only {} is supported", source_, name(key), type,
                 scaling_allowed ? "'linear' (or none)" : "'default'");
        if (!r.has("factor")) fail("{}: config key '{}.factor' is missing for linear rope scaling", source_, name(key));
        return r.positive("factor", 1.0);
    }

    Keys object(const std::string& key) const {
        if (!j_.at(key).is_object()) bad(key, "an object");
        return Keys(j_.at(key), source_, name(key) + ".");
    }

private:
    const json& j_;
    const std::string& source_;
    std::string prefix_;
};

std::vector<Gemma3Attention> parse_layer_types(const Keys& k, int layers) {
    const json& v = k.at("layer_types");
    if (!v.is_array() || v.size() != size_t(layers))
        k.bad("layer_types", fmt::format("a list of {} layer types (one per layer)", layers));
    std::vector<Gemma3Attention> out;
    for (const json& t : v) {
        if (t == "sliding_attention")
            out.push_back(Gemma3Attention::Sliding);
        else if (t == "full_attention")
            out.push_back(Gemma3Attention::Full);
        else
            k.bad("layer_types", "entries \"sliding_attention\" or \"full_attention\"");
    }
    return out;
}

// transformers 5 writes the rope settings per layer type under `rope_parameters`.
void parse_rope_parameters(const Keys& k, Gemma3Config& c) {
    const Keys p = k.object("rope_parameters");
    if (p.has("full_attention")) {
        const Keys full = p.object("full_attention");
        c.rope_theta = full.positive("rope_theta", c.rope_theta);
        c.rope_linear_factor = p.rope_factor("full_attention", true);
    }
    if (p.has("sliding_attention")) {
        const Keys sliding = p.object("sliding_attention");
        c.rope_local_base_freq = sliding.positive("rope_theta", c.rope_local_base_freq);
        p.rope_factor("sliding_attention", false);
    }
}

std::string number_text(double v) { return fmt::format("{}", v); }

}  // namespace

bool Gemma3Config::is_sliding(int layer) const {
    if (layer_types.empty()) return (layer + 1) % 6 != 0;
    return layer_types.at(size_t(layer)) == Gemma3Attention::Sliding;
}

float Gemma3Config::attention_scale() const { return float(std::pow(query_pre_attn_scalar, -0.5)); }

std::vector<Gemma3Attention> gemma3_layer_pattern(int layers, int pattern) {
    std::vector<Gemma3Attention> out;
    for (int i = 0; i < layers; ++i)
        out.push_back((i + 1) % pattern == 0 ? Gemma3Attention::Full : Gemma3Attention::Sliding);
    return out;
}

Gemma3Config parse_gemma3_config(const json& config, const std::string& source) {
    LTX2_CHECK(config.is_object(), "{}: expected a JSON object, got {}", source, config.type_name());
    const Keys top(config, source, "");
    const std::string model_type = top.text("model_type", "");
    if (model_type.empty()) fail("{}: config key 'model_type' is missing (expected \"gemma3\" or \"gemma3_text\")", source);
    static const json kEmpty = json::object();
    const json* text = &config;
    std::string prefix;
    if (model_type == "gemma3") {
        text = top.has("text_config") ? &config.at("text_config") : &kEmpty;  // absent: all defaults
        if (!text->is_object()) top.bad("text_config", "an object");
        prefix = "text_config.";
    } else if (model_type != "gemma3_text") {
        top.bad("model_type", "\"gemma3\" or \"gemma3_text\" (a Gemma 3 model)");
    }
    const Keys k(*text, source, prefix);
    if (k.has("model_type") && k.text("model_type", "") != "gemma3_text") k.bad("model_type", "\"gemma3_text\"");

    Gemma3Config c;
    c.vocab_size = k.integer("vocab_size", c.vocab_size, kMaxVocabulary);
    c.hidden_size = int(k.integer("hidden_size", c.hidden_size, kMaxWidth));
    c.intermediate_size = int(k.integer("intermediate_size", c.intermediate_size, kMaxWidth * 16));
    c.num_hidden_layers = int(k.integer("num_hidden_layers", c.num_hidden_layers, kMaxCount));
    c.num_attention_heads = int(k.integer("num_attention_heads", c.num_attention_heads, kMaxCount));
    c.num_key_value_heads = int(k.integer("num_key_value_heads", c.num_key_value_heads, kMaxCount));
    c.head_dim = int(k.integer("head_dim", c.head_dim, kMaxHeadDim));
    c.query_pre_attn_scalar = k.positive("query_pre_attn_scalar", c.query_pre_attn_scalar);
    c.rms_norm_eps = k.positive("rms_norm_eps", c.rms_norm_eps);
    c.rope_theta = k.positive("rope_theta", c.rope_theta);
    c.rope_local_base_freq = k.positive("rope_local_base_freq", c.rope_local_base_freq);
    c.rope_linear_factor = k.rope_factor("rope_scaling", true);
    if (k.has("rope_parameters")) parse_rope_parameters(k, c);
    c.sliding_window = k.integer("sliding_window", c.sliding_window, kMaxPositions);
    c.max_position_embeddings = k.integer("max_position_embeddings", c.max_position_embeddings, kMaxPositions);

    if (c.num_attention_heads % c.num_key_value_heads != 0)
        fail("{}: config key '{}' ({}) is not divisible by '{}' ({})", source, k.name("num_attention_heads"),
             c.num_attention_heads, k.name("num_key_value_heads"), c.num_key_value_heads);
    if (c.head_dim % 2 != 0) k.bad("head_dim", "an even number (rotary embeddings rotate halves)");
    const std::string activation = k.text("hidden_activation", "gelu_pytorch_tanh");
    if (activation != "gelu_pytorch_tanh") k.bad("hidden_activation", "\"gelu_pytorch_tanh\" (the only supported activation)");
    k.require_unset("attn_logit_softcapping", "attention logit soft-capping");
    k.require_unset("final_logit_softcapping", "final logit soft-capping");
    k.require_unset("attention_bias", "a bias on the attention projections");
    k.require_unset("use_bidirectional_attention", "bidirectional attention");

    if (k.has("layer_types")) {
        c.layer_types = parse_layer_types(k, c.num_hidden_layers);
    } else {
        // Older configs give the pattern as an int (transformers reads either spelling).
        const std::string key = k.has("sliding_window_pattern") ? "sliding_window_pattern" : "_sliding_window_pattern";
        c.layer_types = gemma3_layer_pattern(c.num_hidden_layers, int(k.integer(key, 6, kMaxCount)));
    }
    return c;
}

Gemma3Config load_gemma3_config(const std::string& path) {
    namespace fs = std::filesystem;
    std::error_code ec;
    const std::string file = fs::is_directory(path, ec) ? (fs::path(path) / "config.json").string() : path;
    if (const auto problem = regular_file_problem(file))
        fail("{}: cannot open the Gemma 3 config (expected a Hugging Face config.json): {}", file, *problem);
    const std::string text = read_regular_file(file, "Gemma 3 config");
    json j;
    try {
        j = json::parse(text);
    } catch (const json::exception& e) {
        fail("{}: not valid JSON: {}", file, e.what());
    }
    return parse_gemma3_config(j, file);
}

Gemma3Config gemma3_12b_config() {
    Gemma3Config c;
    c.vocab_size = 262208;
    c.hidden_size = 3840;
    c.intermediate_size = 15360;
    c.num_hidden_layers = 48;
    c.num_attention_heads = 16;
    c.num_key_value_heads = 8;
    c.head_dim = 256;
    c.query_pre_attn_scalar = 256;
    c.rms_norm_eps = 1e-6;
    c.rope_theta = 1e6;
    c.rope_linear_factor = 8.0;
    c.rope_local_base_freq = 1e4;
    c.sliding_window = 1024;
    c.max_position_embeddings = 131072;
    c.layer_types = gemma3_layer_pattern(48);
    return c;
}

std::vector<std::string> check_matches_12b(const Gemma3Config& c) {
    const Gemma3Config ref = gemma3_12b_config();
    std::vector<std::string> out;
    auto check = [&](const char* key, double got, double want) {
        if (got != want) out.push_back(fmt::format("{}: {} (12B: {})", key, number_text(got), number_text(want)));
    };
    check("vocab_size", double(c.vocab_size), double(ref.vocab_size));
    check("hidden_size", c.hidden_size, ref.hidden_size);
    check("intermediate_size", c.intermediate_size, ref.intermediate_size);
    check("num_hidden_layers", c.num_hidden_layers, ref.num_hidden_layers);
    check("num_attention_heads", c.num_attention_heads, ref.num_attention_heads);
    check("num_key_value_heads", c.num_key_value_heads, ref.num_key_value_heads);
    check("head_dim", c.head_dim, ref.head_dim);
    check("query_pre_attn_scalar", c.query_pre_attn_scalar, ref.query_pre_attn_scalar);
    check("rms_norm_eps", c.rms_norm_eps, ref.rms_norm_eps);
    check("rope_theta", c.rope_theta, ref.rope_theta);
    check("rope_scaling.factor", c.rope_linear_factor, ref.rope_linear_factor);
    check("rope_local_base_freq", c.rope_local_base_freq, ref.rope_local_base_freq);
    check("sliding_window", double(c.sliding_window), double(ref.sliding_window));
    if (c.num_hidden_layers == ref.num_hidden_layers) {
        for (int i = 0; i < c.num_hidden_layers; ++i)
            if (c.is_sliding(i) != ref.is_sliding(i)) {
                out.push_back(fmt::format("layer_types: layer {} is {} (12B: {})", i,
                                          c.is_sliding(i) ? "sliding_attention" : "full_attention",
                                          ref.is_sliding(i) ? "sliding_attention" : "full_attention"));
                break;
            }
    }
    return out;
}

}  // namespace ltx2
