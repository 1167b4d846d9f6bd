#include "app/progress_fraction.h"

#include <algorithm>
#include <map>
#include <string>

namespace ltx2 {

namespace {

constexpr double kDenoiseStart = 0.05, kDenoiseEnd = 0.90;
const std::map<std::string, double> kStageStarts = {
    {"encode text", kDenoiseStart}, {"decode video", 0.91}, {"decode audio", 0.95}, {"write outputs", 0.98}};

}  // namespace

ProgressFraction::ProgressFraction(PipelineKind pipeline) : denoise_stages_(upsamples(pipeline) ? 2 : 1) {}

std::optional<double> ProgressFraction::mark(const ProgressEvent& event) {
    double reached = 0;
    if (event.kind == ProgressEvent::Kind::StageBegin) {
        const auto it = kStageStarts.find(event.stage);
        if (it == kStageStarts.end()) return std::nullopt;
        reached = it->second;
    } else if (event.kind == ProgressEvent::Kind::Step) {
        if (event.step == 0 || event.steps <= 0) return std::nullopt;
        const double stages_done = double(denoise_stages_done_) + double(event.step) / event.steps;
        reached = std::min(kDenoiseStart + (kDenoiseEnd - kDenoiseStart) * stages_done / denoise_stages_, kDenoiseEnd);
        if (event.step == event.steps) ++denoise_stages_done_;
    } else {
        return std::nullopt;
    }
    value_ = std::clamp(std::max(value_, reached), 0.0, 1.0);
    return value_;
}

}  // namespace ltx2
