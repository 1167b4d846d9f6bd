#pragma once
// The /metrics page in the Prometheus text format.
#include <string>

#include "pipelines/model_cache.h"
#include "service/job_board.h"

namespace ltx2::service {

// `kept`: the models kept loaded between jobs.
std::string prometheus_text(const QueueMetrics& metrics, const ModelCache::Stats& kept);

}  // namespace ltx2::service
