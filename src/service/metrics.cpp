#include "service/metrics.h"

#include <fmt/format.h>

namespace ltx2::service {

std::string prometheus_text(const QueueMetrics& m, const ModelCache::Stats& kept) {
    std::string out;
    auto metric = [&](const char* name, const char* type, const char* help) {
        out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
    };
    metric("ltx2_queue_depth", "gauge", "Jobs waiting to run.");
    out += fmt::format("ltx2_queue_depth {}\n", m.queue_depth);
    metric("ltx2_jobs", "gauge", "Jobs known to the server, by status.");
    std::map<std::string, size_t> by_status = m.jobs_by_status;  // every status, 0 when no job has it
    for (JobStatus s : {JobStatus::Queued, JobStatus::InProgress, JobStatus::Completed, JobStatus::Failed,
                        JobStatus::Cancelled})
        by_status.emplace(job_status_name(s), 0);
    for (const auto& [status, n] : by_status) out += fmt::format("ltx2_jobs{{status=\"{}\"}} {}\n", status, n);
    metric("ltx2_denoise_step_seconds", "summary", "Seconds per denoising step of the jobs run since the start.");
    out += fmt::format("ltx2_denoise_step_seconds_sum {}\nltx2_denoise_step_seconds_count {}\n", m.step_seconds_sum,
                       m.steps);
    metric("ltx2_job_seconds", "summary", "Seconds per completed job since the start.");
    out += fmt::format("ltx2_job_seconds_sum {}\nltx2_job_seconds_count {}\n", m.job_seconds_sum, m.jobs_run);
    metric("ltx2_models_kept", "gauge", "Models kept loaded between jobs.");
    out += fmt::format("ltx2_models_kept {}\n", kept.held.size());
    metric("ltx2_models_kept_bytes", "gauge", "Estimated bytes of the models kept loaded, and the most they may take.");
    out += fmt::format("ltx2_models_kept_bytes {}\nltx2_models_kept_bytes_capacity {}\n", kept.held_bytes,
                       kept.capacity_bytes);
    metric("ltx2_model_loads_total", "counter", "Models loaded from their files since the start.");
    out += fmt::format("ltx2_model_loads_total {}\n", kept.loads);
    metric("ltx2_model_reuses_total", "counter", "Models taken from those kept loaded instead of loaded again.");
    out += fmt::format("ltx2_model_reuses_total {}\n", kept.hits);
    metric("ltx2_model_evictions_total", "counter", "Kept models released to make room for others.");
    out += fmt::format("ltx2_model_evictions_total {}\n", kept.evictions);
    return out;
}

}  // namespace ltx2::service
