#pragma once
// The LTX-2.5 DiffVAE decoder at full size (bench_video_vae --diffvae): random bf16 weights for
// every tensor of the DiffVAE manifest, written to a temporary checkpoint (deleted afterwards),
// one decode of a random latent from torch-generator noise canvases: untiled, or tiled with the
// tile sizes chosen for a memory budget (--diffvae-budget-gib; what the process holds after
// loading counts as resident). Prints the time of each stage and tile (as its result appears),
// the total, the output and peak RSS.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "bench_util.h"
#include "core/error.h"
#include "core/memory_stats.h"
#include "core/torch_rng.h"
#include "io/safetensors.h"
#include "io/weight_store.h"
#include "models/diffvae/decoder.h"

namespace ltx2::bench {

// Linear weights uniform ±sqrt(3 / fan_in) (unit-variance outputs), RMSNorm weights 1, latent
// statistics benign (std 1, mean 0), biases and scale-shift tables small.
inline std::vector<std::pair<std::string, Tensor>> random_diffvae_weights(const nlohmann::json& manifest) {
    std::vector<std::pair<std::string, Tensor>> out;
    uint64_t seed = 11;
    for (const auto& t : manifest.at("tensors")) {
        const std::string name = t.at("name");
        const Shape shape = t.at("shape").get<Shape>();
        Tensor w;
        if (name.ends_with("std-of-means")) w = filled(shape, DType::BF16, 1.0f);
        else if (name.ends_with("mean-of-means")) w = filled(shape, DType::BF16, 0.0f);
        else if (name.ends_with("norm.weight") || name.ends_with("norm1.weight") || name.ends_with("norm2.weight") ||
                 name.ends_with("norm_out.weight"))
            w = filled(shape, DType::BF16, 1.0f);
        else if (name.ends_with(".weight") && shape.size() == 2)
            w = random_tensor(shape, DType::BF16, float(std::sqrt(3.0 / double(shape[1]))), ++seed);
        else w = random_tensor(shape, DType::BF16, 0.02f, ++seed);
        out.emplace_back(name, w);
    }
    return out;
}

// latent_thw: the latent's frames, rows, columns (16, 16, 24: 121 frames of 512 x 768).
// budget_gib > 0: the tiled decode within that budget.
inline int run_diffvae_bench(const std::string& manifest_path, const std::vector<int64_t>& latent_thw,
                             bool f32_weights, double budget_gib, const std::string& tmp) {
    namespace fs = std::filesystem;
    try {
        std::ifstream in(manifest_path);
        if (!in) fail("{}: cannot open the tensor manifest", manifest_path);
        const nlohmann::json manifest = nlohmann::json::parse(in);
        if (latent_thw.size() != 3) fail("--latent needs three sizes T,H,W");
        print_machine();

        const fs::path file = fs::path(tmp) / "ltx2_bench_diffvae.safetensors";
        std::fprintf(stderr, "writing the random-weight DiffVAE decoder checkpoint to %s ...\n", file.string().c_str());
        write_safetensors(file.string(), random_diffvae_weights(manifest),
                          {{"config", manifest.at("config_metadata").dump()}, {"model_version", "2.5.0"}});
        std::printf("checkpoint: %.2f GiB (decoder only, bf16)\n", gib(double(fs::file_size(file))));
        const DiffVaeDecoder decoder = DiffVaeDecoder::load(
            WeightStore::open(file.string(), "vae."),
            f32_weights ? DiffVaeWeightPrecision::F32 : DiffVaeWeightPrecision::BF16);
        std::printf("weights: %s; RSS after load %.2f GiB\n",
                    f32_weights ? "converted to F32 (float32 products)" : "bf16 in place (bf16 products, f32 sums)",
                    gib(double(current_rss_bytes())));

        const Shape latent_shape{1, 128, latent_thw[0], latent_thw[1], latent_thw[2]};
        const Tensor latent = random_tensor(latent_shape, DType::F32, 1.0f, 101);
        TorchGenerator gen;
        gen.manual_seed(42);
        std::printf("latent %s, noise canvas %s\n", shape_str(latent_shape).c_str(),
                    shape_str(decoder.noise_canvas_shape(latent_shape)).c_str());
        std::fflush(stdout);

        const DiffVaeTiling tiling = budget_gib > 0
                                         ? DiffVaeTiling::from_budget(budget_gib * 1073741824.0, double(current_rss_bytes()))
                                         : DiffVaeTiling::untiled();
        const DiffVaeTileSizes sizes = decoder.tile_sizes(latent_shape, tiling);
        const std::string chosen =
            budget_gib > 0 ? fmt::format("{} for a budget of {:.2f} GiB", sizes.str(), budget_gib) : "untiled";
        std::printf("tiling: %s -> %zu tile(s)\n", chosen.c_str(), decoder.tile_schedule(latent_shape, sizes).num_tiles());
        std::fflush(stdout);

        const auto t0 = Clock::now();
        auto last = t0;
        const DiffVaeTap tap = [&](const std::string& name, const Tensor& value) {
            const auto now = Clock::now();
            std::printf("  %-16s %-24s +%8.1f s  (RSS %.2f GiB)\n", name.c_str(), shape_str(value.shape()).c_str(),
                        std::chrono::duration<double>(now - last).count(), gib(double(current_rss_bytes())));
            std::fflush(stdout);
            last = now;
        };
        const Tensor video = decoder.decode(latent, gen, tiling, tap);
        const double total = seconds_since(t0);
        std::printf("  %-16s %-24s +%8.1f s\n", "diffusion stage", shape_str(video.shape()).c_str(),
                    std::chrono::duration<double>(Clock::now() - last).count());

        double max_abs = 0;
        const float* p = video.f32();
        for (int64_t i = 0; i < video.numel(); ++i) {
            if (!std::isfinite(p[i])) fail("non-finite output at element {}", i);
            max_abs = std::max(max_abs, double(std::fabs(p[i])));
        }
        std::printf("decode: %.1f s wall for video %s (finite, max |x| %.3f); peak RSS %.2f GiB\n", total,
                    shape_str(video.shape()).c_str(), max_abs, gib(double(peak_rss_bytes())));
        fs::remove(file);
    } catch (const Error& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
    return 0;
}

}  // namespace ltx2::bench
