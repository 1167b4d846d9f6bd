#pragma once
// The fixed sigma tables of the distilled pipelines (ltx_pipelines.utils.constants), as the
// float32 values the pipelines build from them.
#include <vector>

namespace ltx2 {

// [1.0, 0.99375, 0.9875, 0.98125, 0.975, 0.909375, 0.725, 0.421875, 0.0] (9 entries, 8 steps).
const std::vector<float>& distilled_sigmas();
// The stage-2 refinement tail: [0.909375, 0.725, 0.421875, 0.0] (4 entries, 3 steps).
const std::vector<float>& stage2_distilled_sigmas();

}  // namespace ltx2
