#include "capi/progress_callback.h"

namespace ltx2::capi {

ProgressCallback::ProgressCallback(ltx2_progress_fn callback, void* user_data, CancellationToken& cancel)
    : callback_(callback), user_data_(user_data), cancel_(cancel) {}

void ProgressCallback::start(PipelineKind pipeline) { fraction_.emplace(pipeline); }

ProgressListener ProgressCallback::listener() {
    return [this](const ProgressEvent& event) { on(event); };
}

void ProgressCallback::on(const ProgressEvent& event) {
    if (!fraction_) return;  // no event comes before the request is checked
    (void)fraction_->mark(event);
    int stop = 0;
    if (event.kind == ProgressEvent::Kind::StageBegin) {
        stage_ = event.stage;  // the steps that follow are this stage's ("denoise stage1")
        stop = call(stage_.c_str(), 0, 0, fraction_->value());
    } else if (event.kind == ProgressEvent::Kind::Step && event.step > 0) {
        stop = call(stage_.c_str(), event.step, event.steps, fraction_->value());
    }
    if (stop != 0) cancel_.cancel();  // the generation stops at its next check
}

void ProgressCallback::done() {
    // Nothing is left to cancel: the outputs are written.
    (void)call("done", 0, 0, 1.0);
}

int ProgressCallback::call(const char* stage, int step, int steps, double fraction) {
    if (callback_ == nullptr) return 0;
    ltx2_progress progress{};
    progress.stage = stage;
    progress.step = step;
    progress.steps = steps;
    progress.fraction = fraction;
    progress.elapsed_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    return callback_(&progress, user_data_);
}

}  // namespace ltx2::capi
