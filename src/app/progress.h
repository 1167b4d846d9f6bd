#pragma once
// Progress of a generation on stderr: one line per stage (load, encode text, denoise, upsample,
// decode video, decode audio, mux) with its duration, denoising steps with s/step and ETA, and
// the peak resident memory at the end. A terminal gets a self-updating step line; anything
// else gets plain lines; `json` gives one JSON object per line for programs (docs/PROGRESS.md:
// a `start` event with the schema version first, `done` or `error` last). A listener gets the
// stage and step events as values too (the server's job progress).
#include <chrono>
#include <cstdio>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace ltx2 {

// The version of the JSON stream's schema (docs/PROGRESS.md), in its `start` event.
inline constexpr int kProgressSchemaVersion = 1;

enum class ProgressStyle { Auto, Plain, Json, Quiet };
// "auto" | "plain" | "json" | "none"; throws listing the choices.
ProgressStyle parse_progress_style(const std::string& name);

struct ProgressEvent {
    enum class Kind { StageBegin, StageEnd, Step, Note };
    Kind kind;
    std::string stage;    // StageBegin / StageEnd / Step
    std::string text;     // StageBegin: the detail; Note: the message
    int step = 0, steps = 0;
    double seconds = 0;   // StageEnd: the stage's duration; Step: seconds per step so far
    double elapsed_s = 0; // since the reporter was made
};
using ProgressListener = std::function<void(const ProgressEvent&)>;

class ProgressReporter {
public:
    explicit ProgressReporter(ProgressStyle style, std::FILE* out = stderr, ProgressListener listener = {});

    // A stage starts / ends (the end line carries its duration and the resident memory).
    void begin(const std::string& stage, const std::string& detail = "");
    void end();
    // Denoising step `done` of `total` finished within `stage` (done = 0: the stage starts).
    void step(const std::string& stage, int done, int total);
    // A free-form note ("writing demo model to ...").
    void note(const std::string& message);
    // The closing event of a run that succeeded: `summary`'s fields (docs/PROGRESS.md) with the
    // stage timings, total time and peak resident memory added (json); `line` and the same
    // totals for people (plain).
    void finish(const nlohmann::json& summary, const std::string& line);
    // The closing event of a run that failed (json only; the caller prints the message for people).
    void error(const std::string& message, int exit_code);

private:
    using Clock = std::chrono::steady_clock;
    void emit_json(const std::string& event, nlohmann::json fields);
    double since(Clock::time_point t) const;
    void tell(ProgressEvent event);

    ProgressStyle style_;
    std::FILE* out_;
    ProgressListener listener_;
    bool tty_ = false;
    bool step_line_open_ = false;
    bool stage_open_ = false;
    bool started_ = false;  // the json `start` event went out
    std::vector<std::pair<std::string, double>> stage_seconds_;  // every ended stage, in order
    std::string stage_;
    Clock::time_point start_, stage_start_, steps_start_;
};

}  // namespace ltx2
