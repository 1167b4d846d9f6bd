#pragma once
// The pipelines' denoise functions (ltx_pipelines.utils.helpers): simple_denoising_func (one
// X0 call on the positive prompt) and multi_modal_guider_denoising_func (up to four X0 calls
// combined per modality by MultiModalGuider, with its skip-step rule). Each returns the raw
// denoised video and audio tokens of one step; the loop post-processes them.
#include <functional>
#include <vector>

#include "diffusion/patchifiers.h"
#include "models/transformer/model.h"
#include "pipelines/pipeline_io.h"
#include "pipelines/stage_plan.h"

namespace ltx2 {

// tap receives the names "branch_B.video_denoised" / "branch_B.audio_denoised" (guided only).
using DenoiseFn = std::function<AVTensors(const LatentState& video, const LatentState& audio,
                                          const std::vector<float>& sigmas, int step, const PipelineTap& tap)>;

// The model and the contexts must outlive the returned function. cache_text: the text
// cross-attention K/V of each context set is computed at the first step and reused.
DenoiseFn simple_denoiser(const LTXModel& model, const TextContexts& text, bool cache_text);
// Throws naming the option when a guidance scale needs the negative prompt and it is absent,
// or when an STG block does not exist in the model.
DenoiseFn guided_denoiser(const LTXModel& model, const TextContexts& text, const StageGuidance& guidance,
                          bool cache_text);

}  // namespace ltx2
