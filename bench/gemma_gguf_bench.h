#pragma once
// A full-size Gemma 3 GGUF in llama.cpp's naming with random Q4_K blocks for every matrix and the
// token table (blocks encoded from uniform values of standard deviation 0.02, so their fp16
// d/dmin are sane; norms F32 near 1, stored as 1 + w as llama.cpp does), for the benchmarks.
#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "bench_util.h"
#include "core/error.h"
#include "io/gguf_writer.h"
#include "kernels/cpu/quantize.h"
#include "models/gemma3/gguf_config.h"
#include "models/gemma3/gguf_names.h"
#include "models/gemma3/gguf_vocabulary.h"
#include "page_cache.h"
#include "models/gemma3/weights.h"

namespace ltx2::bench {

// Q4_K blocks encoded from uniform values of standard deviation 0.02; tensors draw from them.
inline std::vector<uint8_t> block_pool(size_t blocks) {
    const GgmlTypeTraits& q4k = ggml_type_traits(GgmlType::Q4_K);
    const Tensor values = random_tensor({int64_t(blocks), kQK_K}, DType::F32, 0.02f * std::sqrt(3.0f), 7);
    std::vector<uint8_t> pool(blocks * q4k.block_bytes);
    cpu::quantize(GgmlType::Q4_K, values.f32(), pool.data(), values.numel());
    return pool;
}

inline void add_q4k(GgufWriter& w, const std::string& name, const Shape& shape, const std::vector<uint8_t>& pool,
             uint64_t seed) {
    const size_t block_bytes = ggml_type_traits(GgmlType::Q4_K).block_bytes;
    const size_t pool_blocks = pool.size() / block_bytes;
    w.add_tensor(gemma3_llama_cpp_name(name), GgmlType::Q4_K, shape, [&pool, block_bytes, pool_blocks, seed](std::byte* dst, size_t nbytes) {
        std::mt19937_64 rng(seed);
        for (size_t off = 0; off < nbytes; off += block_bytes)
            std::memcpy(dst + off, pool.data() + (rng() % pool_blocks) * block_bytes, block_bytes);
    });
}

inline void add_norm(GgufWriter& w, const std::string& name, int64_t width, uint64_t seed) {
    w.add_tensor(gemma3_llama_cpp_name(name), GgmlType::F32, {width}, [width, seed](std::byte* dst, size_t) {
        const Tensor noise = random_tensor({width}, DType::F32, 0.05f, seed);
        float* out = reinterpret_cast<float*>(dst);
        for (int64_t i = 0; i < width; ++i) out[i] = 1.0f + noise.f32()[i];  // llama.cpp stores 1 + w
    });
}

// With `vocabulary`, the file embeds it as llama.cpp does (what `ltx2 --gemma FILE.gguf` tokenizes with).
inline void write_gemma_gguf(const std::string& path, const Gemma3Config& c, const std::vector<uint8_t>& pool,
                             const GgufVocabulary* vocabulary = nullptr) {
    GgufWriter w;
    set_gemma3_gguf_metadata(w, c);
    if (vocabulary) set_gguf_vocabulary(w, *vocabulary);
    const int64_t h = c.hidden_size, m = c.intermediate_size;
    uint64_t seed = 1;
    add_q4k(w, "embed_tokens.weight", {c.vocab_size, h}, pool, ++seed);
    for (int i = 0; i < c.num_hidden_layers; ++i) {
        const std::string p = gemma3_layer_prefix(i);
        add_norm(w, p + "input_layernorm.weight", h, ++seed);
        add_q4k(w, p + "self_attn.q_proj.weight", {c.q_width(), h}, pool, ++seed);
        add_q4k(w, p + "self_attn.k_proj.weight", {c.kv_width(), h}, pool, ++seed);
        add_q4k(w, p + "self_attn.v_proj.weight", {c.kv_width(), h}, pool, ++seed);
        add_q4k(w, p + "self_attn.o_proj.weight", {h, c.q_width()}, pool, ++seed);
        add_norm(w, p + "self_attn.q_norm.weight", c.head_dim, ++seed);
        add_norm(w, p + "self_attn.k_norm.weight", c.head_dim, ++seed);
        add_norm(w, p + "post_attention_layernorm.weight", h, ++seed);
        add_norm(w, p + "pre_feedforward_layernorm.weight", h, ++seed);
        add_q4k(w, p + "mlp.gate_proj.weight", {m, h}, pool, ++seed);
        add_q4k(w, p + "mlp.up_proj.weight", {m, h}, pool, ++seed);
        add_q4k(w, p + "mlp.down_proj.weight", {h, m}, pool, ++seed);
        add_norm(w, p + "post_feedforward_layernorm.weight", h, ++seed);
    }
    add_norm(w, "norm.weight", h, ++seed);
    w.write(path);
}

}  // namespace ltx2::bench
