#include "pipelines/model_files.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <filesystem>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/regular_file.h"
#include "models/release_configs.h"

namespace ltx2 {

namespace {

using json = nlohmann::json;

// Where a part lives in a file: the key prefixes it may have (official first, then the
// community layouts' stripped one), the signatures that recognise it (one is enough: each lists
// the names, under the prefix, that must start some key), the config section that configures it,
// and whether a model may lack it.
struct PartLayout {
    LtxPart part;
    std::vector<std::string> prefixes;
    std::vector<std::vector<std::string>> signatures;
    const char* config_section;
    bool optional = false;
};

const std::vector<PartLayout>& part_layouts() {
    static const std::vector<PartLayout> kLayouts = {
        {LtxPart::Transformer, {"model.diffusion_model.", ""}, {{"patchify_proj.", "transformer_blocks.0."}}, "transformer"},
        {LtxPart::VideoConnector,
         {"model.diffusion_model.video_embeddings_connector.", "video_embeddings_connector."},
         {{"transformer_1d_blocks.0."}},
         "transformer"},
        {LtxPart::AudioConnector,
         {"model.diffusion_model.audio_embeddings_connector.", "audio_embeddings_connector."},
         {{"transformer_1d_blocks.0."}},
         "transformer"},
        {LtxPart::TextProjection, {"text_embedding_projection."}, {{""}}, "transformer"},
        // The conv decoder's up blocks, or LTX-2.5's diffusion decoder (DiffVAE) blocks.
        {LtxPart::VideoVae,
         {"vae.", ""},
         {{"decoder.up_blocks.", "per_channel_statistics."}, {"decoder.diff_blocks.", "per_channel_statistics."}},
         "vae"},
        {LtxPart::AudioVae, {"audio_vae."}, {{"decoder.", "per_channel_statistics."}}, "audio_vae"},
        {LtxPart::Vocoder, {"vocoder."}, {{""}}, "vocoder"},
        // LTX-2.5: in the single file, or model_patches/ltx-2.5-duration-head-bf16.safetensors.
        {LtxPart::DurationHead, {"duration_head."}, {{"mlp_out."}}, "transformer", true},
    };
    return kLayouts;
}

const PartLayout& layout_of(LtxPart part) {
    for (const PartLayout& l : part_layouts())
        if (l.part == part) return l;
    fail("model files: unknown part {}", int(part));
}

const char* generation_name(ModelGeneration g) {
    switch (g) {
        case ModelGeneration::Ltx2: return "LTX-2 (19B)";
        case ModelGeneration::Ltx2_3: return "LTX-2.3";
        case ModelGeneration::Ltx2_5: return "LTX-2.5";
    }
    return "?";
}

// LTX-2.5 keeps parts of the 2.3 structure (the conv video VAE, audio VAE, vocoder): such a part
// recognised by its tensors alone (no model_version) belongs with a 2.5 model too.
bool same_release(ModelGeneration model, const std::optional<ModelGeneration>& part, bool part_from_metadata) {
    if (!part || *part == model) return true;
    return !part_from_metadata && *part == ModelGeneration::Ltx2_3 && model == ModelGeneration::Ltx2_5;
}

// One file's keys (sorted) and metadata, read once.
struct FileView {
    std::string path;
    WeightStore store;  // opened without a prefix: names are the file's keys
    std::vector<std::string> keys;

    explicit FileView(const std::string& p) : path(p), store(WeightStore::open(p, "")), keys(store.names()) {
        std::sort(keys.begin(), keys.end());
        check_ltx_gguf_architecture(store);
    }
    bool holds(const std::string& key_prefix) const {
        auto it = std::lower_bound(keys.begin(), keys.end(), key_prefix);
        return it != keys.end() && it->starts_with(key_prefix);
    }
    // The prefix under which the file holds `layout`'s part, if any.
    std::optional<std::string> prefix_of(const PartLayout& layout) const {
        for (const std::string& prefix : layout.prefixes)
            for (const std::vector<std::string>& signature : layout.signatures) {
                const bool all = std::all_of(signature.begin(), signature.end(),
                                             [&](const std::string& s) { return holds(prefix + s); });
                if (all && (!prefix.empty() || !signature.front().empty())) return prefix;
            }
        return std::nullopt;
    }
    // The config's `section`, if the file's config has it.
    std::optional<json> config_with(const char* section) const {
        if (!store.has_config()) return std::nullopt;
        json config = store.config();
        if (!config.is_object() || !config.contains(section)) return std::nullopt;
        return config;
    }
    // "model.diffusion_model, vae, audio_vae": what the file holds, for messages.
    std::string summary() const {
        std::vector<std::string> groups;
        for (const std::string& k : keys) {
            std::string group = k.substr(0, k.find('.'));
            if (group == "model") group = k.substr(0, k.find('.', 6));
            if (std::find(groups.begin(), groups.end(), group) == groups.end()) groups.push_back(group);
            if (groups.size() == 6) {
                groups.push_back("...");
                break;
            }
        }
        return keys.empty() ? "no tensors" : fmt::format("tensors under {}", fmt::join(groups, ", "));
    }
};

// The release a video VAE config describes: the 2.3 conv VAE has one padding mode for both
// halves and a decoder base width; 19B's has a padding mode per half; LTX-2.5's diffusion
// decoder file names its class.
std::optional<ModelGeneration> video_vae_generation_from_config(const json& vae) {
    if (vae.value("_class_name", "") == "CausalDiffusionVAE") return ModelGeneration::Ltx2_5;
    if (vae.contains("spatial_padding_mode") || vae.contains("decoder_base_channels")) return ModelGeneration::Ltx2_3;
    if (vae.contains("decoder_spatial_padding_mode")) return ModelGeneration::Ltx2;
    return std::nullopt;
}

// The release of the part a file holds under `prefix`: its model_version metadata, else what
// only one release's tensors have. nullopt: identical in both releases (the audio VAE).
std::optional<ModelGeneration> part_generation(const FileView& file, LtxPart part, const std::string& prefix) {
    if (const auto version = file.store.metadata("model_version"))
        return model_semantics(version, json::object(), file.path).generation;
    auto by_tensor = [&](const std::string& name) {
        return file.holds(prefix + name) ? ModelGeneration::Ltx2_3 : ModelGeneration::Ltx2;
    };
    switch (part) {
        case LtxPart::Transformer:
            if (file.holds(prefix + "keyframes_abs_pos_embedding")) return ModelGeneration::Ltx2_5;
            return by_tensor("transformer_blocks.0.attn1.to_gate_logits.");
        case LtxPart::VideoConnector:
        case LtxPart::AudioConnector: return by_tensor("transformer_1d_blocks.0.attn1.to_gate_logits.");
        case LtxPart::TextProjection: return by_tensor("video_aggregate_embed.");
        case LtxPart::Vocoder: return by_tensor("bwe_generator.");
        case LtxPart::AudioVae: return std::nullopt;
        case LtxPart::VideoVae:
            if (const auto config = file.config_with("vae")) return video_vae_generation_from_config(config->at("vae"));
            if (file.holds(prefix + "decoder.diff_blocks.")) return ModelGeneration::Ltx2_5;
            // The released decoders: 2.3 has nine up blocks, 19B seven.
            return by_tensor("decoder.up_blocks.7.");
        case LtxPart::DurationHead: return ModelGeneration::Ltx2_5;
    }
    return std::nullopt;
}

// The release of the main LTX part a file holds (see ltx_file_generation).
std::optional<ModelGeneration> main_generation(const FileView& file) {
    std::optional<ModelGeneration> found;
    for (const PartLayout& layout : part_layouts()) {
        const std::optional<std::string> prefix = file.prefix_of(layout);
        if (!prefix) continue;
        const std::optional<ModelGeneration> g = part_generation(file, layout.part, *prefix);
        if (g && layout.part == LtxPart::Transformer) return g;
        if (g && !found) found = g;
    }
    return found;
}

struct Candidate {
    std::string path;
    const char* option;
};

// The files that may hold `part`, in order of preference (the part's own file first).
std::vector<Candidate> candidates(LtxPart part, const LtxFilePaths& p) {
    std::vector<Candidate> all;
    auto add = [&](const std::string& path, const char* option) {
        if (!path.empty()) all.push_back({path, option});
    };
    switch (part) {
        case LtxPart::Transformer: add(p.transformer, kTransformerOption); break;
        case LtxPart::VideoConnector:
        case LtxPart::AudioConnector:
            add(p.transformer, kTransformerOption);
            add(p.text_projection, kTextProjectionOption);
            break;
        case LtxPart::TextProjection:
            add(p.text_projection, kTextProjectionOption);
            add(p.transformer, kTransformerOption);
            break;
        case LtxPart::VideoVae: add(p.video_vae, kVideoVaeOption); break;
        case LtxPart::AudioVae:
        case LtxPart::Vocoder: add(p.audio_vae, kAudioVaeOption); break;
        case LtxPart::DurationHead: add(p.duration_head, kDurationHeadOption); break;
    }
    add(p.checkpoint, "--checkpoint");
    return all;
}

// The option whose file must hold `part` when given (the connectors have none of their own).
const char* own_option(LtxPart part) {
    switch (part) {
        case LtxPart::Transformer: return kTransformerOption;
        case LtxPart::TextProjection: return kTextProjectionOption;
        case LtxPart::VideoVae: return kVideoVaeOption;
        case LtxPart::AudioVae:
        case LtxPart::Vocoder: return kAudioVaeOption;
        case LtxPart::DurationHead: return kDurationHeadOption;
        default: return nullptr;
    }
}

std::string expected_layout(const PartLayout& layout) {
    std::vector<std::string> forms;
    for (const std::string& prefix : layout.prefixes)
        forms.push_back(prefix.empty() ? fmt::format("{} at the top level", fmt::join(layout.signatures.front(), " + "))
                                       : fmt::format("'{}*'", prefix));
    return fmt::format("tensors {}", fmt::join(forms, " or "));
}

}  // namespace

void check_ltx_gguf_architecture(const WeightStore& store) {
    const std::optional<std::string> arch = store.gguf_architecture();
    if (!arch || *arch == "ltx2" || *arch == "ltxv") return;
    fail("{}: a GGUF of architecture '{}' is not an LTX-2 transformer (expected general.architecture 'ltx2' from "
         "ltx2-quantize or 'ltxv' from ComfyUI-GGUF)",
         store.describe(), *arch);
}

const std::vector<LtxPart>& all_ltx_parts() {
    static const std::vector<LtxPart> kAll = [] {
        std::vector<LtxPart> parts;
        for (const PartLayout& l : part_layouts()) parts.push_back(l.part);
        return parts;
    }();
    return kAll;
}

const char* ltx_part_title(LtxPart part) {
    switch (part) {
        case LtxPart::Transformer: return "transformer";
        case LtxPart::VideoConnector: return "video text connector";
        case LtxPart::AudioConnector: return "audio text connector";
        case LtxPart::TextProjection: return "text projection";
        case LtxPart::VideoVae: return "video VAE";
        case LtxPart::AudioVae: return "audio VAE";
        case LtxPart::Vocoder: return "vocoder";
        case LtxPart::DurationHead: return "duration head";
    }
    return "?";
}

LtxModelFiles LtxModelFiles::resolve(const LtxFilePaths& paths, const std::vector<LtxPart>& parts) {
    LTX2_CHECK(!parts.empty(), "model files: no part asked for");
    std::map<std::string, std::shared_ptr<const FileView>> files;
    auto view = [&](const std::string& path) -> const FileView& {
        auto& slot = files[path];
        if (!slot) slot = std::make_shared<const FileView>(path);
        return *slot;
    };
    for (const auto& [path, option] : {std::pair{paths.checkpoint, "--checkpoint"}, {paths.transformer, kTransformerOption},
                                       {paths.text_projection, kTextProjectionOption}, {paths.video_vae, kVideoVaeOption},
                                       {paths.audio_vae, kAudioVaeOption}, {paths.duration_head, kDurationHeadOption}}) {
        if (path.empty()) continue;
        if (const auto problem = regular_file_problem(path)) fail("{} {}: {}", option, path, *problem);
    }

    LtxModelFiles out;
    for (const LtxPart part : parts) {
        const PartLayout& layout = layout_of(part);
        const std::vector<Candidate> cands = candidates(part, paths);
        if (cands.empty() && layout.optional) continue;
        if (cands.empty())
            fail("no model file given for the {}: give --checkpoint (the official single file) or {} FILE",
                 ltx_part_title(part), own_option(part) ? own_option(part) : kTransformerOption);
        std::vector<std::string> looked_at;
        for (const Candidate& c : cands) {
            const FileView& file = view(c.path);
            const std::optional<std::string> prefix = file.prefix_of(layout);
            if (!prefix) {
                if (own_option(part) && std::string(c.option) == own_option(part))
                    fail("{} {}: holds no {} (expected {}); it holds {}", c.option, c.path, ltx_part_title(part),
                         expected_layout(layout), file.summary());
                looked_at.push_back(fmt::format("{} {} ({})", c.option, c.path, file.summary()));
                continue;
            }
            Part p;
            p.path = c.path;
            p.option = c.option;
            p.prefix = *prefix;
            p.generation = part_generation(file, part, *prefix);
            p.model_version_metadata = file.store.metadata("model_version").has_value();
            if (const auto own = file.config_with(layout.config_section)) {
                p.config = std::make_shared<const json>(*own);
                p.model_version = file.store.metadata("model_version");
                p.config_origin = "its own config";
            }
            out.parts_[part] = std::move(p);
            break;
        }
        if (!out.parts_.count(part) && !layout.optional)
            fail("no model file holds the {} (expected {}); looked at: {}. Give {} FILE, or --checkpoint with the "
                 "official single file",
                 ltx_part_title(part), expected_layout(layout), fmt::join(looked_at, "; "),
                 own_option(part) ? own_option(part) : kTextProjectionOption);
    }

    // One release for every part, the transformer's when it was asked for.
    LtxPart reference = out.parts_.begin()->first;
    for (const auto& [part, p] : out.parts_)
        if (part == LtxPart::Transformer || (!out.parts_.at(reference).generation && p.generation)) reference = part;
    const Part& first = out.parts_.at(reference);
    const ModelGeneration generation = first.generation.value_or(ModelGeneration::Ltx2);
    std::vector<std::string> mismatched;
    for (const auto& [part, p] : out.parts_)
        if (!same_release(generation, p.generation, p.model_version_metadata))
            mismatched.push_back(fmt::format("the {} in {} {} is {}", ltx_part_title(part), p.option, p.path,
                                             generation_name(*p.generation)));
    if (!mismatched.empty())
        fail("the model files mix LTX releases: the {} in {} {} is {}, but {}. Use the files of one release "
             "(ltx2 inspect FILE tells what a file holds)",
             ltx_part_title(reference), first.option, first.path, generation_name(generation),
             fmt::join(mismatched, "; "));

    // Parts without a config of their own take the single file's (of the same release), else the
    // release's.
    const bool checkpoint_configures = !paths.checkpoint.empty() && main_generation(view(paths.checkpoint)) == generation;
    for (auto& [part, p] : out.parts_) {
        if (p.config) continue;
        const char* section = layout_of(part).config_section;
        if (checkpoint_configures) {
            if (const auto config = view(paths.checkpoint).config_with(section)) {
                p.config = std::make_shared<const json>(*config);
                p.model_version = view(paths.checkpoint).store.metadata("model_version");
                p.config_origin = "the config of --checkpoint " + paths.checkpoint;
                continue;
            }
        }
        if (generation == ModelGeneration::Ltx2_5)
            fail("{} {}: the {} has no config (no `{}` section in the file's config{}), and no LTX-2.5 config is "
                 "built in: use LTX-2.5 files that carry their config (the official single file, or split files "
                 "with a __metadata__ config)",
                 p.option, p.path, ltx_part_title(part), section,
                 paths.checkpoint.empty() ? "" : " nor in --checkpoint's");
        p.config = std::make_shared<const json>(release_config(generation));
        p.model_version = release_model_version(generation);
        p.config_origin = fmt::format("the released {} config (the file has none)", generation_name(generation));
    }
    out.semantics_ = model_semantics(out.open(reference));
    return out;
}

WeightStore LtxModelFiles::open(LtxPart part) const {
    const Part& p = parts_.at(part);
    WeightStore store = WeightStore::open(p.path, p.prefix);
    store.set_config(*p.config, p.model_version);
    return store;
}

const std::string& LtxModelFiles::path(LtxPart part) const { return parts_.at(part).path; }

bool LtxModelFiles::has(LtxPart part) const { return parts_.count(part) != 0; }

std::string LtxModelFiles::describe() const {
    std::string out;
    for (const auto& [part, p] : parts_) {
        if (!out.empty()) out += "\n";
        out += fmt::format("{}: {} ({}{}, config: {})", ltx_part_title(part), p.path,
                           p.prefix.empty() ? "top level" : "'" + p.prefix + "*'",
                           p.generation ? std::string(", ") + generation_name(*p.generation) : "", p.config_origin);
    }
    return out;
}

std::optional<ModelGeneration> ltx_file_generation(const std::string& path) { return main_generation(FileView(path)); }

std::vector<std::string> describe_ltx_parts(const std::string& path) {
    const FileView file(path);
    std::vector<std::string> lines;
    for (const PartLayout& layout : part_layouts()) {
        const std::optional<std::string> prefix = file.prefix_of(layout);
        if (!prefix) continue;
        const std::optional<ModelGeneration> generation = part_generation(file, layout.part, *prefix);
        lines.push_back(fmt::format("{}: {}, {}, {}", ltx_part_title(layout.part),
                                    prefix->empty() ? "at the top level" : "under '" + *prefix + "'",
                                    generation ? generation_name(*generation) : "the same in LTX-2 and LTX-2.3",
                                    file.config_with(layout.config_section)
                                        ? "configured by the file"
                                        : "no config in the file: the released one applies"));
    }
    return lines;
}

}  // namespace ltx2
