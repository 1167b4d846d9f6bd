// ICLoraPipeline (ltx_pipelines/ic_lora.py): distilled stage 1 with the IC-LoRA fused, images
// replacing latent frames and the reference videos appended (encoded at the stage-1 size ÷ the
// LoRA's reference_downscale_factor, at most num_frames frames); refine stage on the plain
// checkpoint with the images only.
#include <string>

#include "core/error.h"
#include "diffusion/sigmas.h"
#include "io/safetensors.h"
#include "pipelines/pipelines.h"

namespace ltx2 {

int64_t lora_reference_downscale_factor(const std::string& lora_path) {
    const auto file = SafetensorsFile::open(lora_path);
    const std::optional<std::string> value = file->metadata_value("reference_downscale_factor");
    if (!value) return 1;
    size_t used = 0;
    long long factor = 0;
    try {
        factor = std::stoll(*value, &used);
    } catch (const std::exception&) {
        used = 0;
    }
    LTX2_CHECK(used == value->size() && factor >= 1,
               "{}: metadata reference_downscale_factor '{}' is not a positive integer", lora_path, *value);
    return factor;
}

namespace {

// One factor for all LoRAs that declare one (1 when none does).
int64_t reference_downscale_factor(const std::vector<LoraSpec>& loras) {
    int64_t factor = 1;
    std::string from;
    for (const LoraSpec& l : loras) {
        const int64_t f = lora_reference_downscale_factor(l.path);
        if (f == 1) continue;
        LTX2_CHECK(factor == 1 || factor == f,
                   "--lora {}: reference_downscale_factor {} conflicts with {} of {}; LoRAs trained at different "
                   "reference scales cannot be combined",
                   l.path, f, factor, from);
        factor = f;
        from = l.path;
    }
    return factor;
}

}  // namespace

std::vector<StagePlan> ic_lora_plan(const GenerationParams& params, const ModelSemantics& model) {
    StagePlan stage1 = low_resolution_stage(params);
    stage1.sigmas = distilled_sigmas();
    stage1.transformer.loras = params.loras;
    stage1.conditionings = image_conditionings(params.images, stage1.height, stage1.width, model);

    const int64_t scale = reference_downscale_factor(params.loras);
    LTX2_CHECK(stage1.height % scale == 0 && stage1.width % scale == 0,
               "--video-conditioning: the stage-1 size {}x{} ({} of --height x --width, see --spatial-upsampler) is "
               "not divisible by the IC-LoRA's reference_downscale_factor {}",
               stage1.height, stage1.width,
               params.spatial_upscale == kUpscaleX2
                   ? std::string("half")
                   : fmt::format("{}/{}", params.spatial_upscale.den, params.spatial_upscale.num),
               scale);
    for (const VideoReference& v : params.video_conditioning) {
        ConditioningRequest r;
        r.kind = ConditioningKind::ReferenceVideo;
        r.media = {v.path, MediaKind::Video, stage1.height / scale, stage1.width / scale, params.num_frames};
        r.strength = v.strength;
        r.downscale_factor = scale;
        stage1.conditionings.push_back(std::move(r));
    }

    StagePlan stage2 =
        refine_stage(params, {}, image_conditionings(params.images, params.height, params.width, model));
    return {stage1, stage2};
}

}  // namespace ltx2
