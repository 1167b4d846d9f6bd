// What the text K/V cache saves per denoising step and per generation: one full-size LTX-2
// transformer block (random bf16 weights, real 19B configuration) at 1536 video tokens and the
// 126 audio tokens of a 121-frame clip, against a 1024-token text context, timed with the text
// cross-attention K/V computed once (LTXModel::prepare_text, as the pipelines run) and
// recomputed in every call (as the official code does). Block and per-call overhead come from
// forward(2 blocks) − forward(1 block), the K/V work from prepare_text(2) − prepare_text(1); a
// call is overhead + 48 blocks; the loops multiply by their transformer calls and add the
// cache's one-off preparations.
#include <omp.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <functional>

#include "bench_transformer.h"
#include "core/memory_stats.h"

using namespace ltx2;
using namespace ltx2::bench;

namespace {

constexpr int kBlocks = 48;

// Best-of-reps seconds of each measurement; the measurements of a repetition run back to back
// (interleaved), so load on a shared machine hits them alike.
struct Timings {
    double uncached[2] = {1e30, 1e30};  // forward, text K/V computed in the call; 1 and 2 blocks
    double cached[2] = {1e30, 1e30};    // forward with the prepared cache
    double prepare[2] = {1e30, 1e30};   // prepare_text
};

double timed(const std::function<void()>& fn) {
    const auto t0 = Clock::now();
    fn();
    return seconds_since(t0);
}

Timings measure(const LTXModel* models[2], const Modality& video, const Modality& audio, int reps) {
    Timings t;
    TextContextCache caches[2];
    for (int m = 0; m < 2; ++m) {  // warm-up: page in the weights, build the oneDNN primitives
        caches[m] = models[m]->prepare_text(&video, &audio);
        models[m]->forward(&video, &audio, {}, &caches[m]);
        models[m]->forward(&video, &audio);
    }
    for (int r = 0; r < reps; ++r)
        for (int m = 0; m < 2; ++m) {
            const LTXModel& model = *models[m];
            t.uncached[m] = std::min(t.uncached[m], timed([&] { model.forward(&video, &audio); }));
            t.cached[m] = std::min(t.cached[m], timed([&] { model.forward(&video, &audio, {}, &caches[m]); }));
            t.prepare[m] = std::min(t.prepare[m], timed([&] { model.prepare_text(&video, &audio); }));
        }
    return t;
}

// Per-block cost and the rest of one call, from the 1- and 2-block times.
struct Split {
    double per_block, rest;
    double full_model() const { return rest + kBlocks * per_block; }
};
Split split(const double t[2]) {
    const double block = std::max(t[1] - t[0], 1e-9);
    return {block, std::max(t[0] - block, 0.0)};
}

struct Loop {
    const char* name;
    int calls;        // transformer calls of the whole generation
    int text_caches;  // prepare_text calls with the cache (one per stage and context set)
};

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Denoising-step cost of the 19B transformer with and without the text K/V cache."};
    TransformerBenchOptions options;
    options.add_to(app);
    CLI11_PARSE(app, argc, argv);

    try {
        print_machine();
        const auto [m1, m2] = one_and_two_block_models(options);

        // 121 frames at 256 x 384 pixels: 16 x 8 x 12 latent tokens; round(121 / 24 · 25) audio tokens.
        const Workload w{16, 8, 12, 126};
        const BlockInputs inputs = block_inputs(w, options.context_tokens, m2.config().caption_channels);
        std::printf("video tokens %lld, audio tokens %lld, text context %lld x %lld\n\n", (long long)w.video_tokens(),
                    (long long)w.audio_tokens, (long long)options.context_tokens,
                    (long long)m2.config().caption_channels);

        const LTXModel* models[2] = {&m1, &m2};
        const Timings t = measure(models, inputs.video, inputs.audio, options.reps);
        const Split uncached = split(t.uncached), cached = split(t.cached), prepare = split(t.prepare);

        // The uncached call does the cached call's work plus exactly what prepare_text does (caption
        // projection, every block's text K/V), so its cost is cached + prepare; the directly timed
        // uncached call is printed as a cross-check (it differs by the run-to-run noise).
        const double kv_block = prepare.per_block, kv_call = prepare.full_model();
        const double call_cached = cached.full_model(), call_uncached = call_cached + kv_call;
        std::printf("one block, text K/V cached         %8.1f ms\n", cached.per_block * 1e3);
        std::printf(
            "  its text K/V (video + audio)     %8.1f ms  (the block recomputing it: %.1f ms; timed: %.1f ms)\n",
            kv_block * 1e3, (cached.per_block + kv_block) * 1e3, uncached.per_block * 1e3);
        std::printf("rest of a call (embedders, head)   %8.1f ms  (+ caption projection %.1f ms uncached)\n",
                    cached.rest * 1e3, prepare.rest * 1e3);
        std::printf("one call, 48 blocks, cached        %8.2f s\n", call_cached);
        std::printf("one call, 48 blocks, K/V per call  %8.2f s  = cached + %.2f s of text work (timed: %.2f s)\n",
                    call_uncached, kv_call, uncached.full_model());
        std::printf("saved per call                     %8.1f %%\n\n", 100.0 * kv_call / call_uncached);

        // Every call counted at this token count (the distilled stage 1 really runs at 1/4 of it).
        const Loop loops[] = {{"distilled, 8 + 3 steps", 11, 2},
                              {"one-stage, 40 steps x 4 calls", 160, 2},
                              {"two-stage, 40 x 4 + 3 calls", 163, 3}};
        std::printf("%-32s %6s %13s %13s %8s\n", "loop", "calls", "K/V per call", "K/V cached", "ratio");
        for (const Loop& l : loops) {
            const double without = l.calls * call_uncached;
            const double with = l.calls * call_cached + l.text_caches * kv_call;
            std::printf("%-32s %6d %11.0f s %11.0f s %7.3fx\n", l.name, l.calls, without, with, without / with);
        }
        std::printf("\npeak RSS: %.2f GiB (the mapped 1- and 2-block checkpoints + activations)\n",
                    gib(double(peak_rss_bytes())));
    } catch (const Error& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
    return 0;
}
