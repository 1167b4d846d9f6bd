#include "service/metrics.h"

#include <fmt/format.h>

namespace ltx2::service {

std::string prometheus_text(const QueueMetrics& m) {
    std::string out;
    auto metric = [&](const char* name, const char* type, const char* help) {
        out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
    };
    metric("ltx2_queue_depth", "gauge", "Jobs waiting to run.");
    out += fmt::format("ltx2_queue_depth {}\n", m.queue_depth);
    metric("ltx2_jobs", "gauge", "Jobs known to the server, by status.");
    for (const auto& [status, n] : m.jobs_by_status) out += fmt::format("ltx2_jobs{{status=\"{}\"}} {}\n", status, n);
    metric("ltx2_denoise_step_seconds", "summary", "Seconds per denoising step of the jobs run since the start.");
    out += fmt::format("ltx2_denoise_step_seconds_sum {}\nltx2_denoise_step_seconds_count {}\n", m.step_seconds_sum,
                       m.steps);
    metric("ltx2_job_seconds", "summary", "Seconds per completed job since the start.");
    out += fmt::format("ltx2_job_seconds_sum {}\nltx2_job_seconds_count {}\n", m.job_seconds_sum, m.jobs_run);
    return out;
}

}  // namespace ltx2::service
