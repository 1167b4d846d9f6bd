// The attention op alone, as the transformer's video self-attention calls it (32 heads x 128, bf16
// products with f32 softmax, every key visible), at several token counts, against the in-process
// bf16 matmul peak; and the working memory it takes beyond its inputs and output, which must grow
// with the tokens, not with their square (a [heads, T, T] score matrix is 4.5 GiB at 6144 tokens).
//
// Every figure is the median, with min and max, of --reps repetitions; within a repetition every
// token count runs once, so load changes reach all alike. The peak is sampled before the first
// repetition and after every measurement; % of peak is against the largest sample. A time <= 0 or
// above 105 % of the peak fails the benchmark (block_figures.h). FLOPs: 4·T²·D per head (QKᵀ and
// E·V), the softmax not counted.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bench_util.h"
#include "block_figures.h"
#include "core/error.h"
#include "core/memory_stats.h"
#include "ops/attention.h"

using namespace ltx2;
using namespace ltx2::bench;

namespace {

struct AttentionCase {
    int64_t tokens;
    Tensor q, k, v;
    std::vector<double> seconds;
    double working_bytes = 0;  // peak resident memory of one call beyond what was resident before it
};

double time_call(const AttentionCase& c, int heads, Precision precision) {
    const auto t0 = Clock::now();
    const Tensor out = attention(c.q, c.k, c.v, Tensor(), heads, precision);
    const double s = seconds_since(t0);
    if (!std::isfinite(out.at({0, 0, 0}))) fail("attention at {} tokens: non-finite output", c.tokens);
    return s;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Times the attention op (video self-attention shape) against the in-process matmul peak."};
    std::vector<int64_t> tokens = {384, 1536, 6144};
    int heads = 32, head_dim = 128, reps = 5;
    std::string precision_name = "bf16";
    bool json_out = false;
    app.add_option("--tokens", tokens, "token counts (queries = keys)")->capture_default_str();
    app.add_option("--heads", heads, "heads")->capture_default_str()->check(CLI::PositiveNumber);
    app.add_option("--head-dim", head_dim, "width of a head")->capture_default_str()->check(CLI::PositiveNumber);
    app.add_option("--reps", reps, "repetitions (median, min and max are reported)")
        ->capture_default_str()
        ->check(CLI::PositiveNumber);
    app.add_option("--precision", precision_name, "bf16 | f32")->check(CLI::IsMember({"bf16", "f32"}))->capture_default_str();
    app.add_flag("--json", json_out, "print the figures as one JSON object on stdout (the table goes to stderr)");
    CLI11_PARSE(app, argc, argv);
    std::FILE* table = json_out ? stderr : stdout;
    const Precision precision = precision_name == "bf16" ? Precision::BF16 : Precision::F32;

    try {
        print_machine(table);
        auto peak_sample = [] { return onednn_bf16_matmul_gflops(1024, 4096, 4096, 10); };
        std::vector<double> peaks = {peak_sample()};
        std::vector<AttentionCase> cases;
        const int64_t width = int64_t(heads) * head_dim;
        for (const int64_t t : tokens) {
            if (t <= 0) fail("--tokens {}: expected a positive token count", t);
            AttentionCase c{t, random_tensor({1, t, width}, DType::F32, 1.0f, 1), random_tensor({1, t, width}, DType::F32, 1.0f, 2),
                            random_tensor({1, t, width}, DType::F32, 1.0f, 3), {}, 0.0};
            // The first call: what it needs beyond the resident inputs, and the warm-up.
            (void)reset_peak_rss();
            const double before = double(current_rss_bytes());
            (void)time_call(c, heads, precision);
            c.working_bytes = double(peak_rss_bytes()) - before;
            cases.push_back(std::move(c));
        }
        for (int rep = 0; rep < reps; ++rep)
            for (AttentionCase& c : cases) {
                c.seconds.push_back(time_call(c, heads, precision));
                peaks.push_back(peak_sample());
            }
        const double peak = *std::max_element(peaks.begin(), peaks.end());
        std::fprintf(table, "oneDNN bf16 matmul 1024x4096x4096: max %.0f GFLOP/s of %zu samples (median %.0f); %% of "
                     "peak is against the max\n", peak, peaks.size(), median(peaks));
        std::fprintf(table, "\nattention, %d heads x %d, %s, median (min..max) of %d\n", heads, head_dim,
                     precision_name.c_str(), reps);
        std::fprintf(table, "%8s | %22s | %14s | %s\n", "tokens", "ms per call", "GFLOP/s (%pk)", "working memory");
        nlohmann::json rows = nlohmann::json::array();
        std::vector<std::string> impossible;
        for (const AttentionCase& c : cases) {
            const Spread s = spread_of(c.seconds);
            const double gflop = 4.0 * double(c.tokens) * double(c.tokens) * head_dim * heads / 1e9;
            const double rate = gflop / s.median, pct = 100.0 * rate / peak;
            std::fprintf(table, "%8lld | %7.1f (%6.1f..%6.1f) | %6.0f (%3.0f%%) | %.1f MiB\n", (long long)c.tokens,
                         s.median * 1e3, s.min * 1e3, s.max * 1e3, rate, pct, c.working_bytes / (1024.0 * 1024.0));
            if (auto why = impossible_block_timing(fmt::format("attention at {} tokens", c.tokens), s, gflop, peak))
                impossible.push_back(*why);
            rows.push_back({{"tokens", c.tokens},
                            {"ms_median", s.median * 1e3},
                            {"ms_min", s.min * 1e3},
                            {"ms_max", s.max * 1e3},
                            {"gflop", gflop},
                            {"pct_of_peak_median", pct},
                            {"working_memory_mib", c.working_bytes / (1024.0 * 1024.0)}});
        }
        if (json_out) {
            const cpu::CpuPaths machine = cpu::cpu_paths();
            nlohmann::json out = {{"benchmark", "bench_attention"},
                                  {"cpu", machine.cpu_model},
                                  {"isa", machine.isa_description()},
                                  {"threads", machine.threads},
                                  {"heads", heads},
                                  {"head_dim", head_dim},
                                  {"precision", precision_name},
                                  {"peak_gflops", peak},
                                  {"reps", reps},
                                  {"rows", rows}};
            std::printf("%s\n", out.dump().c_str());
        }
        if (!impossible.empty()) {
            for (const std::string& why : impossible) std::fprintf(stderr, "impossible figure: %s\n", why.c_str());
            return 3;
        }
    } catch (const Error& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
    return 0;
}
