// DistilledPipeline (ltx_pipelines/distilled.py): no guidance; the same transformer (with the
// user's LoRAs) in both stages; images replace latent frames at each stage's resolution.
#include "diffusion/sigmas.h"
#include "pipelines/pipelines.h"

namespace ltx2 {

std::vector<StagePlan> distilled_plan(const GenerationParams& params, const ModelSemantics& model) {
    StagePlan stage1 = low_resolution_stage(params);
    stage1.sigmas = distilled_sigmas();
    stage1.transformer.loras = params.loras;
    stage1.conditionings = image_conditionings(params.images, stage1.height, stage1.width, model);
    if (model.ancestral_distilled_stage1)  // distilled.py: ANCESTRAL_ETA / _S_NOISE 1, seed + 10000
        stage1.ancestral = StagePlan::Ancestral{{1.0f, 1.0f}, params.seed + 10000};

    StagePlan stage2 =
        refine_stage(params, params.loras, image_conditionings(params.images, params.height, params.width, model));
    return {stage1, stage2};
}

}  // namespace ltx2
