#pragma once
// What a generation's sizes need in memory at the least, checked against the memory budget before
// any model work: a request that cannot fit is refused with the estimate, instead of growing for
// minutes until the machine runs out.
#include <string>

#include "pipelines/generation_params.h"

namespace ltx2::app {

// Bytes, in doubles: a request's sizes are bounded (kMaxSide, kMaxFrames) but their products are
// not computed in integers.
struct MemoryEstimate {
    double decoded_video = 0;  // the float32 decoded clip and its 8-bit frames
    double latents = 0;        // the denoising loop's video and audio latents (noise, state, predictions)
    double activations = 0;    // one transformer pass over every video and audio token
    double audio = 0;          // the decoded waveform
    double total() const { return decoded_video + latents + activations + audio; }
    std::string describe() const;  // "3.1 GiB (decoded video 2.7 GiB, latents ...)"
};

// A lower bound for these sizes, beyond the model weights (which stream within the budget).
MemoryEstimate estimate_generation_memory(const GenerationParams& params);

// The budget in bytes: `memory_budget_gib` when given (> 0), else 90% of the available memory.
double memory_budget_bytes(double memory_budget_gib);

// Throws, naming --memory-budget and the estimate, when `resident` bytes already in use plus the
// estimate exceed the budget.
void check_fits_memory_budget(const GenerationParams& params, double memory_budget_gib, double resident);

}  // namespace ltx2::app
