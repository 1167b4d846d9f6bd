#include "pipelines/model_loading.h"

#include <set>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/log.h"
#include "io/weight_store.h"
#include "lora/lora.h"

namespace ltx2 {

namespace {

// Replaces the BF16 tensors among `names` by exact F32 copies.
void widen_to_f32(WeightStore& store, const std::vector<std::string>& names) {
    for (const std::string& name : names) {
        const Tensor t = store.get(name);
        if (t.dtype() == DType::BF16) store.override_tensor(name, t.to(DType::F32));
    }
}

// The names a loader took from the store (the rest, e.g. text-encoder tensors sharing the
// official single file, stay unread).
std::vector<std::string> used_names(const WeightStore& store) {
    const std::vector<std::string> unused = store.unused_names();
    const std::set<std::string> skip(unused.begin(), unused.end());
    std::vector<std::string> out;
    for (const std::string& name : store.names())
        if (!skip.count(name)) out.push_back(name);
    return out;
}

}  // namespace

std::shared_ptr<const LTXModel> load_transformer(const LtxFilePaths& files, const std::vector<LoraSpec>& loras,
                                                 Precision precision, size_t weight_budget_bytes) {
    const LtxModelFiles model_files = LtxModelFiles::resolve(files, {LtxPart::Transformer});
    const std::string& checkpoint = model_files.path(LtxPart::Transformer);
    WeightStore store = model_files.open(LtxPart::Transformer);
    const TransformerConfig config = parse_transformer_config(store.config(), store.describe(), model_semantics(store));
    if (!loras.empty()) {
        std::vector<LoraWithStrength> files;
        for (const LoraSpec& l : loras) {
            validate_lora_strength(l.strength, l.path);
            files.push_back({LoraFile::open(l.path), l.strength});
        }
        // The pipelines fuse in the model's dtype (bfloat16 for the released checkpoints).
        const DType target = store.get("patchify_proj.weight").dtype() == DType::BF16 ? DType::BF16 : DType::F32;
        FusedWeights fused = fuse_loras(store, files, target);
        for (auto& [name, t] : fused.fused) store.override_tensor(name, std::move(t));
        for (size_t i = 0; i < files.size(); ++i) {
            const auto& unmatched = fused.unmatched_modules[i];
            if (!unmatched.empty())
                warn("{}: {} LoRA module(s) name no weight of {} and are ignored (first: '{}')", loras[i].path,
                     unmatched.size(), checkpoint, unmatched.front());
        }
    }
    // The first load checks every shape and that no tensor is left over, on zero-copy views.
    TransformerLoadOptions options;
    options.weight_budget_bytes = weight_budget_bytes;
    LTXModel model = LTXModel::load(store, config, options);
    if (precision == Precision::F32 && model.bf16()) {
        widen_to_f32(store, used_names(store));
        model = LTXModel::load(store, config, options);
    }
    return std::make_shared<const LTXModel>(std::move(model));
}

std::string ltx_files_key(const LtxFilePaths& f) {
    return files_identity({f.checkpoint, f.transformer, f.text_projection, f.video_vae, f.audio_vae, f.duration_head});
}

TransformerProvider checkpoint_transformer_provider(LtxFilePaths files, Precision precision,
                                                    size_t weight_budget_bytes, ModelCache* cache) {
    return [files = std::move(files), precision, weight_budget_bytes, cache](const TransformerRequest& request) {
        auto load = [&] { return load_transformer(files, request.loras, precision, weight_budget_bytes); };
        if (!cache) return load();
        std::string key = fmt::format("transformer|{}|{}|budget {}|", ltx_files_key(files), precision_name(precision),
                                      weight_budget_bytes);
        for (const LoraSpec& l : request.loras) key += fmt::format("lora {} x{};", files_identity({l.path}), l.strength);
        auto estimate = [&] {
            const WeightStore store = LtxModelFiles::resolve(files, {LtxPart::Transformer}).open(LtxPart::Transformer);
            // Fused LoRA weights are copies beside the file's views.
            return held_bytes_estimate(store, "", precision) * (request.loras.empty() ? 1 : 2);
        };
        return cache->get<LTXModel>(key, estimate, load);
    };
}

LatentUpsampler load_upsampler(const std::string& path, Precision precision) {
    WeightStore store = WeightStore::open(path, "");
    if (precision == Precision::F32) widen_to_f32(store, store.names());
    return LatentUpsampler::load(store);
}

AudioEncoder load_audio_encoder(WeightStore store, Precision precision) {
    if (precision == Precision::F32) {
        std::vector<std::string> encoder_names;
        for (const std::string& name : store.names())
            if (name.starts_with("encoder.") || name.starts_with("per_channel_statistics.")) encoder_names.push_back(name);
        widen_to_f32(store, encoder_names);
    }
    return AudioEncoder::load(store);
}

SpatialUpscale spatial_upsampler_scale(const std::string& path) {
    const WeightStore store = WeightStore::open(path, "");
    const UpsamplerConfig c = parse_upsampler_config(store.config(), store.describe());
    LTX2_CHECK(c.spatial_upsample && !c.upsamples_time(),
               "--spatial-upsampler {}: a temporal upsampler (its config has temporal_upsample), but the pipelines "
               "need a spatial one such as ltx-2.3-spatial-upscaler-x2-1.1.safetensors",
               path);
    LTX2_CHECK(c.scale_num > c.scale_den,
               "--spatial-upsampler {}: spatial_scale {} does not enlarge the latent; the pipelines need x2 or x1.5",
               path, c.spatial_scale);
    return {c.scale_num, c.scale_den};
}

UpsampleFn file_upsampler(std::string path, Tensor mean_of_means, Tensor std_of_means, Precision precision,
                          ModelCache* cache) {
    return [path = std::move(path), mean_of_means, std_of_means, precision, cache](const Tensor& latent) {
        const std::string key = fmt::format("upsampler|{}|{}", files_identity({path}), precision_name(precision));
        const auto upsampler = load_through<LatentUpsampler>(
            cache, key, [&] { return held_bytes_estimate(WeightStore::open(path, ""), "", precision); },
            [&] { return std::make_shared<const LatentUpsampler>(load_upsampler(path, precision)); });
        return upsample_video(*upsampler, latent, mean_of_means, std_of_means);
    };
}

}  // namespace ltx2
