// The full-size proof: a random-weight LTX-2 19B transformer written to local disk in a
// quantized layout, then one complete 48-block denoising step (x0 prediction) run from it
// within a memory budget, from a cold page cache. Reports wall time, per-block load (decode) and
// compute time, bytes read from storage, and peak RSS.
//
//   bench_stream_step --type q4_k --dir /big/tmp      # ComfyUI-GGUF layout (arch ltxv, no config)
//   bench_stream_step --type fp8 --dir /big/tmp       # the official fp8 safetensors layout
//   ... --manifest tests/golden/ltx23/manifest/transformer.json   # the LTX-2.3 22B transformer
//
// The file is written once by this process; the measurement runs in a fresh child process
// (`run` subcommand) so its peak RSS is the step's alone. The file is deleted afterwards unless
// --keep is given.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bench_transformer.h"
#include "bench_util.h"
#include "manifest_bench.h"
#include "page_cache.h"
#include "transformer_gguf_bench.h"
#include "core/error.h"
#include "core/memory_stats.h"
#include "io/gguf_writer.h"
#include "io/safetensors.h"
#include "io/weight_store.h"
#include "kernels/cpu/cpu_common.h"
#include "models/transformer/model.h"
#include "pipelines/model_loading.h"

namespace fs = std::filesystem;
using namespace ltx2;
using namespace ltx2::cpu;
using namespace ltx2::bench;

namespace {

const std::string& kPrefix = kTransformerPrefix;
const std::string kBlocks = "transformer_blocks.";

// e4m3 bytes with the top exponent bit clear: |x| <= 1.875, never NaN; times weight_scale 0.01.
void random_e4m3(BytePool& pool, std::byte* dst, size_t nbytes) {
    pool.fill(dst, nbytes);
    for (size_t i = 0; i < nbytes; ++i) dst[i] &= std::byte{0xBF};
}

// The reference's fp8 layout: block Linear weights e4m3 + F32 weight_scale / input_scale, except
// blocks 0 and 43..47; everything else bf16; prefix and config as in the official file.
bool fp8_quantized(const ManifestTensor& t) {
    if (!is_linear_weight(t) || !t.name.starts_with(kBlocks)) return false;
    const int block = std::stoi(t.name.substr(kBlocks.size()));
    return block != 0 && block < 43;
}

void write_fp8_safetensors(const std::vector<ManifestTensor>& tensors, const nlohmann::json& config,
                           const std::string& path) {
    auto pool = std::make_shared<BytePool>(size_t(64) << 20);
    std::vector<StreamedTensor> out;
    auto scalar = [](float v) { return [v](std::byte* d, size_t) { std::memcpy(d, &v, 4); }; };
    for (const ManifestTensor& t : tensors) {
        if (!fp8_quantized(t)) {
            out.push_back({kPrefix + t.name, DType::BF16, t.shape, [pool](std::byte* d, size_t n) { random_bf16(*pool, d, n); }});
            continue;
        }
        out.push_back({kPrefix + t.name, DType::F8_E4M3, t.shape, [pool](std::byte* d, size_t n) { random_e4m3(*pool, d, n); }});
        const std::string base = kPrefix + t.name.substr(0, t.name.size() - 6);
        out.push_back({base + "weight_scale", DType::F32, {}, scalar(0.01f)});
        out.push_back({base + "input_scale", DType::F32, {}, scalar(1.0f)});
    }
    write_safetensors_streamed(path, out, {{"config", config.dump()}});
}

struct RunOptions {
    std::string file, type, manifest;
    double budget_gib = 16;
    int frames = 3, rows = 8, cols = 16;  // 384 video tokens
    int64_t audio_tokens = 26, context_tokens = 1024;
    int steps = 1;
};

int run(const RunOptions& o) {
    evict(o.file);
    const nlohmann::json manifest = read_manifest(o.manifest);
    const nlohmann::json model_config = manifest_config(manifest);
    const std::optional<std::string> version =
        manifest.contains("model_version") ? std::optional(manifest.at("model_version").get<std::string>()) : std::nullopt;
    const TransformerConfig config =
        parse_transformer_config(model_config, o.manifest, model_semantics(version, model_config, o.manifest));
    const size_t budget = size_t(o.budget_gib * 1073741824.0);
    const size_t weight_budget = budget - (size_t(2) << 30);

    std::vector<BlockEvent> events;
    TransformerLoadOptions options;
    options.weight_budget_bytes = weight_budget;
    options.on_block = [&](const BlockEvent& e) { events.push_back(e); };

    const uint64_t read0 = storage_read_bytes();
    auto t0 = Clock::now();
    const WeightStore store = WeightStore::open(o.file, kPrefix);
    check_ltx_gguf_architecture(store);
    const LTXModel model = LTXModel::load(store, config, options);
    const double load_s = seconds_since(t0);
    const uint64_t read_load = storage_read_bytes() - read0;
    std::printf("model: %s, %d blocks\n", config.semantics.name().c_str(), config.num_layers);
    std::printf("file: %s (%.2f GiB on disk, %s)\n", o.file.c_str(), gib(double(fs::file_size(o.file))), o.type.c_str());
    std::printf("budget %.1f GiB (weights %.1f GiB): blocks %s%s\n", o.budget_gib, gib(double(weight_budget)),
                model.streams_blocks() ? "streamed" : "resident",
                model.releases_blocks() ? ", released after use" : ", kept mapped");
    std::printf("load: %.2f s, read %.2f GiB, RSS %.2f GiB\n", load_s, gib(double(read_load)),
                gib(double(current_rss_bytes())));

    const Workload w{o.frames, o.rows, o.cols, o.audio_tokens};
    const BlockInputs in = block_inputs(w, o.context_tokens, config);
    uint64_t r = storage_read_bytes();
    t0 = Clock::now();
    const TextContextCache cache = model.prepare_text(&in.video, &in.audio);
    std::printf("text K/V cache (once per stage): %.2f s, read %.2f GiB\n", seconds_since(t0),
                gib(double(storage_read_bytes() - r)));

    for (int step = 0; step < o.steps; ++step) {
        events.clear();
        r = storage_read_bytes();
        t0 = Clock::now();
        const AVTensors x0 = x0_forward(model, &in.video, &in.audio, {}, &cache);
        const double wall = seconds_since(t0);
        const uint64_t read = storage_read_bytes() - r;
        LTX2_CHECK(std::isfinite(x0.video.at({0, 0, 0})) && std::isfinite(x0.audio.at({0, 0, 0})),
                   "non-finite output from the benchmark model");
        double load = 0, compute = 0, worst = 0;
        for (const BlockEvent& e : events) {
            load += e.load_seconds;
            compute += e.compute_seconds;
            worst = std::max(worst, e.load_seconds + e.compute_seconds);
        }
        const double n = double(events.size());
        const double gflop = n * block_gflop(config, w.video_tokens(), w.audio_tokens, o.context_tokens, false);
        std::printf("step %d: %.2f s wall, %zu blocks, per block %.3f s (load/decode %.3f + compute %.3f, worst "
                    "%.3f), compute %.1f GFLOP/s, read %.2f GiB, RSS %.2f GiB\n",
                    step + 1, wall, events.size(), (load + compute) / n, load / n, compute / n, worst, gflop / compute,
                    gib(double(read)), gib(double(current_rss_bytes())));
    }
    const double peak = onednn_bf16_matmul_gflops(w.video_tokens(), 4096, 4096);
    std::printf("in-run oneDNN bf16 matmul peak (%lld x 4096 x 4096): %.1f GFLOP/s\n", (long long)w.video_tokens(),
                peak);
    std::printf("peak RSS %.2f GiB (budget %.1f GiB)\n", gib(double(peak_rss_bytes())), o.budget_gib);
    return peak_rss_bytes() <= budget ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) try {
    CLI::App app{"full-size LTX-2 transformer step from a quantized file within a memory budget"};
    RunOptions o;
    o.manifest = std::string(LTX2_SOURCE_DIR) + "/tests/golden/manifest/transformer.json";
    std::string dir = fs::temp_directory_path().string();
    bool keep = false;
    int threads = 0;
    app.add_option("--type", o.type, "q4_k (ComfyUI-GGUF layout) | fp8 (official fp8 safetensors)")->required();
    app.add_option("--dir", dir, "folder for the model file (tens of GB)");
    app.add_option("--budget-gib", o.budget_gib, "memory budget")->capture_default_str();
    app.add_option("--steps", o.steps, "denoising steps to time")->capture_default_str();
    app.add_option("--audio-tokens", o.audio_tokens)->capture_default_str();
    app.add_option("--context", o.context_tokens, "text context tokens")->capture_default_str();
    app.add_option("--manifest", o.manifest);
    app.add_option("-t,--threads", threads);
    app.add_flag("--keep", keep, "keep the model file (and reuse it when present)");
    auto* run_cmd = app.add_subcommand("run", "measure an existing file (used by the parent process)");
    run_cmd->add_option("file", o.file)->required();
    CLI11_PARSE(app, argc, argv);
    if (threads > 0) set_kernel_threads(threads);
    print_machine();
    LTX2_CHECK(o.type == "q4_k" || o.type == "fp8", "--type '{}': expected q4_k or fp8", o.type);
    if (*run_cmd) return run(o);

    const nlohmann::json manifest = read_manifest(o.manifest);
    const std::string model = manifest.contains("model_version") ? "ltx-2.3-22b" : "ltx-2-19b";
    const std::string file =
        (fs::path(dir) / (model + (o.type == "q4_k" ? "-random-q4_k.gguf" : "-random-fp8.safetensors"))).string();
    if (!(keep && fs::exists(file))) {
        std::fprintf(stderr, "writing %s ...\n", file.c_str());
        const auto t0 = Clock::now();
        if (o.type == "q4_k")
            write_q4_k_gguf(transformer_tensors(manifest), file);
        else
            write_fp8_safetensors(transformer_tensors(manifest), manifest_config(manifest), file);
        std::fprintf(stderr, "wrote %.2f GiB in %.1f s\n", gib(double(fs::file_size(file))), seconds_since(t0));
    }
    const std::string cmd = fmt::format("'{}' --type {} --budget-gib {} --steps {} --audio-tokens {} --context {} "
                                        "--manifest '{}'{} run '{}'",
                                        fs::read_symlink("/proc/self/exe").string(), o.type, o.budget_gib, o.steps,
                                        o.audio_tokens, o.context_tokens, o.manifest,
                                        threads > 0 ? fmt::format(" -t {}", threads) : "", file);
    const int rc = std::system(cmd.c_str());
    if (!keep) fs::remove(file);
    return rc == 0 ? 0 : 1;
} catch (const std::exception& e) {
    std::fprintf(stderr, "bench_stream_step: %s\n", e.what());
    return 2;
}
