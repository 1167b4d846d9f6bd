// One full-size LTX-2 transformer block (video 32x128, audio 32x64, text context 1024 tokens)
// with random bf16 weights, timed at several token counts against a plain oneDNN bf16 matmul
// measured in the same run. The block time is forward(2 blocks) − forward(1 block), so the
// per-model work (patchify, AdaLN embedders, caption projection, output head) cancels out.
// --models 19b ltx23 times the LTX-2.3 (22B) block next to the 19B one: gated attention,
// 9-row AdaLN, prompt AdaLN; its "text K/V per step" column is what every denoising step pays
// (the K/V follow the step's sigma), the cached column a repeated step at the same sigma.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <oneapi/dnnl/dnnl.hpp>
#include <omp.h>

#include "bench_transformer.h"
#include "core/error.h"
#include "core/memory_stats.h"
#include "io/safetensors.h"
#include "io/weight_store.h"
#include "models/transformer/model.h"

using namespace ltx2;
using namespace ltx2::bench;
namespace fs = std::filesystem;

namespace {

// Times one model's block at every video token count.
void time_blocks(const std::string& model, const TransformerBenchOptions& options, const std::vector<int64_t>& sizes,
                 double peak) {
    TransformerBenchOptions o = options;
    if (model == "ltx23") o.manifest = TransformerBenchOptions::ltx23_manifest();
    const auto [m1, m2] = one_and_two_block_models(o);
    const TransformerConfig& cfg = m2.config();
    std::printf("\n%s block (%s)\n", model == "ltx23" ? "LTX-2.3" : "LTX-2 19B", cfg.semantics.name().c_str());

    const std::vector<Workload> known = {{3, 8, 16, 26}, {4, 16, 24, 26}, {16, 16, 24, 126}};
    std::printf("\n%8s %6s | %-22s | %-22s | %s\n", "video", "audio", "text K/V per step", "text K/V cached",
                "vs PyTorch (2-core, per block)");
    std::printf("%8s %6s | %9s %12s | %9s %12s |\n", "tokens", "tokens", "ms/block", "GFLOP/s (%pk)", "ms/block",
                "GFLOP/s (%pk)");
    for (int64_t tv : sizes) {
        Workload w{1, 1, int(tv), 26};
        for (const auto& k : known)
            if (k.video_tokens() == tv) w = k;
        const BlockInputs inputs = block_inputs(w, options.context_tokens, cfg);
        const Modality& video = inputs.video;
        const Modality& audio = inputs.audio;

        double per_block[2];
        for (int cached = 0; cached < 2; ++cached) {
            const auto [t1, t2] = time_forward_pair(m1, m2, video, audio, cached, options.reps);
            per_block[cached] = std::max(t2 - t1, 1e-9);
        }
        const double g0 = block_gflop(cfg, tv, w.audio_tokens, options.context_tokens, true);
        const double g1 = block_gflop(cfg, tv, w.audio_tokens, options.context_tokens, false);
        const double pytorch = model != "19b" ? 0.0 : tv == 384 ? 1.9 : tv == 1536 ? 8.1 : tv == 6144 ? 42.5 : 0.0;
        std::printf("%8lld %6lld | %9.1f %6.0f (%3.0f%%) | %9.1f %6.0f (%3.0f%%) |", (long long)tv,
                    (long long)w.audio_tokens, per_block[0] * 1e3, g0 / per_block[0],
                    100.0 * g0 / per_block[0] / peak, per_block[1] * 1e3, g1 / per_block[1],
                    100.0 * g1 / per_block[1] / peak);
        if (pytorch > 0) std::printf(" %.1f s -> %.1fx faster", pytorch, pytorch / per_block[0]);
        std::printf("\n");
        std::fflush(stdout);
    }
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Times one full-size LTX-2 transformer block (random bf16 weights)."};
    TransformerBenchOptions options;
    options.reps = 2;
    std::vector<int64_t> sizes = {384, 1536, 6144};
    std::vector<std::string> models = {"19b"};
    options.add_to(app);
    app.add_option("--video-tokens", sizes, "video token counts to time (384, 1536, 6144)");
    app.add_option("--models", models, "blocks to time: 19b (from --manifest), ltx23 (the LTX-2.3 22B manifest)")
        ->check(CLI::IsMember({"19b", "ltx23"}));
    CLI11_PARSE(app, argc, argv);

    try {
        print_machine();
        const double peak = onednn_bf16_matmul_gflops(1024, 4096, 4096, 200);
        std::printf("oneDNN bf16 matmul 1024x4096x4096: %.1f GFLOP/s (the reference peak)\n", peak);

        for (const std::string& model : models) time_blocks(model, options, sizes, peak);
        std::printf("\npeak RSS: %.2f GiB (two mapped 1- and 2-block checkpoints + activations)\n",
                    double(peak_rss_bytes()) / (1024.0 * 1024.0 * 1024.0));
    } catch (const Error& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
    return 0;
}
