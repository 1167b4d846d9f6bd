// The LTX-2 video VAE decoder at full size (the 19B checkpoint's decoder: 1024/512/256/128
// channels, three depth-to-space 2x2x2 stages, 4x4 unpatchify; or, with --manifest naming the
// LTX-2.3 manifest, its 1024/512/512/256/128 decoder with zero padding), with random bf16 weights
// written from the tensor manifest to a temporary checkpoint (encoder tensors skipped; deleted
// afterwards). Two cases: a 4x8x12 latent (25 frames of 256x384) decoded untiled, and a
// 16x16x24 latent (121 frames of 512x768) decoded tiled with the tiling that choose_tiling picks
// for --budget-gib. The per-voxel memory cost given to choose_tiling is measured on the small
// case (its activation high-water mark / output voxels) unless --voxel-bytes is given.
// Reports wall time (the median of --reps), the convolutions' GFLOP (multiply-adds x2, counted from the
// weight shapes at each tile's actual size), GFLOP/s against a plain oneDNN bf16 convolution
// measured in the same run (%conv), output frames and peak RSS. Outputs are checked finite.
// With --diffvae: the LTX-2.5 diffusion decoder instead (diffvae_bench.h).
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

#include "bench_util.h"
#include "ops/op_profile.h"
#include "manifest_bench.h"
#include "sample_stats.h"
#include "diffvae_bench.h"
#include "core/error.h"
#include "core/memory_stats.h"
#include "io/safetensors.h"
#include "io/weight_store.h"
#include "models/video_vae/model.h"
#include "models/video_vae/tiling.h"

using namespace ltx2;
using namespace ltx2::bench;
namespace fs = std::filesystem;

namespace {

// The decoder's tensors (encoder skipped).
std::vector<std::pair<std::string, Tensor>> random_weights(const nlohmann::json& manifest) {
    return random_conv_model_weights(
        manifest, [](const std::string& name) { return name.rfind("vae.encoder.", 0) != 0; },
        [](const std::string&, const Shape& s) { return conv_fan_in(s); }, 7);
}

// Multiply-adds x2 of every decoder convolution for one latent [B, C, F, H, W], from the
// manifest's weight shapes. A block's grid is the latent's after the upsamplers before it: a
// time-doubling one maps F to 2F − 1 (the causal first frame is dropped), a space-doubling one
// doubles H and W. Every conv keeps its input's grid, an upsampler's conv runs before its
// depth-to-space, conv_out at the last grid (before the 4x4 unpatchify).
double decoder_gflop(const nlohmann::json& manifest, const VideoVaeConfig& c, const Shape& latent) {
    const auto& blocks = c.decoder_blocks;
    struct Grid {
        int t = 0, s = 0;  // time / space doublings so far
    };
    std::vector<Grid> grid_of_block(blocks.size());
    Grid level;
    for (size_t i = 0; i < blocks.size(); ++i) {
        grid_of_block[i] = level;
        if (blocks[i].time_stride() == 2) ++level.t;
        if (blocks[i].space_stride() == 2) ++level.s;
    }
    auto voxels = [&](Grid g) {
        double f = double(latent[2]);
        for (int i = 0; i < g.t; ++i) f = 2 * f - 1;
        return double(latent[0]) * f * double(latent[3] << g.s) * double(latent[4] << g.s);
    };
    double flop = 0;
    const std::string dec = "vae.decoder.";
    for (const auto& t : manifest.at("tensors")) {
        std::string name = t.at("name");
        Shape s = t.at("shape").get<Shape>();
        if (name.rfind(dec, 0) != 0 || !name.ends_with(".weight") || s.size() != 5) continue;
        const std::string rest = name.substr(dec.size());
        Grid l;  // conv_in
        if (rest.rfind("conv_out", 0) == 0) l = level;
        else if (rest.rfind("up_blocks.", 0) == 0) l = grid_of_block.at(size_t(std::stoi(rest.substr(10))));
        double macs = 1;
        for (int64_t d : s) macs *= double(d);
        flop += 2.0 * macs * voxels(l);
    }
    return flop / 1e9;
}

struct Finite {
    bool ok = true;
    double max_abs = 0, sum_sq = 0;
    int64_t n = 0;
};
Finite check_finite(const Tensor& v) {
    Finite f;
    const float* p = v.data<float>();
    f.n = v.numel();
    for (int64_t i = 0; i < f.n; ++i) {
        if (!std::isfinite(p[i])) {
            f.ok = false;
            break;
        }
        f.max_abs = std::max(f.max_abs, double(std::fabs(p[i])));
        f.sum_sq += double(p[i]) * p[i];
    }
    return f;
}

struct Result {
    std::string name;
    std::vector<double> samples;  // seconds per repetition
    double seconds = 0, gflop = 0;  // seconds: the median
    int64_t frames = 0, height = 0, width = 0;
    size_t tiles = 1;
    double peak_rss = 0;
};

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Times the full-size LTX-2 video VAE decoder (random bf16 weights)."};
    std::string manifest_path = std::string(LTX2_SOURCE_DIR) + "/tests/golden/manifest/video_vae.json";
    int reps = 1;
    bool profile = false;
    bool skip_large = false;
    double budget_gib = 4.0, voxel_bytes = 0;
    std::string tmp = fs::temp_directory_path().string();
    app.add_option("--manifest", manifest_path, "tensor manifest of the video VAE");
    app.add_option("--reps", reps, "timed repetitions per case (the median is reported)");
    app.add_flag("--skip-large", skip_large, "only the small untiled case");
    app.add_flag("--profile", profile, "after the small case, one more small decode with its op profile (ops/op_profile.h)");
    app.add_option("--budget-gib", budget_gib, "decoder memory budget for choose_tiling (large case)");
    app.add_option("--voxel-bytes", voxel_bytes, "bytes per output voxel for choose_tiling (default: measured)");
    app.add_option("--tmp", tmp, "folder for the random-weight checkpoint (deleted afterwards)");
    bool diffvae = false, diffvae_f32 = false;
    double diffvae_budget_gib = 0;
    std::string diffvae_manifest = std::string(LTX2_SOURCE_DIR) + "/tests/golden/ltx25/manifest/diffvae_decoder.json";
    std::vector<int64_t> diffvae_latent{16, 16, 24};
    app.add_flag("--diffvae", diffvae, "time the LTX-2.5 DiffVAE decoder (one untiled decode) instead");
    app.add_option("--diffvae-manifest", diffvae_manifest, "tensor manifest of the DiffVAE decoder");
    app.add_option("--latent", diffvae_latent, "DiffVAE latent frames, rows, columns (default 16 16 24)")
        ->expected(3);
    app.add_flag("--f32-weights", diffvae_f32, "DiffVAE: convert the weights to float32 (the golden's arithmetic)");
    app.add_option("--diffvae-budget-gib", diffvae_budget_gib,
                   "DiffVAE: tiled decode with tile sizes chosen for this memory budget (default 0: untiled)");
    CLI11_PARSE(app, argc, argv);
    if (diffvae) return run_diffvae_bench(diffvae_manifest, diffvae_latent, diffvae_f32, diffvae_budget_gib, tmp);

    try {
        const nlohmann::json manifest = read_manifest(manifest_path);

        print_machine();
        const double peak = onednn_bf16_conv_gflops();
        std::printf("oneDNN bf16 convolution 512->512 3x3x3 on 8x32x32: %.1f GFLOP/s (the reference peak, %%conv)\n",
                    peak);

        const fs::path file = fs::path(tmp) / "ltx2_bench_video_vae.safetensors";
        std::fprintf(stderr, "writing the random-weight decoder checkpoint to %s ...\n", file.string().c_str());
        write_safetensors(file.string(), random_weights(manifest), {{"config", manifest_config(manifest).dump()}});
        std::printf("checkpoint: %.2f GiB (decoder only, bf16)\n", gib(double(fs::file_size(file))));
        const VideoDecoder decoder = VideoDecoder::load(WeightStore::open(file.string(), "vae."));
        const VideoVaeConfig& cfg = decoder.config();
        std::printf("decoder: timestep_conditioning %s, first width %d\n", cfg.timestep_conditioning ? "on" : "off",
                    cfg.decoder_first_channels());

        std::vector<Result> results;
        const auto report = [&](Result r) {
            r.seconds = median(r.samples);
            const double gflops = r.gflop / r.seconds;
            std::printf("%-34s %5zu %8.1f %9.0f %8.0f %5.0f%% %7lld %5lldx%-5lld %7.2f\n", r.name.c_str(), r.tiles,
                        r.seconds, r.gflop, gflops, 100.0 * gflops / peak, (long long)r.frames, (long long)r.width,
                        (long long)r.height, gib(r.peak_rss));
            std::fflush(stdout);
        };
        const auto header = [] {
            std::printf("\n%-34s %5s %8s %9s %8s %6s %7s %11s %7s\n", "case", "tiles", "wall s", "GFLOP", "GFLOP/s",
                        "%conv", "frames", "WxH", "RSS GiB");
        };

        // (a) small latent, untiled.
        const Shape small{1, 128, 4, 8, 12};
        double measured_voxel_bytes = 0;
        {
            Tensor latent = random_tensor(small, DType::F32, 1.0f, 101);
            Result r;
            r.name = "4x8x12 latent, untiled";
            const double rss_before = double(current_rss_bytes());
            for (int rep = 0; rep < reps; ++rep) {
                auto t0 = Clock::now();
                Tensor video = decoder.decode(latent);
                const double s = seconds_since(t0);
                r.samples.push_back(s);
                std::fprintf(stderr, "  small rep %d: %.2f s\n", rep, s);
                Finite f = check_finite(video);
                if (!f.ok) fail("non-finite output from the small decode");
                r.frames = video.size(2);
                r.height = video.size(3);
                r.width = video.size(4);
                if (rep == 0)
                    std::printf("small output [1, 3, %lld, %lld, %lld]: finite, max |x| %.3f, rms %.3f\n",
                                (long long)r.frames, (long long)r.height, (long long)r.width, f.max_abs,
                                std::sqrt(f.sum_sq / double(f.n)));
            }
            r.gflop = decoder_gflop(manifest, cfg, small);
            r.peak_rss = double(peak_rss_bytes());
            // Activation high-water mark of the decode: peak minus what stays resident afterwards
            // (the touched weight pages and caches).
            const double after = double(current_rss_bytes());
            const double voxels = double(r.frames) * double(r.height) * double(r.width);
            measured_voxel_bytes = std::max(r.peak_rss - std::max(after, rss_before), 1.0) / voxels;
            std::printf("RSS before %.2f GiB, peak %.2f GiB, after %.2f GiB -> %.0f bytes per output voxel\n",
                        gib(rss_before), gib(r.peak_rss), gib(after), measured_voxel_bytes);
            results.push_back(r);
            header();
            report(r);
            if (profile) {
                reset_op_profile();
                set_op_profiling(true);
                const auto t0 = Clock::now();
                (void)decoder.decode(latent);
                const double s = seconds_since(t0);
                set_op_profiling(false);
                std::printf("\none more small decode with the op profile on, %.2f s:\n%s\n", s,
                            describe_op_profile(op_profile(), s).c_str());
            }
        }

        // (b) large latent, tiled as choose_tiling picks for the budget.
        if (!skip_large) {
            const Shape large{1, 128, 16, 16, 24};
            vae_tiling::TilingRequest req;
            req.budget_bytes = budget_gib * 1024.0 * 1024.0 * 1024.0;
            req.bytes_per_output_voxel = voxel_bytes > 0 ? voxel_bytes : measured_voxel_bytes;
            req.resident_bytes = double(current_rss_bytes());  // weights, conv caches, the process
            const vae_tiling::TilingConfig tiling = vae_tiling::choose_tiling(large, req);
            const vae_tiling::TilePlan plan = vae_tiling::plan_tiles(large, tiling);
            std::printf("\nlarge: budget %.2f GiB at %.0f bytes/voxel -> tiling %s, %zu tiles (t %zu x h %zu x w %zu), "
                        "largest tile %lld output voxels (%.2f GiB modelled)\n",
                        budget_gib, req.bytes_per_output_voxel, tiling.str().c_str(), plan.num_tiles(), plan.t.size(),
                        plan.h.size(), plan.w.size(), (long long)plan.max_tile_voxels(),
                        gib(req.bytes_per_output_voxel * double(plan.max_tile_voxels())));
            for (const auto& a : plan.t)
                std::printf("  t latent [%lld, %lld) -> frames [%lld, %lld)\n", (long long)a.in_start,
                            (long long)a.in_end, (long long)a.out_start, (long long)a.out_end);
            for (const auto& a : plan.h)
                std::printf("  h latent [%lld, %lld) -> rows [%lld, %lld)\n", (long long)a.in_start,
                            (long long)a.in_end, (long long)a.out_start, (long long)a.out_end);
            for (const auto& a : plan.w)
                std::printf("  w latent [%lld, %lld) -> cols [%lld, %lld)\n", (long long)a.in_start,
                            (long long)a.in_end, (long long)a.out_start, (long long)a.out_end);
            std::fflush(stdout);

            Tensor latent = random_tensor(large, DType::F32, 1.0f, 102);
            Result r;
            r.name = "16x16x24 latent, tiled";
            r.tiles = plan.num_tiles();
            for (int rep = 0; rep < reps; ++rep) {
                double gflop = 0;
                int tile = 0;
                auto t0 = Clock::now();
                Tensor video = vae_tiling::tiled_decode(latent, tiling, [&](const Tensor& t) {
                    auto tt = Clock::now();
                    gflop += decoder_gflop(manifest, cfg, t.shape());
                    Tensor v = decoder.decode(t);
                    std::fprintf(stderr, "  tile %d latent %s: %.1f s\n", tile++, shape_str(t.shape()).c_str(),
                                 seconds_since(tt));
                    return v;
                });
                const double s = seconds_since(t0);
                r.samples.push_back(s);
                r.gflop = gflop;
                Finite f = check_finite(video);
                if (!f.ok) fail("non-finite output from the large tiled decode");
                r.frames = video.size(2);
                r.height = video.size(3);
                r.width = video.size(4);
                if (rep == 0)
                    std::printf("large output [1, 3, %lld, %lld, %lld]: finite, max |x| %.3f, rms %.3f; untiled conv "
                                "work would be %.0f GFLOP\n",
                                (long long)r.frames, (long long)r.height, (long long)r.width, f.max_abs,
                                std::sqrt(f.sum_sq / double(f.n)), decoder_gflop(manifest, cfg, large));
            }
            r.peak_rss = double(peak_rss_bytes());
            results.push_back(r);
            header();
            for (const auto& x : results) report(x);
        }
        fs::remove(file);
        std::printf("\npeak RSS: %.2f GiB (mapped bf16 decoder checkpoint + activations + output video)\n",
                    gib(double(peak_rss_bytes())));
    } catch (const Error& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
    return 0;
}
