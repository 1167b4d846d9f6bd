#pragma once
// A complete full-size LTX-2 (19B) model with random weights, as the split files `ltx2` takes
// with --transformer / --text-projection / --video-vae / --audio-vae / --gemma /
// --spatial-upsampler:
//   - the transformer with its text connectors as a Q4_K GGUF in ComfyUI-GGUF's layout
//     (tests/golden/manifest/transformer.json);
//   - Gemma 3 12B as a llama.cpp Q4_K GGUF with Gemma 3's real vocabulary embedded (262144-row
//     token table, as llama.cpp writes it);
//   - the text projection, the video VAE (encoder and decoder), the audio VAE with the vocoder,
//     and the x2 spatial upsampler as bf16 safetensors from their manifests, each with its
//     config section as metadata.
// Weights are scaled so every stage's activations stay finite (see the writers' headers).
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "audio_weights_bench.h"
#include "bench_util.h"
#include "gemma_gguf_bench.h"
#include "io/safetensors.h"
#include "manifest_bench.h"
#include "models/gemma3/config.h"
#include "models/gemma3/gguf_vocabulary.h"
#include "transformer_gguf_bench.h"

namespace ltx2::bench {

struct E2eModelFiles {
    std::string transformer, gemma, text_projection, video_vae, audio_vae, spatial_upsampler;

    std::vector<std::string> all() const {
        return {transformer, gemma, text_projection, video_vae, audio_vae, spatial_upsampler};
    }
    // The `ltx2` options that name them.
    std::vector<std::string> ltx2_options() const {
        return {"--transformer", transformer, "--text-projection", text_projection, "--video-vae", video_vae,
                "--audio-vae",   audio_vae,   "--gemma",           gemma,           "--spatial-upsampler",
                spatial_upsampler};
    }
};

inline E2eModelFiles e2e_model_files(const std::filesystem::path& dir) {
    auto at = [&](const char* name) { return (dir / name).string(); };
    return {at("ltx-2-19b-transformer-random-q4_k.gguf"),     at("gemma-3-12b-it-random-q4_k.gguf"),
            at("ltx-2-19b-text-projection-random.safetensors"), at("ltx-2-19b-video-vae-random.safetensors"),
            at("ltx-2-19b-audio-vae-random.safetensors"),       at("ltx-2-spatial-upscaler-x2-random.safetensors")};
}

namespace e2e_detail {

inline std::string manifest_path(const std::string& name) {
    return std::string(LTX2_SOURCE_DIR) + "/tests/golden/manifest/" + name + ".json";
}

inline void write_transformer(const std::string& path) {
    const nlohmann::json manifest = read_manifest(manifest_path("transformer"));
    std::vector<ManifestTensor> tensors = transformer_tensors(manifest);
    for (ManifestTensor& t : transformer_tensors(manifest, "text_connectors_same_prefix")) tensors.push_back(std::move(t));
    write_q4_k_gguf(tensors, path);
}

// Gemma 3's real vocabulary (tests/golden/text/gemma3_tokenizer/tokenizer.json.xz, unpacked with
// xz beside `path` and read back), embedded as llama.cpp does.
inline void write_gemma(const std::string& path) {
    const std::string xz = std::string(LTX2_SOURCE_DIR) + "/tests/golden/text/gemma3_tokenizer/tokenizer.json.xz";
    const std::string json_path = path + ".tokenizer.json";
    const int rc = std::system(fmt::format("xz -dc '{}' > '{}'", xz, json_path).c_str());
    LTX2_CHECK(rc == 0, "{}: cannot unpack it with `xz -dc` into {} (exit status {})", xz, json_path, rc);
    const GgufVocabulary vocabulary = gguf_vocabulary_from_tokenizer_json(json_path);
    std::filesystem::remove(json_path);
    Gemma3Config c = gemma3_12b_config();
    c.vocab_size = 262144;  // llama.cpp drops the 64 unused rows of the Hugging Face table
    write_gemma_gguf(path, c, block_pool(4096), &vocabulary);
}

// text_embedding_projection.aggregate_embed.weight [3840, 188160], uniform ±sqrt(3 / fan-in).
inline void write_text_projection(const std::string& path) {
    const nlohmann::json manifest = read_manifest(manifest_path("transformer"));
    std::vector<std::pair<std::string, Tensor>> tensors;
    for (const auto& t : manifest.at("text_embedding_projection").at("tensors")) {
        const Shape shape = t.at("shape").get<Shape>();
        tensors.emplace_back(t.at("name").get<std::string>(),
                             random_tensor(shape, DType::BF16, float(std::sqrt(3.0 / double(shape.at(1)))), 31));
    }
    write_safetensors(path, tensors);
}

// Every tensor of a conv model's manifest (the video VAE, the spatial upsampler), with its config.
inline void write_conv_model(const std::string& manifest_name, uint64_t seed, const std::string& path) {
    const nlohmann::json manifest = read_manifest(manifest_path(manifest_name));
    write_safetensors(path,
                      random_conv_model_weights(
                          manifest, [](const std::string&) { return true; },
                          [](const std::string&, const Shape& s) { return conv_fan_in(s); }, seed),
                      {{"config", manifest_config(manifest).dump()}});
}

// audio_vae.* and vocoder.* in one file, as the split bundles ship them.
inline void write_audio_vae(const std::string& path) {
    const nlohmann::json vae = read_manifest(manifest_path("audio_vae"));
    const nlohmann::json vocoder = read_manifest(manifest_path("vocoder"));
    nlohmann::json config = manifest_config(vae);
    config.update(manifest_config(vocoder));
    const VocoderConfig vocoder_config = parse_vocoder_config(manifest_config(vocoder), manifest_path("vocoder"));
    auto tensors = random_audio_weights(vae, "", nullptr, 51);
    for (auto& t : random_audio_weights(vocoder, "", &vocoder_config, 61)) tensors.push_back(std::move(t));
    write_safetensors(path, tensors, {{"config", config.dump()}});
}

}  // namespace e2e_detail

// Writes the files into `dir` (created); with `reuse`, a file already there is kept. Progress
// lines go to stderr.
inline E2eModelFiles write_e2e_model_folder(const std::filesystem::path& dir, bool reuse) {
    std::filesystem::create_directories(dir);
    const E2eModelFiles files = e2e_model_files(dir);
    const std::vector<std::pair<std::string, std::function<void(const std::string&)>>> writers = {
        {files.transformer, e2e_detail::write_transformer},
        {files.gemma, e2e_detail::write_gemma},
        {files.text_projection, e2e_detail::write_text_projection},
        {files.video_vae, [](const std::string& p) { e2e_detail::write_conv_model("video_vae", 41, p); }},
        {files.audio_vae, e2e_detail::write_audio_vae},
        {files.spatial_upsampler,
         [](const std::string& p) { e2e_detail::write_conv_model("spatial_upscaler_x2", 71, p); }},
    };
    for (const auto& [path, write] : writers) {
        if (reuse && std::filesystem::exists(path)) {
            std::fprintf(stderr, "reusing %s\n", path.c_str());
            continue;
        }
        std::fprintf(stderr, "writing %s ...\n", path.c_str());
        const auto t0 = Clock::now();
        write(path);
        std::fprintf(stderr, "  %.2f GiB in %.1f s\n", gib(double(std::filesystem::file_size(path))),
                     seconds_since(t0));
    }
    return files;
}

}  // namespace ltx2::bench
