// The text encoder at full size with random bf16 weights (built in memory through the model
// loaders, nothing written to disk):
//  1. one Gemma 3 12B decoder layer (3840 wide, 16x256 query heads, 8 kv heads, MLP 15360)
//     on the real tokens of a prompt (--tokens, e.g. 128 and 1024), against the oneDNN bf16
//     matmul peak measured in the same process;
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
#include "core/error.h"
#include "core/memory_stats.h"
#include "io/weight_store.h"
#include "models/gemma3/model.h"
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

double best_seconds(int reps, const std::function<void()>& fn) {
    double best = 1e30;
    for (int r = 0; r < reps; ++r) {
        const auto t0 = Clock::now();
        fn();
        best = std::min(best, seconds_since(t0));
    }
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
    int reps = 2;
    app.add_option("--tokens", token_counts, "real-token counts for the single-layer benchmark")->delimiter(',');
    app.add_option("--prompt-tokens", prompt_tokens, "prompt length for the projection and the extrapolation");
    app.add_option("--reps", reps, "repetitions (best is reported)")->check(CLI::PositiveNumber);
    CLI11_PARSE(app, argc, argv);
    try {
        print_machine();
        const Gemma3Config full = gemma3_12b_config();
        Gemma3Config one = full;
        one.num_hidden_layers = 1;
        one.vocab_size = 4096;  // the embedding lookup is a gather: its size does not matter here
        one.layer_types.clear();
        nlohmann::json gemma_json = {{"model_type", "gemma3_text"}};
        const Gemma3Model layer = Gemma3Model::load(random_store(gemma_json, 1), one, Precision::BF16);

        std::printf("\n1. one Gemma 3 12B layer, bf16 weights (%.2f GiB), real tokens only\n",
                    gib(layer_weight_bytes(full)));
        std::printf("%8s %10s %10s %10s %12s %8s\n", "tokens", "time (ms)", "GFLOP", "GFLOP/s", "peak GFLOP/s", "of peak");
        double layer_s_prompt = 0;
        std::vector<int64_t> counts = token_counts;
        counts.push_back(prompt_tokens);
        for (size_t i = 0; i < counts.size(); ++i) {
            const int64_t T = counts[i];
            std::vector<int64_t> ids(static_cast<size_t>(T));
            for (int64_t t = 0; t < T; ++t) ids[size_t(t)] = (t * 7919) % one.vocab_size;
            const double s = best_seconds(reps, [&] { (void)layer.hidden_states(ids, 1024 - T); });
            if (i + 1 == counts.size()) {
                layer_s_prompt = s;
                break;
            }
            const double peak = onednn_bf16_matmul_gflops(T, full.hidden_size, full.intermediate_size);
            const double gflops = layer_flops(full, T) / s / 1e9;
            std::printf("%8lld %10.1f %10.1f %10.0f %12.0f %7.0f%%\n", (long long)T, s * 1e3, layer_flops(full, T) / 1e9,
                        gflops, peak, 100.0 * gflops / peak);
        }

        std::printf("\n2. LTX-2 projection stack for a %lld-token prompt (1024-row sequence)\n", (long long)prompt_tokens);
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
        std::printf("feature extractor: %.1f ms (%.0f GFLOP/s); with both connectors: %.1f ms\n", fe_s * 1e3,
                    fe_flops / fe_s / 1e9, all_s * 1e3);

        const double encode_s = full.num_hidden_layers * layer_s_prompt + all_s;
        // Resident while Gemma streams: two layers' weights (the running one and the prefetched
        // next), the gathered embedding pages, the 49 hidden states, plus the projection stack
        // afterwards (Gemma released): weights + states + a 1024-row connector pass.
        const double states_bytes = double(full.num_hidden_layers + 1) * prompt_tokens * full.hidden_size * 4.0;
        const double gemma_phase = 2 * layer_weight_bytes(full) + states_bytes;
        std::printf("\n3. whole text encoding of a %lld-token prompt, extrapolated\n", (long long)prompt_tokens);
        std::printf("Gemma: 48 x %.1f ms = %.2f s; projection %.2f s; total %.2f s\n", layer_s_prompt * 1e3,
                    full.num_hidden_layers * layer_s_prompt, all_s, encode_s);
        std::printf("peak RSS of this process: %.2f GiB (one layer + projection stack, owned random weights)\n",
                    gib(double(peak_rss_bytes())));
        std::printf("streaming estimate: Gemma phase %.2f GiB (2 layers + states), "
                    "projection weights %.2f GiB\n",
                    gib(gemma_phase),
                    gib(2.0 * double(text.in_features()) * text.config().caption_channels));
        return 0;
    } catch (const Error& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
}
