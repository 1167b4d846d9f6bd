// --target config: the JSON configurations the engine reads. Seeds: the `config` metadata of
// every supported release (the official single files'; a top-level "model_version" member stands
// for the file's `model_version` metadata), an upsampler's flat config, Gemma's config.json and
// generation_config.json, and a sharded checkpoint's index (plus files given: a config.json,
// or a component manifest of tests/golden, whose `config_metadata` is taken). Exercise, whatever the input: as checkpoint metadata through WeightStore::config,
// model_semantics and every model's configurator (transformer, text encoder, video VAE, audio VAE,
// vocoder, upsampler, diffusion VAE); as a Gemma config.json and generation_config.json; as a
// safetensors index, through WeightStore and the Gemma folder checks.
#include <nlohmann/json.hpp>

#include "app/gemma_folder.h"
#include "fuzz/target.h"
#include "io/safetensors.h"
#include "io/weight_store.h"
#include "models/audio_vae/config.h"
#include "models/diffvae/config.h"
#include "models/gemma3/config.h"
#include "models/gemma3/generation_config.h"
#include "models/model_version.h"
#include "models/release_configs.h"
#include "models/text_encoder/config.h"
#include "models/transformer/config.h"
#include "models/upsampler/config.h"
#include "models/video_vae/config.h"
#include "models/vocoder/config.h"

namespace ltx2::fuzz {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

fs::path index_dir(const fs::path& work) { return work / "index"; }

// A file given: a component manifest of tests/golden (its `config_metadata`, with the
// `model_version` and `gemma_source_checkpoint` metadata it lists) or any JSON file as it is.
Seed analyze(std::string name, Bytes bytes, const fs::path&) {
    const json j = json::parse(bytes, nullptr, false);
    if (!j.is_object() || !j.contains("config_metadata")) return json_seed(std::move(name), std::move(bytes));
    json config = j["config_metadata"];
    for (const char* key : {"model_version", "gemma_source_checkpoint"})
        if (j.contains(key)) config[key] = j[key];
    return json_seed(std::move(name), config.dump());
}

std::vector<Seed> seeds(const fs::path& work) {
    std::vector<Seed> out;
    for (ModelGeneration g : {ModelGeneration::Ltx2, ModelGeneration::Ltx2_3}) {  // LTX-2.5 has none built in
        json config = release_config(g);
        if (const auto version = release_model_version(g)) config["model_version"] = *version;
        out.push_back(json_seed(fmt::format("release-{}", int(g)), config.dump()));
    }
    out.push_back(json_seed("upsampler", json{{"_class_name", "LatentUpsampler"},
                                              {"in_channels", 128},
                                              {"mid_channels", 512},
                                              {"num_blocks_per_stage", 4},
                                              {"dims", 3},
                                              {"spatial_upsample", true},
                                              {"temporal_upsample", false},
                                              {"spatial_scale", 1.5},
                                              {"rational_resampler", true}}
                                             .dump()));
    out.push_back(json_seed("gemma-flat", json{{"model_type", "gemma3_text"},
                                               {"hidden_size", 16},
                                               {"intermediate_size", 64},
                                               {"num_hidden_layers", 3},
                                               {"num_attention_heads", 4},
                                               {"num_key_value_heads", 2},
                                               {"head_dim", 8},
                                               {"rope_scaling", nullptr},
                                               {"layer_types", {"sliding_attention", "sliding_attention",
                                                                "full_attention"}},
                                               {"vocab_size", 300}}
                                              .dump(2)));
    out.push_back(json_seed("generation-config", R"({"bos_token_id": 2, "cache_implementation": "hybrid",
        "do_sample": true, "eos_token_id": [1, 106], "pad_token_id": 0, "top_k": 64, "top_p": 0.95,
        "temperature": 1.0, "transformers_version": "4.50.0.dev0"})"));
    // The index's shards, beside where the input is written as an index.
    fs::create_directories(index_dir(work));
    for (const char* shard : {"model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"})
        write_safetensors((index_dir(work) / shard).string(),
                          {{shard[10] == '1' ? "a.weight" : "b.weight", Tensor::zeros({2, 2}, DType::BF16)}});
    out.push_back(json_seed("index", R"({"metadata": {"total_size": 16}, "weight_map": {
        "a.weight": "model-00001-of-00002.safetensors", "b.weight": "model-00002-of-00002.safetensors"}})"));
    return out;
}

void model_configs(const std::string& text, const fs::path& work) {
    // The carrier: a one-tensor checkpoint whose metadata holds the text as its `config`.
    // Top-level "model_version" and "gemma_source_checkpoint" members stand for those metadata.
    std::map<std::string, std::string> metadata{{"config", text}};
    json parsed = json::parse(text, nullptr, false);
    if (parsed.is_object()) {
        bool moved = false;
        for (const char* key : {"model_version", "gemma_source_checkpoint"}) {
            if (!parsed.contains(key)) continue;
            const json& value = parsed[key];
            metadata[key] = value.is_string() ? value.get<std::string>()
                                              : value.dump(-1, ' ', false, json::error_handler_t::replace);
            parsed.erase(key);
            moved = true;
        }
        if (moved) metadata["config"] = parsed.dump(-1, ' ', false, json::error_handler_t::replace);
    }
    const fs::path carrier = work / "config-carrier.safetensors";
    write_safetensors(carrier.string(), {{"x", Tensor::zeros({1})}}, metadata);
    const WeightStore store = WeightStore::open(carrier.string());
    const json config = store.config();
    ModelSemantics semantics;
    allowing_errors([&] { semantics = model_semantics(store); });
    const std::string& source = carrier.string();
    allowing_errors([&] { parse_transformer_config(config, source, semantics); });
    allowing_errors([&] { parse_transformer_config(config, source); });
    allowing_errors([&] { parse_text_encoder_config(config, source); });
    allowing_errors([&] { parse_video_vae_config(config, source); });
    allowing_errors([&] { parse_audio_vae_config(config, source); });
    allowing_errors([&] { parse_vocoder_config(config, source); });
    allowing_errors([&] { parse_upsampler_config(config, source); });
    if (is_diffvae_config(config)) allowing_errors([&] { parse_diffvae_config(config, source); });
}

void as_index(const std::string& path, const fs::path& work) {
    const fs::path index = index_dir(work) / app::kGemmaIndexFile;
    fs::copy_file(path, index, fs::copy_options::overwrite_existing);
    allowing_errors([&] { app::safetensors_index_shards(index); });
    app::gemma_folder_missing_files(index_dir(work));
    allowing_errors([&] {
        const WeightStore store = WeightStore::open(index.string());
        for (const std::string& name : store.names()) store.get(name);
    });
}

Outcome exercise(const std::string& path, const fs::path& work) {
    Outcome o;
    const Bytes text = read_file(path);
    allowing_errors([&] {
        model_configs(text, work);
        o.opened = true;
    });
    allowing_errors([&] {
        const Gemma3Config c = load_gemma3_config(path);
        o.items += check_matches_12b(c).size();
        for (int layer = 0; layer < c.num_hidden_layers; ++layer) o.items += c.is_sliding(layer);
    });
    app::is_gemma_config(path);
    allowing_errors([&] { o.items += parse_generation_config(text, path).eos_token_ids.size(); });
    as_index(path, work);
    return o;
}

}  // namespace

const Target& config_target() {
    static const Target t{"config", ".json", seeds, analyze, exercise};
    return t;
}

}  // namespace ltx2::fuzz
