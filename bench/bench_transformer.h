#pragma once
// Shared by the transformer benchmarks: checkpoints of the real 19B (or 2.3 22B) configuration restricted to
// a few blocks (random bf16 weights, from the tensor manifest), the pipelines' positions for a
// latent grid, the FLOP count of one block, and timed forward passes.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "bench_util.h"
#include "manifest_bench.h"
#include "core/error.h"
#include "io/safetensors.h"
#include "io/weight_store.h"
#include "models/transformer/model.h"

namespace ltx2::bench {

// A checkpoint's transformer tensors, from the manifest, restricted to `layers` blocks.
inline std::vector<std::pair<std::string, Tensor>> random_weights(const nlohmann::json& manifest, int layers) {
    std::vector<std::pair<std::string, Tensor>> out;
    const std::string blocks = "model.diffusion_model.transformer_blocks.";
    uint64_t seed = 7;
    for (const auto& t : manifest.at("tensors")) {
        std::string name = t.at("name");
        if (name.rfind(blocks, 0) == 0 && std::stoi(name.substr(blocks.size())) >= layers) continue;
        Shape shape = t.at("shape").get<Shape>();
        // Weights scaled like a trained model's (unit-variance outputs); norms at 1, tables small.
        float scale = 0.02f;
        if (name.ends_with("norm.weight"))
            scale = 0.0f;
        else if (name.ends_with(".weight") && shape.size() == 2)
            scale = std::sqrt(3.0f / float(shape[1]));
        Tensor w = random_tensor(shape, DType::BF16, scale, ++seed);
        if (scale == 0.0f) {
            uint16_t one = f32_to_bf16(1.0f);
            std::fill(w.data<uint16_t>(), w.data<uint16_t>() + w.numel(), one);
        }
        out.emplace_back(name, w);
    }
    return out;
}

inline std::string write_model(const nlohmann::json& manifest, int layers, const std::filesystem::path& dir) {
    nlohmann::json config = manifest_config(manifest);
    config["transformer"]["num_layers"] = layers;
    auto path = (dir / ("ltx2_bench_block_" + std::to_string(layers) + ".safetensors")).string();
    std::map<std::string, std::string> metadata{{"config", config.dump()}};
    if (manifest.contains("model_version")) metadata["model_version"] = manifest.at("model_version").get<std::string>();
    write_safetensors(path, random_weights(manifest, layers), metadata);
    return path;
}

// The options every transformer benchmark takes.
struct TransformerBenchOptions {
    std::string manifest = std::string(LTX2_SOURCE_DIR) + "/tests/golden/manifest/transformer.json";
    static std::string ltx23_manifest() {
        return std::string(LTX2_SOURCE_DIR) + "/tests/golden/ltx23/manifest/transformer.json";
    }
    int reps = 1;
    int64_t context_tokens = 1024;
    std::string tmp = std::filesystem::temp_directory_path().string();

    void add_to(CLI::App& app) {
        app.add_option("--manifest", manifest, "tensor manifest of the 19B transformer");
        app.add_option("--reps", reps, "timed repetitions per measurement");
        app.add_option("--context", context_tokens, "text context tokens");
        app.add_option("--tmp", tmp, "folder for the random-weight checkpoints (deleted afterwards)");
    }
};

// A model of the real configuration with `layers` blocks of random weights, written to
// options.tmp, mapped, and unlinked again (the mapping stays valid).
inline LTXModel block_model(const TransformerBenchOptions& options, int layers,
                            const TransformerLoadOptions& load_options = {}) {
    const nlohmann::json manifest = read_manifest(options.manifest);
    std::fprintf(stderr, "writing a random-weight checkpoint (%d blocks) to %s ...\n", layers, options.tmp.c_str());
    const std::string path = write_model(manifest, layers, options.tmp);
    LTXModel model = LTXModel::load(WeightStore::open(path, "model.diffusion_model."), load_options);
    std::filesystem::remove(path);
    return model;
}

// Models with 1 and 2 blocks (their difference is one block plus nothing else).
inline std::pair<LTXModel, LTXModel> one_and_two_block_models(const TransformerBenchOptions& options) {
    return {block_model(options, 1), block_model(options, 2)};
}

// Positions as the pipelines build them for a latent grid (frames x rows x cols), 24 fps.
inline Tensor video_positions(int frames, int rows, int cols) {
    const int64_t t = int64_t(frames) * rows * cols;
    Tensor p = Tensor::zeros({1, 3, t, 2});
    float* d = p.data<float>();
    int64_t i = 0;
    for (int f = 0; f < frames; ++f)
        for (int h = 0; h < rows; ++h)
            for (int w = 0; w < cols; ++w, ++i) {
                float t0 = float(std::max(8 * f - 7, 0)) / 24.0f, t1 = float(8 * f + 1) / 24.0f;
                float bounds[3][2] = {{t0, t1}, {32.0f * h, 32.0f * h + 32}, {32.0f * w, 32.0f * w + 32}};
                for (int a = 0; a < 3; ++a) {
                    d[(a * t + i) * 2] = bounds[a][0];
                    d[(a * t + i) * 2 + 1] = bounds[a][1];
                }
            }
    return p;
}

inline Tensor audio_positions(int64_t tokens) {
    Tensor p = Tensor::zeros({1, 1, tokens, 2});
    float* d = p.data<float>();
    for (int64_t i = 0; i < tokens; ++i) {
        d[2 * i] = float(std::max<int64_t>(4 * i - 3, 0)) * 160.0f / 16000.0f;
        d[2 * i + 1] = float(4 * i + 1) * 160.0f / 16000.0f;
    }
    return p;
}

struct Workload {
    int frames, rows, cols;
    int64_t audio_tokens;
    int64_t video_tokens() const { return int64_t(frames) * rows * cols; }
};

// Multiply-adds x2 of one block (video width dv, audio width da, context tokens l).
inline double block_gflop(const TransformerConfig& c, int64_t tv, int64_t ta, int64_t l, bool include_text_kv) {
    const double dv = c.video.dim(), da = c.audio.dim(), ctx_v = c.video.context_dim, ctx_a = c.audio.context_dim;
    auto lin = [](double m, double k, double n) { return 2.0 * m * k * n; };
    auto attn = [](double tq, double tk, double d) { return 4.0 * tq * tk * d; };
    double f = 0;
    // video: self-attention, text cross-attention, feed-forward
    f += 4 * lin(tv, dv, dv) + attn(tv, tv, dv);
    f += 2 * lin(tv, dv, dv) + attn(tv, double(l), dv) + (include_text_kv ? 2 * lin(double(l), ctx_v, dv) : 0);
    f += 2 * lin(tv, dv, 4 * dv);
    // audio
    f += 4 * lin(ta, da, da) + attn(ta, ta, da);
    f += 2 * lin(ta, da, da) + attn(ta, double(l), da) + (include_text_kv ? 2 * lin(double(l), ctx_a, da) : 0);
    f += 2 * lin(ta, da, 4 * da);
    // audio->video (q from video, k/v from audio, inner width = audio width) and video->audio
    f += lin(tv, dv, da) + 2 * lin(ta, da, da) + lin(tv, da, dv) + attn(tv, ta, da);
    f += lin(ta, da, da) + 2 * lin(tv, dv, da) + lin(ta, da, da) + attn(ta, tv, da);
    return f / 1e9;
}

// Random latents at sigma 0.7 and a random text context (one shared by both streams when the
// model projects captions; at stream width each otherwise, as LTX-2.3's text encoder delivers).
struct BlockInputs {
    Modality video, audio;
};

inline BlockInputs block_inputs(const Workload& w, int64_t context_tokens, const TransformerConfig& c) {
    const int64_t tv = w.video_tokens();
    BlockInputs in;
    Modality& video = in.video;
    Modality& audio = in.audio;
    video.latent = random_tensor({1, tv, 128}, DType::F32, 1.0f, 11);
    video.positions = video_positions(w.frames, w.rows, w.cols);
    video.timesteps = Tensor::from_f32({1, tv}, std::vector<float>(size_t(tv), 0.7f));
    const int64_t video_width = c.caption_projection ? c.caption_channels : c.video.context_dim;
    video.context = random_tensor({1, context_tokens, video_width}, DType::F32, 1.0f, 12);
    video.sigma = Tensor::from_f32({1}, {0.7f});
    audio.latent = random_tensor({1, w.audio_tokens, 128}, DType::F32, 1.0f, 13);
    audio.positions = audio_positions(w.audio_tokens);
    audio.timesteps = Tensor::from_f32({1, w.audio_tokens}, std::vector<float>(size_t(w.audio_tokens), 0.7f));
    audio.context = c.caption_projection
                        ? video.context
                        : random_tensor({1, context_tokens, int64_t(c.audio.context_dim)}, DType::F32, 1.0f, 14);
    audio.sigma = video.sigma;
    return in;
}

// The 19B form: captions projected by the model from `caption_channels` features.
inline BlockInputs block_inputs(const Workload& w, int64_t context_tokens, int64_t caption_channels) {
    TransformerConfig c;
    c.caption_channels = int(caption_channels);
    return block_inputs(w, context_tokens, c);
}

}  // namespace ltx2::bench
