#pragma once
// `ltx2 worker`: runs the jobs a front end (`ltx2 serve --redis`) queued in Redis, any number of
// workers on any machines sharing one data folder. A job is read from the stream with its
// consumer group, run while a heartbeat keeps its entry from being taken over (and brings a
// cancel), and acknowledged once its final state is written. A worker that stops answering has
// its job taken over after --claim-timeout; a job started more than --max-attempts times fails
// with the reason. SIGINT / SIGTERM: the running job is handed back to the queue at once (it does
// not count as an attempt) and the worker exits. While Redis cannot be reached the worker waits,
// a running job goes on, and its result is written once Redis is back.
#include <string>

#include "service/video_request.h"

namespace ltx2::service {

struct WorkerOptions {
    std::string redis_url;
    std::string data_dir;       // the front end's --data-dir, shared
    std::string name;           // the consumer name; empty: HOSTNAME-PID
    double claim_timeout_s = 60;
    int max_attempts = 3;
};

// Runs until SIGINT or SIGTERM; throws ltx2::Error naming the option for bad settings, or when a
// job's folder is not in --data-dir (the job is handed back first).
void run_worker(const WorkerOptions& options, VideoRequests::Settings settings);

}  // namespace ltx2::service
