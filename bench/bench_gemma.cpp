// The text encoder at full size with random bf16 weights (built in memory through the model
// loaders, nothing written to disk):
//  1. one Gemma 3 12B decoder layer (3840 wide, 16x256 query heads, 8 kv heads, MLP 15360)
//     on the real tokens of a prompt (--tokens, e.g. 128 and 1024, and --prompt-tokens), the
//     median [min - max] of --reps interleaved repetitions against the oneDNN bf16 matmul peak
//     sampled after every measurement in the same process (the max of the samples; impossible
//     figures fail the run with exit 3, bench/block_figures.h); --profile adds the op profile of
//     one layer at --prompt-tokens; --json prints the figures as one JSON object;
//  2. LTX-2's projection stack (feature extractor 3840·49 -> 3840 and both embeddings
//     connectors over the 1024-row sequence) for a --prompt-tokens prompt;
//  3. the whole encoding extrapolated: 48 layers + projection, and its peak memory when
//     Gemma streams layer by layer from the mmap (two layers resident) as it does in BF16.
#include <CLI/CLI.hpp>
#include <omp.h>

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <vector>

#include "bench_util.h"
#include "block_figures.h"
#include "sample_stats.h"
#include "core/error.h"
#include "core/memory_stats.h"
#include "io/weight_store.h"
#include "models/gemma3/model.h"
#include "ops/op_profile.h"
#include "pipelines/text_encoding.h"

using namespace ltx2;
using namespace ltx2::bench;

namespace {

// Matrices uniform ±sqrt(3/fan_in) (unit-variance outputs); vectors (norm weights, biases,
// registers) small.
WeightStore random_store(nlohmann::json config, uint64_t seed) {
    return WeightStore::synthetic(std::move(config), [seed](const std::string&, const Shape& shape) mutable {
        const float scale = shape.size() >= 2 ? float(std::sqrt(3.0 / double(shape.back()))) : 0.02f;
        return random_tensor(shape, DType::BF16, scale, ++seed);
    });
}

double seconds_of(const std::function<void()>& fn) {
    const auto t0 = Clock::now();
    fn();
    return seconds_since(t0);
}

double best_seconds(int reps, const std::function<void()>& fn) {
    double best = 1e30;
    for (int r = 0; r < reps; ++r) best = std::min(best, seconds_of(fn));
    return best;
}

// FLOPs of one layer on T causal tokens: the seven projections plus QKᵀ and PV over the
// visible keys (T(T+1)/2 query-key pairs; the 1024 window never cuts at T ≤ 1024).
double layer_flops(const Gemma3Config& c, int64_t T) {
    const double h = c.hidden_size, q = c.q_width(), kv = c.kv_width(), m = c.intermediate_size;
    const double linear = 2.0 * double(T) * (h * q + 2 * h * kv + q * h + 3 * h * m);
    const double pairs = double(T) * double(T + 1) / 2.0;
    return linear + 4.0 * pairs * c.num_attention_heads * c.head_dim;
}

double layer_weight_bytes(const Gemma3Config& c) {
    const double h = c.hidden_size;
    return 2.0 * (h * c.q_width() + 2 * h * c.kv_width() + c.q_width() * h + 3 * h * c.intermediate_size);
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Gemma 3 12B layer and LTX-2 text projection at full size (random bf16 weights)", "bench_gemma"};
    std::vector<int64_t> token_counts{128, 1024};
    int64_t prompt_tokens = 100;
    int reps = 3, peak_runs = 10;
    bool profile = false, json = false;
    app.add_option("--tokens", token_counts, "real-token counts for the single-layer benchmark")->delimiter(',');
    app.add_option("--prompt-tokens", prompt_tokens, "prompt length for the projection and the extrapolation");
    app.add_option("--reps", reps, "repetitions (layer: median [min - max]; projection: best)")
        ->check(CLI::PositiveNumber);
    app.add_option("--peak-runs", peak_runs, "matmuls per peak sample (the best of them is the sample)")
        ->check(CLI::PositiveNumber);
    app.add_flag("--profile", profile, "the op profile of one layer at --prompt-tokens (ops/op_profile.h)");
    app.add_flag("--json", json, "the layer figures as one JSON object on stdout (the tables go to stderr)");
    CLI11_PARSE(app, argc, argv);
    std::FILE* table = json ? stderr : stdout;
    try {
        print_machine(table);
        const cpu::CpuPaths machine = cpu::cpu_paths();
        const double load_before = load_average();
        const Gemma3Config full = gemma3_12b_config();
        Gemma3Config one = full;
        one.num_hidden_layers = 1;
        one.vocab_size = 4096;  // the embedding lookup is a gather: its size does not matter here
        one.layer_types.clear();
        nlohmann::json gemma_json = {{"model_type", "gemma3_text"}};
        const Gemma3Model layer = Gemma3Model::load(random_store(gemma_json, 1), one, Precision::BF16);

        std::vector<int64_t> counts = token_counts;
        counts.push_back(prompt_tokens);
        std::vector<std::vector<int64_t>> ids(counts.size());
        for (size_t i = 0; i < counts.size(); ++i)
            for (int64_t t = 0; t < counts[i]; ++t) ids[i].push_back((t * 7919) % one.vocab_size);
        auto run_layer = [&](size_t i) { (void)layer.hidden_states(ids[i], 1024 - counts[i]); };
        for (size_t i = 0; i < counts.size(); ++i) run_layer(i);  // warm-up: pages and primitives
        auto peak_sample = [&] { return onednn_bf16_matmul_gflops(1024, 4096, 4096, peak_runs); };
        std::vector<double> peaks = {peak_sample()};
        std::vector<std::vector<double>> seconds(counts.size());
        for (int r = 0; r < reps; ++r)
            for (size_t i = 0; i < counts.size(); ++i) {
                seconds[i].push_back(seconds_of([&] { run_layer(i); }));
                peaks.push_back(peak_sample());
            }
        const Spread peak = spread_of(peaks);

        std::fprintf(table, "\n1. one Gemma 3 12B layer, bf16 weights (%.2f GiB), real tokens only\n",
                     gib(layer_weight_bytes(full)));
        std::fprintf(table,
                     "oneDNN bf16 matmul 1024x4096x4096, %zu samples (each the best of %d): median %.0f, max %.0f "
                     "GFLOP/s; %% of peak is against the max; medians of %d interleaved repetitions\n",
                     peaks.size(), peak_runs, peak.median, peak.max, reps);
        std::fprintf(table, "%8s %26s %10s %10s %8s\n", "tokens", "ms/layer [min - max]", "GFLOP", "GFLOP/s",
                     "of peak");
        nlohmann::json rows = nlohmann::json::array();
        std::vector<std::string> impossible;
        for (size_t i = 0; i < counts.size(); ++i) {
            const Spread s = spread_of(seconds[i]);
            const double gflop = layer_flops(full, counts[i]) / 1e9, percent = 100.0 * gflop / s.median / peak.max;
            std::fprintf(table, "%8lld %9.1f [%6.1f - %6.1f] %10.1f %10.0f %7.0f%%\n", (long long)counts[i],
                         s.median * 1e3, s.min * 1e3, s.max * 1e3, gflop, gflop / s.median, percent);
            if (auto why = impossible_block_timing(fmt::format("Gemma layer, {} tokens", counts[i]), s, gflop, peak.max))
                impossible.push_back(*why);
            rows.push_back({{"tokens", counts[i]},
                            {"ms_per_layer_median", s.median * 1e3},
                            {"ms_per_layer_min", s.min * 1e3},
                            {"ms_per_layer_max", s.max * 1e3},
                            {"gflop", gflop},
                            {"pct_of_peak_median", percent}});
        }
        const double layer_s_prompt = spread_of(seconds.back()).median;
        if (profile) {
            reset_op_profile();
            set_op_profiling(true);
            const double s = seconds_of([&] { run_layer(counts.size() - 1); });
            set_op_profiling(false);
            std::fprintf(table, "\none layer at %lld tokens with the op profile on, %.1f ms:\n%s",
                         (long long)prompt_tokens, s * 1e3, describe_op_profile(op_profile(), s).c_str());
        }
        for (const std::string& why : impossible) std::fprintf(stderr, "impossible: %s\n", why.c_str());
        if (json)
            std::printf("%s\n", nlohmann::json{{"benchmark", "bench_gemma"},
                                               {"cpu", machine.cpu_model},
                                               {"isa", machine.isa_description()},
                                               {"threads", machine.threads},
                                               {"peak_gflops", peak.max},
                                               {"peak_gflops_median", peak.median},
                                               {"reps", reps},
                                               {"load_average_before", load_before},
                                               {"load_average_after", load_average()},
                                               {"rows", rows}}
                                         .dump(2)
                                         .c_str());
        if (!impossible.empty()) return 3;

        std::fprintf(table, "\n2. LTX-2 projection stack for a %lld-token prompt (1024-row sequence)\n", (long long)prompt_tokens);
        nlohmann::json ltx_json = {{"transformer", nlohmann::json::object()}};  // the 19B defaults
        EmbeddingsProcessor text;
        {
            const WeightStore fe = random_store(ltx_json, 100);
            const WeightStore video = random_store(ltx_json, 200), audio = random_store(ltx_json, 300);
            EmbeddingsProcessor::create_projection_weights(fe, parse_text_encoder_config(ltx_json, "bench"),
                                                           int64_t(full.hidden_size) * (full.num_hidden_layers + 1));
            text = EmbeddingsProcessor::load(fe, video, audio, Precision::BF16);
        }
        std::vector<Tensor> states;
        for (int l = 0; l <= full.num_hidden_layers; ++l)
            states.push_back(random_tensor({prompt_tokens, full.hidden_size}, DType::F32, 1.0f, 1000 + l));
        PromptTokens tokens = layout_prompt_tokens(std::vector<int32_t>(size_t(prompt_tokens - 1), 5), 2, 0, 1024);
        double fe_s = best_seconds(reps, [&] { (void)text.features(states); });
        double all_s = best_seconds(reps, [&] { (void)project_prompt(text, tokens, states); });
        const double fe_flops = 2.0 * double(prompt_tokens) * double(text.in_features()) *
                                double(text.config().caption_channels);
        std::fprintf(table, "feature extractor: %.1f ms (%.0f GFLOP/s); with both connectors: %.1f ms\n", fe_s * 1e3,
                    fe_flops / fe_s / 1e9, all_s * 1e3);

        const double encode_s = full.num_hidden_layers * layer_s_prompt + all_s;
        // Resident while Gemma streams: two layers' weights (the running one and the prefetched
        // next), the gathered embedding pages, the 49 hidden states, plus the projection stack
        // afterwards (Gemma released): weights + states + a 1024-row connector pass.
        const double states_bytes = double(full.num_hidden_layers + 1) * prompt_tokens * full.hidden_size * 4.0;
        const double gemma_phase = 2 * layer_weight_bytes(full) + states_bytes;
        std::fprintf(table, "\n3. whole text encoding of a %lld-token prompt, extrapolated\n", (long long)prompt_tokens);
        std::fprintf(table, "Gemma: 48 x %.1f ms = %.2f s; projection %.2f s; total %.2f s\n", layer_s_prompt * 1e3,
                    full.num_hidden_layers * layer_s_prompt, all_s, encode_s);
        std::fprintf(table, "peak RSS of this process: %.2f GiB (one layer + projection stack, owned random weights)\n",
                    gib(double(peak_rss_bytes())));
        std::fprintf(table, "streaming estimate: Gemma phase %.2f GiB (2 layers + states), "
                    "projection weights %.2f GiB\n",
                    gib(gemma_phase),
                    gib(2.0 * double(text.in_features()) * text.config().caption_channels));
        return 0;
    } catch (const Error& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
}
