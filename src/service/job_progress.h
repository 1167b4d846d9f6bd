#pragma once
// What running one job means for its record and its events, wherever it runs (the server's own
// queue thread or an `ltx2 worker`): the API's progress percentage and events made from the
// generation's progress, the generation run with its failures caught, and the job's final state.
#include <functional>
#include <optional>
#include <string>

#include "app/generate.h"
#include "app/progress.h"
#include "app/progress_fraction.h"
#include "service/job.h"
#include "service/job_board.h"

namespace ltx2::service {

// Follows one generation: updates the job's progress (ProgressFraction, app/progress_fraction.h, in percent)
// and seconds per stage, and emits the stage and progress events of the events stream.
class JobProgress {
public:
    using EventSink = std::function<void(JobEvent)>;
    JobProgress(Job& job, EventSink emit);
    void on(const ProgressEvent& event);

    // Denoising steps finished and their seconds in all (the step-time metric).
    uint64_t steps() const { return steps_; }
    double step_seconds_sum() const { return step_seconds_sum_; }

private:
    void report(int percent, const ProgressEvent& event);

    Job& job_;
    EventSink emit_;
    ProgressFraction fraction_;
    uint64_t steps_ = 0;
    double step_seconds_sum_ = 0;
};

// How one run of a job's generation ended.
struct JobRun {
    bool cancelled = false;
    std::optional<JobError> error;  // failed
    GenerateResult result;
    double seconds = 0;
    uint64_t peak_memory_bytes = 0;  // of this process while the job ran
};
// Runs `generation`, timing it; Cancelled and any failure are caught into the JobRun.
JobRun run_job(const std::function<GenerateResult()>& generation);

// The job as it starts to run (in progress, nothing reported yet) and its first event.
void mark_started(Job& job);
JobEvent started_event(const Job& job);
// The job's final state after `run` (completed, failed or cancelled) and its closing event
// (done with the job object, or error).
void mark_finished(Job& job, const JobRun& run);
JobEvent closing_event(const Job& job);
// A queued job cancelled before any worker took it.
void mark_cancelled_while_queued(Job& job);
// Unix seconds now.
int64_t unix_now();

}  // namespace ltx2::service
