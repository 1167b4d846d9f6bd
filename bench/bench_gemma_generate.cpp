// Greedy text generation (the prompt enhancer) with Gemma 3 12B shapes and random weights,
// against the memory-bandwidth bound measured in the same process. Decoding one token reads every
// weight once (all layers plus the whole token table for the tied output head), so
// tokens/s <= copy bandwidth / bytes of weights per token.
//  - bf16: the HF layout, weights in memory (12B bf16 is 24 GB; --layers full-size layers are
//    built and the 48-layer figure is extrapolated from the measured head and per-layer times);
//  - q4_k: a llama.cpp GGUF with --layers Q4_K layers and a Q4_K table, written to --dir; its
//    layers are decoded to bf16 one at a time for every token (the engine's GGUF path).
// Reported: median ms per generated token over --reps runs (prompt excluded), tokens/s, the bound
// and the fraction of it reached, for the built model and extrapolated to 48 layers; peak RSS.
#include <CLI/CLI.hpp>
#include <omp.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bench_util.h"
#include "core/error.h"
#include "core/memory_stats.h"
#include "gemma_gguf_bench.h"
#include "models/gemma3/generate.h"
#include "models/gemma3/model.h"
#include "sample_stats.h"

using namespace ltx2;
using namespace ltx2::bench;

namespace {

// Bytes per second of a parallel memcpy of a buffer far larger than the caches, median of `reps`
// (each byte read once and written once; the rate counts the bytes copied).
double copy_bandwidth(int reps) {
    const size_t bytes = size_t(1) << 30;
    std::vector<std::byte> a(bytes, std::byte{1}), b(bytes);
    std::vector<double> rates;
    for (int r = 0; r < reps + 1; ++r) {
        const auto t0 = Clock::now();
#pragma omp parallel
        {
            const size_t n = size_t(omp_get_num_threads()), i = size_t(omp_get_thread_num());
            const size_t chunk = (bytes + n - 1) / n, begin = std::min(bytes, i * chunk);
            std::memcpy(b.data() + begin, a.data() + begin, std::min(bytes, begin + chunk) - begin);
        }
        if (r > 0) rates.push_back(double(bytes) / seconds_since(t0));  // the first run faults the pages in
    }
    return median(rates);
}

double layer_params(const Gemma3Config& c) {
    const double h = c.hidden_size;
    return h * c.q_width() + 2 * h * c.kv_width() + c.q_width() * h + 3 * h * c.intermediate_size;
}

struct DecodeTiming {
    double token_s = 0;  // median per generated token, prompt excluded
    double head_s = 0;   // median of the output head (logits) alone
};

DecodeTiming time_decoding(const Gemma3Model& model, int64_t prompt_tokens, int new_tokens, int reps) {
    std::vector<int64_t> prompt(static_cast<size_t>(prompt_tokens));
    for (int64_t t = 0; t < prompt_tokens; ++t) prompt[size_t(t)] = (t * 7919 + 2) % model.config().vocab_size;
    Gemma3GenerateOptions options;
    options.max_new_tokens = new_tokens + 1;  // the first step follows the prompt pass: not timed
    std::vector<double> per_token, head;
    for (int r = 0; r < reps; ++r) {
        Clock::time_point first;
        options.on_step = [&](int step, const Tensor&, int64_t) {
            if (step == 0) first = Clock::now();
        };
        (void)gemma3_generate(model, prompt, options);
        per_token.push_back(seconds_since(first) / new_tokens);
        const Tensor hidden = random_tensor({model.config().hidden_size}, DType::F32, 1.0f, 5 + r);
        const auto t0 = Clock::now();
        (void)model.logits(hidden);
        head.push_back(seconds_since(t0));
    }
    return {median(per_token), median(head)};
}

void report(const char* name, const Gemma3Config& c, int built_layers, double bytes_per_param, double table_bytes,
            const DecodeTiming& t, double bandwidth) {
    const double layer_bytes = layer_params(c) * bytes_per_param;
    const double built_bytes = built_layers * layer_bytes + table_bytes;
    const double full_bytes = 48 * layer_bytes + table_bytes;
    const double layer_s = (t.token_s - t.head_s) / built_layers;
    const double full_s = t.head_s + 48 * layer_s;
    std::printf("%s: %d layers built; %.1f ms/token (head %.1f ms, %.1f ms per layer)\n", name, built_layers,
                t.token_s * 1e3, t.head_s * 1e3, layer_s * 1e3);
    std::printf("  built model: %.2f GiB/token -> %.2f tokens/s, bound %.2f tokens/s (%.0f%% of it)\n", gib(built_bytes),
                1 / t.token_s, bandwidth / built_bytes, 100.0 * (built_bytes / bandwidth) / t.token_s);
    std::printf("  Gemma 3 12B (48 layers, extrapolated): %.2f GiB/token -> %.3f tokens/s, bound %.3f tokens/s "
                "(%.0f%% of it)\n",
                gib(full_bytes), 1 / full_s, bandwidth / full_bytes, 100.0 * (full_bytes / bandwidth) / full_s);
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Gemma 3 12B greedy generation (random weights) against the memory-bandwidth bound",
                 "bench_gemma_generate"};
    int layers = 6;
    int64_t prompt_tokens = 64;
    int new_tokens = 16, reps = 5;
    std::vector<std::string> formats{"bf16", "q4_k"};
    std::string dir = "/work/bigtmp";
    app.add_option("--layers", layers, "full-size layers to build (6: one local/global pattern)")
        ->check(CLI::Range(1, 48))
        ->capture_default_str();
    app.add_option("--prompt-tokens", prompt_tokens, "prompt length")->check(CLI::PositiveNumber)->capture_default_str();
    app.add_option("--new-tokens", new_tokens, "timed tokens per run")->check(CLI::PositiveNumber)->capture_default_str();
    app.add_option("--reps", reps, "runs (the median is reported)")->check(CLI::PositiveNumber)->capture_default_str();
    app.add_option("--formats", formats, "bf16, q4_k")->delimiter(',')->capture_default_str();
    app.add_option("--dir", dir, "where the Q4_K GGUF is written (deleted afterwards)")->capture_default_str();
    CLI11_PARSE(app, argc, argv);
    try {
        print_machine();
        const double bandwidth = copy_bandwidth(reps);
        std::printf("copy bandwidth: %.2f GB/s (1 GiB parallel memcpy, median of %d)\n", bandwidth / 1e9, reps);
        Gemma3Config c = gemma3_12b_config();
        c.num_hidden_layers = layers;
        c.layer_types.clear();
        std::printf("prompt %lld tokens, %d timed new tokens per run, %d runs\n\n", (long long)prompt_tokens, new_tokens,
                    reps);
        for (const std::string& format : formats) {
            if (format == "bf16") {
                const WeightStore store =
                    WeightStore::synthetic(nlohmann::json{{"model_type", "gemma3_text"}}, [seed = uint64_t(1)](
                                                                                              const std::string&,
                                                                                              const Shape& shape) mutable {
                        const float scale = shape.size() >= 2 ? float(std::sqrt(3.0 / double(shape.back()))) : 0.02f;
                        return random_tensor(shape, DType::BF16, scale, ++seed);
                    });
                const Gemma3Model model = Gemma3Model::load(store, c, Precision::BF16);
                report("bf16", c, layers, 2.0, 2.0 * double(c.vocab_size) * c.hidden_size,
                       time_decoding(model, prompt_tokens, new_tokens, reps), bandwidth);
            } else if (format == "q4_k") {
                Gemma3Config q = c;
                q.vocab_size = 262144;  // llama.cpp drops the 64 unused rows of the Hugging Face table
                std::filesystem::create_directories(dir);
                const std::string path = (std::filesystem::path(dir) / "gemma-3-12b-generate-bench-q4_k.gguf").string();
                write_gemma_gguf(path, q, block_pool(4096));
                {
                    const Gemma3Model model = Gemma3Model::load(path, Precision::BF16);
                    constexpr double kQ4kBytesPerParam = 144.0 / 256.0;
                    report("q4_k", q, layers, kQ4kBytesPerParam, kQ4kBytesPerParam * double(q.vocab_size) * q.hidden_size,
                           time_decoding(model, prompt_tokens, new_tokens, reps), bandwidth);
                }
                std::filesystem::remove(path);
            } else {
                fail("--formats: unknown format '{}' (expected bf16 or q4_k)", format);
            }
        }
        std::printf("\npeak RSS: %.2f GiB\n", gib(double(peak_rss_bytes())));
        return 0;
    } catch (const Error& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
}
