#pragma once
// The jobs in Redis, as the front end (`ltx2 serve --redis`) and the workers (`ltx2 worker`) share them:
//   ltx2:queue       a stream of {job: ID} entries, read by the consumer group "workers" (XREADGROUP);
//                    an entry stays pending until the job ends, and one pending longer than the
//                    claim timeout without its worker's heartbeat is taken over (XAUTOCLAIM)
//   ltx2:job:ID      a hash: record (the job as its job.json), status, worker, attempts, cancel
//   ltx2:jobs        every job by creation time (the API's list)
//   ltx2:waiting     the queued jobs by creation time (queue positions, --max-queue)
//   ltx2:events:ID   the job's events, each "NAME\nDATA"
//   ltx2:stats       jobs_run, job_seconds_sum, steps, step_seconds_sum
// A job changes state only through a Lua script that checks the state it expects (and, for a
// worker, that the job is still its own), so a front end, a worker and one that took over a dead
// worker's job never overwrite each other.
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "service/job.h"
#include "service/job_board.h"
#include "service/redis_client.h"

namespace ltx2::service {

struct StoredJob {
    Job job;
    std::string worker;  // the consumer that runs or ran it
    long long attempts = 0;
};

// A stream entry handed to a worker: new, or taken over from a worker that stopped answering.
struct Delivery {
    std::string entry, job_id;
    bool taken_over = false;
};

struct JobChange {
    std::vector<JobStatus> from;   // the change applies only in one of these states
    std::string required_worker;   // and only when this worker runs it (empty: any)
    std::string new_worker;        // recorded as the job's worker (empty: unchanged)
    std::vector<JobEvent> events;  // appended to the job's events
    enum class Entry { Keep, Acknowledge, Requeue } entry = Entry::Keep;  // of the stream entry below
    std::string entry_id;
};

class RedisJobs {
public:
    explicit RedisJobs(RedisClient& redis);

    // Creates the stream and its consumer group when they do not exist.
    void ensure_group();

    // The front end's side.
    bool enqueue(const Job& job, size_t max_waiting);  // false: --max-queue jobs already wait
    size_t waiting();
    std::optional<StoredJob> load(const std::string& id);
    std::optional<JobStatus> status(const std::string& id);  // nullopt: no such job
    std::optional<int> queue_position(const Job& job);  // 0: running, 1: next
    // Job ids, newest first: at most `limit` after `after` (all from the newest when empty or unknown).
    std::vector<std::string> ids_newest_first(size_t limit, const std::string& after);
    std::vector<std::string> all_ids();
    bool request_cancel(const std::string& id);  // false: the job is not running
    void remove(const std::string& id);
    std::vector<JobEvent> events(const std::string& id, size_t from);
    std::map<std::string, size_t> count_by_status();
    QueueMetrics stats();

    // The workers' side.
    // The next job for `consumer`: first one whose worker has not answered for `claim_after`,
    // else a new one, waiting up to `block` for it.
    std::optional<Delivery> next(const std::string& consumer, std::chrono::milliseconds claim_after,
                                 std::chrono::milliseconds block);
    long long add_attempt(const std::string& id);
    enum class Heartbeat { Owned, CancelRequested, Lost };
    // Keeps the entry from being taken over, and says whether the job was cancelled or is no longer ours.
    Heartbeat heartbeat(const std::string& id, const std::string& consumer, const std::string& entry);
    void acknowledge(const std::string& entry);
    void add_run_stats(double job_seconds, uint64_t steps, double step_seconds_sum);

    // Both: writes `job` (its record and status) when `change` allows; false when it does not.
    bool change(const Job& job, const JobChange& change);

private:
    RedisClient& redis_;
};

}  // namespace ltx2::service
