#pragma once
// A generation's progress events as calls of the caller's ltx2_progress_fn: one when a stage
// begins, one after each denoising step, one at the end ("done", fraction 1). A non-zero return
// cancels the generation through its token.
#include <chrono>
#include <optional>
#include <string>

#include "app/progress.h"
#include "app/progress_fraction.h"
#include "core/cancellation.h"
#include "ltx2/ltx2.h"

namespace ltx2::capi {

class ProgressCallback {
public:
    ProgressCallback(ltx2_progress_fn callback, void* user_data, CancellationToken& cancel);

    // For ProgressReporter; lives as long as this object.
    ProgressListener listener();
    // The generation's pipeline is known (its request is checked): the events that follow count.
    void start(PipelineKind pipeline);
    // The last call, once the outputs are written.
    void done();

private:
    void on(const ProgressEvent& event);
    int call(const char* stage, int step, int steps, double fraction);

    std::optional<ProgressFraction> fraction_;
    ltx2_progress_fn callback_;
    void* user_data_;
    CancellationToken& cancel_;
    std::string stage_;
    std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

}  // namespace ltx2::capi
