#include "models/model_version.h"

#include <cctype>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "io/weight_store.h"

namespace ltx2 {

namespace {

bool flag_set(const nlohmann::json& section, const char* key) {
    auto it = section.find(key);
    return it != section.end() && it->is_boolean() && it->get<bool>();
}

// Transformer flags only LTX-2.3 checkpoints set.
bool has_ltx23_flags(const nlohmann::json& config) {
    if (!config.is_object() || !config.contains("transformer") || !config.at("transformer").is_object()) return false;
    const nlohmann::json& t = config.at("transformer");
    return flag_set(t, "cross_attention_adaln") || flag_set(t, "caption_proj_before_connector") ||
           flag_set(t, "apply_gated_attention");
}

ModelSemantics ltx23(const std::string& version) {
    ModelSemantics s;
    s.generation = ModelGeneration::Ltx2_3;
    s.version = version;
    s.av_gate_from_other_sigma = true;
    s.skipped_attention_passes_value = true;
    s.bf16_pipeline_video_positions_f32 = true;
    s.latent_index_keeps_noisy_latent = true;
    s.noise_blend_lerp = true;
    s.skipped_guidance_step_disables_every_pass = true;
    s.images_after_frame_0_are_keyframes = true;
    s.two_stage_keeps_stage1_audio = true;
    s.default_guided_steps = 30;
    s.default_stg_block = 28;
    s.distilled_checkpoint_only_in_distilled_pipelines = true;
    s.has_a2v_and_retake_pipelines = true;
    return s;
}

// LTX_2_4_PARAMS onwards: image conditioning at CRF 18; 2.5 samples stage 1 ancestrally and
// encodes text with Gemma 4.
ModelSemantics ltx25(const std::string& version) {
    ModelSemantics s = ltx23(version);
    s.generation = ModelGeneration::Ltx2_5;
    s.default_image_crf = 18;
    s.ancestral_distilled_stage1 = true;
    s.gemma4_text_encoder = true;
    s.has_duration_head = true;
    return s;
}

}  // namespace

std::string ModelSemantics::name() const {
    if (generation == ModelGeneration::Ltx2) return "LTX-2 (19B)";
    const char* release = generation == ModelGeneration::Ltx2_5 ? "LTX-2.5" : "LTX-2.3";
    return version.empty() ? fmt::format("{} (from its config flags)", release)
                           : fmt::format("{} (model_version {})", release, version);
}

std::vector<int> parse_model_version(const std::string& version) {
    std::vector<int> parts;
    size_t start = 0;
    while (start <= version.size()) {
        const size_t end = std::min(version.find('.', start), version.size());
        const std::string part = version.substr(start, end - start);
        if (part.empty() || part.size() > 6) break;
        for (char c : part)
            if (!std::isdigit(static_cast<unsigned char>(c))) return parts;
        parts.push_back(std::stoi(part));
        start = end + 1;
    }
    return parts;
}

ModelSemantics model_semantics(const std::optional<std::string>& model_version, const nlohmann::json& config,
                               const std::string& source) {
    if (!model_version) {
        if (has_ltx23_flags(config) && flag_set(config.at("transformer"), "use_keyframes_abs_pos_embedding"))
            return ltx25("");
        if (has_ltx23_flags(config)) return ltx23("");
        return ModelSemantics{};
    }
    const std::vector<int> v = parse_model_version(*model_version);
    if (v.size() >= 2 && v[0] == 2 && v[1] == 3) return ltx23(*model_version);
    if (v.size() >= 2 && v[0] == 2 && v[1] == 5) return ltx25(*model_version);
    fail("{}: model_version \"{}\" is not supported; this build runs LTX-2 (19B, no model_version), LTX-2.3 "
         "(model_version 2.3.x) and LTX-2.5 (model_version 2.5.x)",
         source, *model_version);
}

ModelSemantics model_semantics(const WeightStore& store) {
    static const nlohmann::json kNoConfig = nlohmann::json::object();
    const nlohmann::json config = store.has_config() ? store.config() : kNoConfig;
    const std::optional<std::string> version = store.metadata("model_version");
    ModelSemantics s = model_semantics(version, config, store.describe());
    // {"ltx_version": "2.5.0", "gemma_version": "gemma4-12b-ltx-v1"}: which release the text
    // encoder was fine-tuned for; it must be this file's.
    if (const auto source = store.metadata("gemma_source_checkpoint")) {
        nlohmann::json j;
        try {
            j = nlohmann::json::parse(*source);
        } catch (const nlohmann::json::exception&) {
        }
        if (!j.is_object() || !j.contains("ltx_version") || !j.contains("gemma_version") ||
            !j.at("ltx_version").is_string() || !j.at("gemma_version").is_string())
            fail("{}: metadata gemma_source_checkpoint is {}, expected {{\"ltx_version\": \"...\", "
                 "\"gemma_version\": \"...\"}}",
                 store.describe(), *source);
        const std::string ltx = j.at("ltx_version").get<std::string>();
        if (version && ltx != *version)
            fail("{}: metadata gemma_source_checkpoint names ltx_version \"{}\", but the file's model_version is "
                 "\"{}\"",
                 store.describe(), ltx, *version);
        s.gemma_version = j.at("gemma_version").get<std::string>();
    }
    return s;
}

}  // namespace ltx2
