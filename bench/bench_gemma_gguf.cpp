// Gemma 3 12B from a full-size llama.cpp GGUF on disk: writes a gemma3 GGUF in llama.cpp's naming
// with random Q4_K blocks for every matrix and the token table (blocks encoded from N(0, 0.02)-like
// values, so their fp16 d/dmin are sane; norms F32 near 1, stored as 1 + w as llama.cpp does),
// drops it from the page cache, then runs one forward of a --tokens prompt through the streaming
// path (one layer decoded at a time) and reports wall time, time per layer, bytes read from disk,
// peak RSS and the file size. The file is deleted afterwards unless --keep.
#include <CLI/CLI.hpp>
#include <omp.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "bench_util.h"
#include "core/error.h"
#include "core/memory_stats.h"
#include "gemma_gguf_bench.h"
#include "models/gemma3/model.h"

using namespace ltx2;
using namespace ltx2::bench;

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
        print_machine();
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
