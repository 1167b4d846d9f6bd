#pragma once
// How far a generation has come, from 0 to 1, read from its progress events: 0.05 once the
// models are found and the prompts are being encoded, the denoising stages share 0.05..0.90 by
// their steps, decoding the video starts at 0.91, the audio at 0.95, writing the outputs at 0.98.
// It never goes back; 1 is for the caller to report once generate() has returned. The server's
// job progress and the C API's progress callback both follow it.
#include <optional>

#include "app/progress.h"
#include "pipelines/generation_params.h"

namespace ltx2 {

class ProgressFraction {
public:
    explicit ProgressFraction(PipelineKind pipeline);

    // The fraction once `event` happened, when the event marks progress (a stage above begins, a
    // denoising step ends); nothing for the others.
    std::optional<double> mark(const ProgressEvent& event);
    double value() const { return value_; }

private:
    int denoise_stages_ = 1, denoise_stages_done_ = 0;
    double value_ = 0;
};

}  // namespace ltx2
