#include "service/job_progress.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/memory_stats.h"
#include "pipelines/generation_params.h"

namespace ltx2::service {

namespace {

PipelineKind pipeline_of(const Job& job) {
    const auto pipeline = job.request.find("pipeline");
    return pipeline == job.request.end() ? PipelineKind::Distilled : parse_pipeline_kind(pipeline->second);
}

// Whole percents; the margin keeps a fraction computed as 0.2199999... at the 22 it stands for.
int percent_of(double fraction) { return int(std::floor(fraction * 100 + 1e-6)); }

// A stage's detail without the server's folders (a model file or upload path becomes its name).
std::string without_folders(const std::string& detail) {
    return detail.rfind('/', 0) == 0 ? std::filesystem::path(detail).filename().string() : detail;
}

}  // namespace

int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

JobProgress::JobProgress(Job& job, EventSink emit)
    : job_(job), emit_(std::move(emit)), fraction_(pipeline_of(job)) {}

void JobProgress::report(int percent, const ProgressEvent& event) {
    job_.progress = std::clamp(std::max(job_.progress, percent), 0, 99);
    emit_({"progress", nlohmann::json{{"id", job_.id},
                                      {"progress", job_.progress},
                                      {"stage", event.stage},
                                      {"step", event.step},
                                      {"steps", event.steps}}
                           .dump()});
}

void JobProgress::on(const ProgressEvent& event) {
    switch (event.kind) {
        case ProgressEvent::Kind::StageBegin:
            emit_({"stage",
                   nlohmann::json{{"id", job_.id}, {"stage", event.stage}, {"detail", without_folders(event.text)}}.dump()});
            if (const auto fraction = fraction_.mark(event)) report(percent_of(*fraction), event);
            break;
        case ProgressEvent::Kind::StageEnd:
            job_.stage_seconds[event.stage] += event.seconds;
            break;
        case ProgressEvent::Kind::Step: {
            if (const auto fraction = fraction_.mark(event)) report(percent_of(*fraction), event);
            if (event.step > 0 && event.step == event.steps) {
                step_seconds_sum_ += event.seconds * event.steps;
                steps_ += uint64_t(event.steps);
            }
            break;
        }
        case ProgressEvent::Kind::Note: break;
    }
}

JobRun run_job(const std::function<GenerateResult()>& generation) {
    reset_peak_rss();  // the job's peak, not the process's since it started
    const auto started = std::chrono::steady_clock::now();
    JobRun run;
    try {
        run.result = generation();
    } catch (const Cancelled&) {
        run.cancelled = true;
    } catch (const std::exception& e) {
        run.error = JobError{"generation_failed", e.what()};
    }
    run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    run.peak_memory_bytes = peak_rss_bytes();
    return run;
}

void mark_started(Job& job) {
    job.status = JobStatus::InProgress;
    job.progress = 0;
    job.stage_seconds.clear();
}

JobEvent started_event(const Job& job) {
    return {"progress", nlohmann::json{{"id", job.id}, {"progress", 0}, {"stage", "started"}}.dump()};
}

void mark_finished(Job& job, const JobRun& run) {
    job.completed_at = unix_now();
    if (run.cancelled) {
        job.status = JobStatus::Cancelled;
        job.error = JobError{"cancelled", "the job was cancelled while it ran"};
    } else if (run.error) {
        job.status = JobStatus::Failed;
        job.error = run.error;
    } else {
        job.status = JobStatus::Completed;
        job.progress = 100;
        job.total_seconds = run.seconds;
        job.peak_memory_bytes = run.peak_memory_bytes;
        job.enhanced_prompt = run.result.enhanced_prompt;
    }
}

void mark_cancelled_while_queued(Job& job) {
    job.status = JobStatus::Cancelled;
    job.completed_at = unix_now();
    job.error = JobError{"cancelled", "the job was cancelled before it started"};
}

JobEvent closing_event(const Job& job) {
    if (job.status == JobStatus::Completed) return {"done", job_object(job, std::nullopt).dump()};
    return {"error", nlohmann::json{{"id", job.id},
                                    {"status", job_status_name(job.status)},
                                    {"error", {{"code", job.error->code}, {"message", job.error->message}}}}
                         .dump()};
}

}  // namespace ltx2::service
