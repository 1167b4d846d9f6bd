#include "models/gemma3/model.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <mutex>
#include <optional>

#include "core/error.h"
#include "ops/attention.h"
#include "ops/weights.h"
#include "ops/elementwise.h"
#include "ops/linear.h"
#include "ops/norm.h"
#include "ops/pointwise.h"
#include "ops/rope.h"
#include "ops/sinusoid.h"
#include "models/gemma3/gguf_names.h"

namespace ltx2 {

struct Gemma3Model::LayerStreamer {
    std::mutex mutex;  // one forward at a time uses the arena
    WeightArena arena;
};

namespace {

// What the layers of one forward pass share.
struct Pass {
    const Gemma3Config& config;
    Precision precision;
    int64_t first_position;  // absolute position of row 0
    Tensor key_mask;         // [1, T] (padded run) or undefined (every row real)
    RopeTable local, global;
    Gemma3KvCache* cache;    // incremental decoding: earlier tokens' keys/values; null otherwise
};

// Rotate-half RoPE tables cos/sin [1, T, head_dim/2] for positions p0..p0+T−1, as Hugging Face
// builds them: inv_freq[k] = 1 / base^(2k/head_dim) in float32, divided by the linear factor;
// angle = inv_freq · position (one float32 rounding); cos/sin in float32, cast to the compute dtype.
RopeTable rotary_table(int64_t T, int64_t p0, int head_dim, double base, double linear_factor, bool bf16) {
    const int64_t half = head_dim / 2;
    std::vector<float> inv_freq(static_cast<size_t>(half));
    for (int64_t k = 0; k < half; ++k) {
        const float exponent = float(2 * k) / float(head_dim);
        const float power = float(std::pow(double(float(base)), double(exponent)));
        inv_freq[size_t(k)] = (1.0f / power) / float(linear_factor);
    }
    std::vector<float> positions(static_cast<size_t>(T));
    for (int64_t i = 0; i < T; ++i) positions[size_t(i)] = float(p0 + i);
    Tensor cos_sin = cos_sin_embedding(Tensor::from_f32({T}, positions), Tensor::from_f32({half}, inv_freq));
    if (bf16) round_to_bf16_inplace(cos_sin);
    RopeTable t;
    t.layout = RopeLayout::Split;
    t.heads = 1;  // applied head by head
    t.cos = cos_sin.slice(1, 0, half).contiguous().reshape({1, T, half});
    t.sin = cos_sin.slice(1, half, 2 * half).contiguous().reshape({1, T, half});
    return t;
}

// x [1, T, heads·head_dim]: RoPE on every head.
void rotate_heads(Tensor& x, int heads, int head_dim, const RopeTable& table) {
    for (int h = 0; h < heads; ++h) {
        Tensor head = x.slice(2, int64_t(h) * head_dim, int64_t(h + 1) * head_dim);
        rope_apply_inplace(head, table);
    }
}

// RMSNorm over each head_dim slice of x [1, T, heads·head_dim].
void norm_heads(Tensor& x, int head_dim, const Tensor& weight, float eps) {
    Tensor rows = x.reshape({-1, int64_t(head_dim)});
    rms_norm_inplace(rows, weight, eps);
}

// gate = gelu_tanh(gate) · up.
void gelu_gate(Tensor& gate, const Tensor& up) {
    gelu_tanh_inplace(gate);
    mul_inplace(gate, up);
}

// Rows E[id] · s, s = √hidden cast to the compute dtype (bf16: √3840 = 61.97 → 62, and the
// product rounded to bf16, as the reference's bf16 embedding is). A GGUF table is decoded only
// at the rows looked up: every row is a whole number of blocks.
Tensor embed(const Tensor& table, const GgmlTensor& ggml_table, std::span<const int64_t> ids, int hidden, bool bf16) {
    const int64_t T = int64_t(ids.size()), vocab = table.size(0);
    for (int64_t i = 0; i < T; ++i)
        if (ids[size_t(i)] < 0 || ids[size_t(i)] >= vocab)
            fail("gemma3: token id {} (row {}) is outside the vocabulary [0, {})", ids[size_t(i)], i, vocab);
    float scale = float(std::sqrt(double(hidden)));
    if (bf16) scale = round_to_bf16(scale);
    Tensor x = ggml_table.blocks.defined() ? decode_ggml_rows(ggml_table, ids) : gather_rows(table, ids);
    mul_scalar_inplace(x, scale);
    if (bf16) round_to_bf16_inplace(x);
    return x.reshape({1, T, hidden});
}

// One matrix of a layer: a dense tensor for linear(), or, for a one-token step of a GGUF
// model, the tensor's rows in the mapping, read in place by ggml_matvec (nothing decoded).
struct LayerMatrix {
    Tensor dense;
    GgmlTensor in_place;
};
struct LayerMatrices {
    LayerMatrix q, k, v, o, gate, up, down;
};

LayerMatrices dense_matrices(const Gemma3LayerWeights& w) {
    const auto dense = [](const Tensor& t) { return LayerMatrix{t, {}}; };
    return {dense(w.q_proj), dense(w.k_proj), dense(w.v_proj), dense(w.o_proj),
            dense(w.gate_proj), dense(w.up_proj), dense(w.down_proj)};
}

// A streamed GGUF layer for a one-token step: its norms as load_gemma3_layer gives them (F32,
// stored as 1 + w), its matrices in place.
std::pair<Gemma3LayerWeights, LayerMatrices> gguf_layer_in_place(const GgufFile& file, int layer) {
    const std::string p = gemma3_layer_prefix(layer);
    auto norm = [&](const std::string& name) {
        const std::string key = gemma3_llama_cpp_name(p + name + ".weight");
        return file.info(key).type == GgmlType::F32 ? file.raw(key) : file.dequantize(key, DType::F32);
    };
    auto matrix = [&](const std::string& name) {
        return LayerMatrix{Tensor(), file.ggml_matrix(gemma3_llama_cpp_name(p + name + ".weight"))};
    };
    Gemma3LayerWeights norms;
    norms.q_norm = norm("self_attn.q_norm");
    norms.k_norm = norm("self_attn.k_norm");
    norms.input_norm = norm("input_layernorm");
    norms.post_attention_norm = norm("post_attention_layernorm");
    norms.pre_feedforward_norm = norm("pre_feedforward_layernorm");
    norms.post_feedforward_norm = norm("post_feedforward_layernorm");
    return {norms,
            {matrix("self_attn.q_proj"), matrix("self_attn.k_proj"), matrix("self_attn.v_proj"),
             matrix("self_attn.o_proj"), matrix("mlp.gate_proj"), matrix("mlp.up_proj"), matrix("mlp.down_proj")}};
}

Tensor project(const Tensor& x, const LayerMatrix& m) {
    if (!m.in_place.blocks.defined()) return linear(x, m.dense, {});
    LTX2_CHECK(x.numel() == m.in_place.cols, "gemma3: a one-token product takes {} values, got {} {}",
               m.in_place.cols, shape_str(x.shape()), x.numel());
    return ggml_matvec(m.in_place, x).reshape({1, 1, m.in_place.rows()});
}

// h = x + post_attention_norm(o_proj(attention(input_norm(x))));
// out = h + post_feedforward_norm(down(gelu_tanh(gate(n)) · up(n))), n = pre_feedforward_norm(h).
Tensor decoder_layer(const Gemma3LayerWeights& w, const LayerMatrices& m, const Tensor& x, int layer,
                     const Pass& p) {
    const bool sliding = p.config.is_sliding(layer);
    const Gemma3Config& c = p.config;
    const float eps = float(c.rms_norm_eps);

    const Tensor n = rms_norm(x, w.input_norm, eps);
    Tensor q = project(n, m.q);
    Tensor k = project(n, m.k);
    const Tensor v = project(n, m.v);
    norm_heads(q, c.head_dim, w.q_norm, eps);
    norm_heads(k, c.head_dim, w.k_norm, eps);
    const RopeTable& rope = sliding ? p.local : p.global;
    rotate_heads(q, c.num_attention_heads, c.head_dim, rope);
    rotate_heads(k, c.num_key_value_heads, c.head_dim, rope);
    Tensor keys = k, values = v;
    int64_t k_position0 = p.first_position;
    if (p.cache) {  // this pass's rows follow the cached ones: attend to all of them
        const int64_t T = x.size(1), end = p.cache->length + T;
        Tensor& cached_keys = p.cache->keys[size_t(layer)];
        Tensor& cached_values = p.cache->values[size_t(layer)];
        cached_keys.slice(1, p.cache->length, end).copy_from(k);
        cached_values.slice(1, p.cache->length, end).copy_from(v);
        keys = cached_keys.slice(1, 0, end);
        values = cached_values.slice(1, 0, end);
        k_position0 = 0;
    }
    AttentionOptions o;
    o.heads = c.num_attention_heads;
    o.kv_heads = c.num_key_value_heads;
    o.scale = c.attention_scale();
    o.key_mask = p.key_mask;
    o.q_position0 = p.first_position;
    o.k_position0 = k_position0;
    o.causal = true;
    o.window = sliding ? c.sliding_window : 0;
    o.precision = p.precision;
    Tensor h = project(attention(q, keys, values, o), m.o);
    rms_norm_inplace(h, w.post_attention_norm, eps);
    add_inplace(h, x);

    const Tensor n2 = rms_norm(h, w.pre_feedforward_norm, eps);
    Tensor gate = project(n2, m.gate);
    gelu_gate(gate, project(n2, m.up));
    Tensor out = project(gate, m.down);
    rms_norm_inplace(out, w.post_feedforward_norm, eps);
    add_inplace(out, h);
    return out;
}

}  // namespace

Gemma3Model Gemma3Model::load(const std::string& path, Precision precision) {
    if (is_gguf_path(path)) return load(open_gemma3_gguf(path), precision);
    namespace fs = std::filesystem;
    std::error_code ec;
    const std::string folder = fs::is_directory(path, ec) ? path : fs::path(path).parent_path().string();
    return load(open_gemma3_weights(path), load_gemma3_config(folder), precision);
}

Gemma3Model Gemma3Model::load(const WeightStore& store, const Gemma3Config& config, Precision precision) {
    auto weights = std::make_shared<const Gemma3Weights>(load_gemma3_weights(store, config, precision));
    return Gemma3Model(config, precision, std::make_shared<const WeightStore>(store), std::move(weights));
}

Gemma3Model Gemma3Model::load(const Gemma3Gguf& gguf, Precision precision) {
    auto weights =
        std::make_shared<const Gemma3Weights>(load_gemma3_weights(gguf.store, gguf.config, precision, gguf.file.get()));
    return Gemma3Model(gguf.config, precision, std::make_shared<const WeightStore>(gguf.store), std::move(weights),
                       std::make_shared<LayerStreamer>());
}

void Gemma3Model::advise(const std::string& prefix, bool need) const {
    if (need)
        store_->prefetch(prefix);
    else
        store_->release(prefix);
}

std::vector<Tensor> Gemma3Model::hidden_states(std::span<const int64_t> ids, int64_t first_position) const {
    LTX2_CHECK(!ids.empty(), "gemma3: no tokens to encode");
    LTX2_CHECK(first_position >= 0, "gemma3: first position {} is negative", first_position);
    return forward(ids, first_position, Tensor());
}

std::vector<Tensor> Gemma3Model::hidden_states_padded(std::span<const int64_t> ids,
                                                      std::span<const int64_t> mask) const {
    LTX2_CHECK(!ids.empty(), "gemma3: no tokens to encode");
    LTX2_CHECK(ids.size() == mask.size(), "gemma3: {} token ids but {} attention-mask values", ids.size(),
               mask.size());
    std::vector<float> keep(mask.size());
    for (size_t j = 0; j < mask.size(); ++j) {
        LTX2_CHECK(mask[j] == 0 || mask[j] == 1, "gemma3: attention mask value {} at {} is neither 0 nor 1", mask[j],
                   j);
        keep[j] = float(mask[j]);
    }
    return forward(ids, 0, Tensor::from_f32({1, int64_t(mask.size())}, keep).to(DType::I64));
}

Tensor Gemma3Model::extend(std::span<const int64_t> ids, Gemma3KvCache& cache) const {
    LTX2_CHECK(!ids.empty(), "gemma3: no tokens to run");
    LTX2_CHECK(int64_t(cache.keys.size()) == config_.num_hidden_layers,
               "gemma3: the KV cache has {} layers, the model {}", cache.keys.size(), config_.num_hidden_layers);
    LTX2_CHECK(cache.length + int64_t(ids.size()) <= cache.capacity(),
               "gemma3: the KV cache holds {} of {} tokens, no room for {} more", cache.length, cache.capacity(),
               ids.size());
    std::vector<Tensor> states = forward(ids, cache.length, Tensor(), &cache);
    cache.length += int64_t(ids.size());
    const Tensor& last = states.back();
    return last.slice(0, last.size(0) - 1, last.size(0)).reshape({config_.hidden_size});
}

Tensor Gemma3Model::logits(const Tensor& hidden) const {
    const int64_t H = config_.hidden_size;
    LTX2_CHECK(hidden.numel() == H, "gemma3: logits of a hidden state with {} values, expected {}", hidden.numel(), H);
    const PrecisionScope products(precision_);
    const Tensor x = hidden.to(DType::F32).reshape({1, H});
    const Tensor& table = weights_->embed_tokens;
    const int64_t vocab = table.size(0);
    const DType compute = precision_ == Precision::F32 ? DType::F32 : DType::BF16;
    if (weights_->embed_ggml.blocks.defined()) return ggml_matvec(weights_->embed_ggml, x);  // read in place
    if (table.dtype() == compute) return linear(x, table, {}).reshape({vocab});
    Tensor out = Tensor::empty({vocab});

    // Another dtype (a bf16 table at F32): converted a block of rows at a time.
    constexpr int64_t kRows = 4096;
    Tensor rows = Tensor::zeros({std::min(kRows, vocab), H}, compute);
    for (int64_t r0 = 0; r0 < vocab; r0 += kRows) {
        const int64_t n = std::min(kRows, vocab - r0);
        Tensor block = rows.slice(0, 0, n);
        block.copy_from(table.slice(0, r0, r0 + n));
        out.slice(0, r0, r0 + n).copy_from(linear(x, block, {}).reshape({n}));
    }
    return out;
}

std::vector<Tensor> Gemma3Model::forward(std::span<const int64_t> ids, int64_t first_position,
                                         const Tensor& key_mask, Gemma3KvCache* cache) const {
    const PrecisionScope products(precision_);
    const Gemma3Config& c = config_;
    const Gemma3Weights& w = *weights_;
    const int64_t T = int64_t(ids.size());
    const int L = c.num_hidden_layers;
    const bool bf16 = precision_ == Precision::BF16;
    // bf16 weights are the mapping itself, and a GGUF's layers are read from it once per pass:
    // page each layer in and out. Not while decoding token by token: every token reads every
    // layer again, so the pages are best left to the kernel.
    const bool stream = (bf16 || streamer_) && !cache;

    Pass pass{c, precision_, first_position, key_mask,
              rotary_table(T, first_position, c.head_dim, c.rope_local_base_freq, 1.0, bf16),
              rotary_table(T, first_position, c.head_dim, c.rope_theta, c.rope_linear_factor, bf16), cache};
    std::vector<Tensor> states;
    states.reserve(size_t(L + 1));
    Tensor x = embed(w.embed_tokens, w.embed_ggml, ids, c.hidden_size, bf16);
    if (!cache) states.push_back(x.reshape({T, c.hidden_size}));
    if (stream) {
        advise("embed_tokens.", false);
        advise(gemma3_layer_prefix(0), true);
    }
    std::unique_lock<std::mutex> lock;
    if (w.streamed) lock = std::unique_lock(streamer_->mutex);
    for (int i = 0; i < L; ++i) {
        if (stream && i + 1 < L) advise(gemma3_layer_prefix(i + 1), true);
        if (w.streamed && cache && T == 1) {
            const auto [norms, matrices] = gguf_layer_in_place(*store_->gguf_file(), i);
            x = decoder_layer(norms, matrices, x, i, pass);
        } else if (w.streamed) {
            {
                const Gemma3LayerWeights layer =
                    load_gemma3_layer(*store_, c, i, precision_, *store_->gguf_file(), streamer_->arena);
                x = decoder_layer(layer, dense_matrices(layer), x, i, pass);
            }
            streamer_->arena.reset();
        } else {
            x = decoder_layer(w.layers[size_t(i)], dense_matrices(w.layers[size_t(i)]), x, i, pass);
        }
        if (stream) advise(gemma3_layer_prefix(i), false);
        if (i + 1 == L) x = rms_norm(x, w.final_norm, float(c.rms_norm_eps));
        if (!cache || i + 1 == L) states.push_back(x.reshape({T, c.hidden_size}));
    }
    return states;
}

}  // namespace ltx2
