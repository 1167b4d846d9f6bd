// Gemma 3 12B from a full-size llama.cpp GGUF on disk: writes a gemma3 GGUF in llama.cpp's naming
// with random Q4_K blocks for every matrix and the token table (blocks encoded from N(0, 0.02)-like
// values, so their fp16 d/dmin are sane; norms F32 near 1, stored as 1 + w as llama.cpp does),
// drops it from the page cache, then runs one forward of a --tokens prompt through the streaming
// path (one layer decoded at a time) and reports wall time, time per layer, bytes read from disk,
// peak RSS and the file size. The file is deleted afterwards unless --keep.
#include <CLI/CLI.hpp>
#include <fcntl.h>
#include <omp.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "bench_util.h"
#include "core/error.h"
#include "core/memory_stats.h"
#include "io/gguf_writer.h"
#include "kernels/cpu/quantize.h"
#include "models/gemma3/gguf_config.h"
#include "models/gemma3/gguf_names.h"
#include "models/gemma3/model.h"

using namespace ltx2;
using namespace ltx2::bench;

namespace {

// Q4_K blocks encoded from uniform values of standard deviation 0.02; tensors draw from them.
std::vector<uint8_t> block_pool(size_t blocks) {
    const GgmlTypeTraits& q4k = ggml_type_traits(GgmlType::Q4_K);
    const Tensor values = random_tensor({int64_t(blocks), kQK_K}, DType::F32, 0.02f * std::sqrt(3.0f), 7);
    std::vector<uint8_t> pool(blocks * q4k.block_bytes);
    quantize(GgmlType::Q4_K, values.f32(), pool.data(), values.numel());
    return pool;
}

void add_q4k(GgufWriter& w, const std::string& name, const Shape& shape, const std::vector<uint8_t>& pool,
             uint64_t seed) {
    const size_t block_bytes = ggml_type_traits(GgmlType::Q4_K).block_bytes;
    const size_t pool_blocks = pool.size() / block_bytes;
    w.add_tensor(gemma3_llama_cpp_name(name), GgmlType::Q4_K, shape, [&pool, block_bytes, pool_blocks, seed](std::byte* dst, size_t nbytes) {
        std::mt19937_64 rng(seed);
        for (size_t off = 0; off < nbytes; off += block_bytes)
            std::memcpy(dst + off, pool.data() + (rng() % pool_blocks) * block_bytes, block_bytes);
    });
}

void add_norm(GgufWriter& w, const std::string& name, int64_t width, uint64_t seed) {
    w.add_tensor(gemma3_llama_cpp_name(name), GgmlType::F32, {width}, [width, seed](std::byte* dst, size_t) {
        const Tensor noise = random_tensor({width}, DType::F32, 0.05f, seed);
        float* out = reinterpret_cast<float*>(dst);
        for (int64_t i = 0; i < width; ++i) out[i] = 1.0f + noise.f32()[i];  // llama.cpp stores 1 + w
    });
}

void write_gemma_gguf(const std::string& path, const Gemma3Config& c, const std::vector<uint8_t>& pool) {
    GgufWriter w;
    set_gemma3_gguf_metadata(w, c);
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

// Flushes the file to disk and drops it from the page cache, so the forward reads from disk.
void evict(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY);
    LTX2_CHECK(fd >= 0, "{}: cannot open to flush", path);
    ::fsync(fd);
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    ::close(fd);
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Gemma 3 12B Q4_K GGUF (llama.cpp layout, random blocks) streamed from disk", "bench_gemma_gguf"};
    std::string dir = "/work/bigtmp";
    int64_t tokens = 100;
    bool keep = false;
    app.add_option("--dir", dir, "where to write the ~7 GB file (local disk)");
    app.add_option("--tokens", tokens, "prompt length")->check(CLI::PositiveNumber);
    app.add_flag("--keep", keep, "keep the file (and reuse it when present)");
    CLI11_PARSE(app, argc, argv);
    try {
        std::printf("threads: %d\n", omp_get_max_threads());
        Gemma3Config c = gemma3_12b_config();
        c.vocab_size = 262144;  // llama.cpp drops the 64 unused rows of the Hugging Face table
        std::filesystem::create_directories(dir);
        const std::string path = (std::filesystem::path(dir) / "gemma-3-12b-bench-q4_k.gguf").string();
        if (!keep || !std::filesystem::exists(path)) {
            const auto t0 = Clock::now();
            write_gemma_gguf(path, c, block_pool(4096));
            std::printf("wrote %s: %.2f GiB in %.1f s\n", path.c_str(), gib(double(std::filesystem::file_size(path))),
                        seconds_since(t0));
        }
        evict(path);
        const uint64_t read0 = storage_read_bytes();

        const auto t_load = Clock::now();
        const Gemma3Model model = Gemma3Model::load(path, Precision::BF16);
        const double load_s = seconds_since(t_load);
        std::vector<int64_t> ids(static_cast<size_t>(tokens));
        for (int64_t t = 0; t < tokens; ++t) ids[size_t(t)] = (t * 7919 + 2) % c.vocab_size;
        const auto t_fwd = Clock::now();
        const std::vector<Tensor> states = model.hidden_states(ids, 1024 - tokens);
        const double forward_s = seconds_since(t_fwd);
        const uint64_t read = storage_read_bytes() - read0;

        double absmax = 0;
        for (float v : states.back().to_vector()) absmax = std::max(absmax, double(std::fabs(v)));
        std::printf("file: %.2f GiB (%lld-entry vocabulary, 48 layers, Q4_K matrices and table, F32 norms)\n",
                    gib(double(std::filesystem::file_size(path))), (long long)c.vocab_size);
        std::printf("load (metadata, shape checks): %.2f s\n", load_s);
        std::printf("forward, %lld tokens, bf16 compute, layers decoded one at a time: %.1f s (%.2f s per layer)\n",
                    (long long)tokens, forward_s, forward_s / c.num_hidden_layers);
        std::printf("read from disk: %.2f GiB; peak RSS: %.2f GiB; %zu hidden states, last absmax %.3g\n",
                    gib(double(read)), gib(double(peak_rss_bytes())), states.size(), absmax);
        if (!keep) std::filesystem::remove(path);
        return 0;
    } catch (const Error& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
}
