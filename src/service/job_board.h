#pragma once
// What the HTTP API needs of the jobs, wherever they are kept: in this process, run by its own
// thread (JobQueue), or in Redis, run by `ltx2 worker`s on any machine (RedisJobBoard).
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "service/job.h"

namespace ltx2::service {

// One server-sent event: its name (progress, stage, done, error) and its JSON data.
struct JobEvent {
    std::string name, data;
};

struct JobView {
    Job job;
    std::optional<int> queue_position;  // 1 = next to run, 0 = running
};

struct QueueMetrics {
    size_t queue_depth = 0;
    std::map<std::string, size_t> jobs_by_status;
    double step_seconds_sum = 0;
    uint64_t steps = 0;
    double job_seconds_sum = 0;
    uint64_t jobs_run = 0;
};

// Seconds a client should wait for a place in a full queue: one job's mean duration (a place
// frees when the running job ends), 30 s before any job ran.
inline int seconds_until_a_place_frees(const QueueMetrics& m) {
    const double per_job = m.jobs_run ? m.job_seconds_sum / double(m.jobs_run) : 30.0;
    return std::max(1, int(per_job + 0.5));
}

// Every method may throw ApiError (503) when the place the jobs are kept cannot be reached.
class JobBoard {
public:
    virtual ~JobBoard() = default;

    // Queues a new job (saved first); false when the queue is full.
    virtual bool submit(Job job) = 0;
    virtual bool full() const = 0;
    // Seconds a client should wait before trying again when the queue is full.
    virtual int retry_after_seconds() const = 0;

    virtual std::optional<JobView> get(const std::string& id) const = 0;
    // Newest first; at most `limit`, starting after the job `after` when given.
    virtual std::vector<JobView> list(size_t limit, const std::string& after) const = 0;

    enum class Removal { NotFound, Cancelled, CancelRequested, Deleted };
    // Queued: cancelled at once. Running: cancelled at its next step. Finished: deleted with its files.
    virtual Removal cancel_or_delete(const std::string& id) = 0;

    // The job's events from index `from` on, waiting up to `timeout` for new ones when there are
    // none; false when the job does not exist (any more). `finished`: no more events will come.
    virtual bool events(const std::string& id, size_t from, std::chrono::milliseconds timeout,
                        std::vector<JobEvent>& out, bool& finished) const = 0;

    virtual QueueMetrics metrics() const = 0;
    // Empty when the jobs can be reached, else why not (for /health).
    virtual std::string unavailable_reason() const { return ""; }
};

}  // namespace ltx2::service
