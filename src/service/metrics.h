#pragma once
// The /metrics page in the Prometheus text format.
#include <string>

#include "service/job_queue.h"

namespace ltx2::service {

std::string prometheus_text(const QueueMetrics& metrics);

}  // namespace ltx2::service
