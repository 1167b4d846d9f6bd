#pragma once
// One stage of a pipeline (helpers.denoise_audio_video with euler_denoising_loop): initial
// states (given latents or zeros), the stage's conditionings, noise, the Euler loop with the
// stage's denoise function, appended tokens dropped, latents unpatchified.
#include <optional>

#include "core/torch_rng.h"
#include "models/transformer/model.h"
#include "pipelines/pipeline_io.h"
#include "pipelines/stage_plan.h"

namespace ltx2 {

struct StageResult {
    Tensor video_latent;  // [1, 128, F, H/32, W/32]
    Tensor audio_latent;  // [1, 8, T, 16]
};

// Video positions as the shipped bfloat16 pipelines hand them to the transformer: VideoLatentTools
// casts the grid's positions to bf16; conditioning appends float32 positions, and torch.cat then
// promotes the whole tensor back to float32, the grid's values staying bf16-rounded. So: BF16
// when nothing was appended, else F32 with the first grid_tokens tokens rounded to bf16.
Tensor bf16_pipeline_video_positions(const Tensor& positions, int64_t grid_tokens);

// The generator continues across stages: video noise then audio noise are drawn from it.
// encode is called for each of plan.conditionings (may be empty when there are none).
StageResult run_stage(const StagePlan& plan, const LTXModel& model, const PipelineInputs& inputs,
                      TorchGenerator& generator, const PipelineHooks& hooks,
                      const std::optional<Tensor>& initial_video = std::nullopt,
                      const std::optional<Tensor>& initial_audio = std::nullopt);

}  // namespace ltx2
