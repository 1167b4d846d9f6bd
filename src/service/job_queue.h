#pragma once
// The server's jobs: a bounded first-in-first-out queue run by one worker thread, the state of
// every job (kept in job.json through the JobStore), each job's event log for the events stream,
// cancellation, expiry of old results, and the numbers /metrics reports.
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "app/generate.h"
#include "app/progress.h"
#include "core/cancellation.h"
#include "service/job.h"
#include "service/job_store.h"

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

class JobQueue {
public:
    // Runs one job's generation (the job's own folder holds its inputs and receives its results);
    // throws Cancelled when `cancel` fired, ltx2::Error (or any exception) when it failed.
    using Runner =
        std::function<GenerateResult(const Job& job, ProgressReporter& progress, const CancellationToken& cancel)>;
    struct Options {
        size_t max_queue = 16;     // waiting jobs (the running one not counted)
        double keep_hours = 0;     // finished jobs older than this are deleted; 0: kept
    };

    // Loads the jobs in `store`: finished ones are kept, queued and running ones queued again
    // (oldest first).
    JobQueue(JobStore& store, Runner runner, Options options);
    ~JobQueue();  // stop()

    void start();
    // Stops the worker: a running job is cancelled and stays queued on disk, to run after a restart.
    void stop();

    // Queues a new job (saved first); false when the queue is full.
    bool submit(Job job);
    bool full() const;
    // Seconds a client should wait before trying again when the queue is full.
    int retry_after_seconds() const;

    std::optional<JobView> get(const std::string& id) const;
    // Newest first; at most `limit`, starting after the job `after` when given.
    std::vector<JobView> list(size_t limit, const std::string& after) const;

    enum class Removal { NotFound, Cancelled, CancelRequested, Deleted };
    // Queued: cancelled at once. Running: cancelled at its next step. Finished: deleted with its files.
    Removal cancel_or_delete(const std::string& id);

    // The job's events from index `from` on, waiting up to `timeout` for new ones when there are
    // none; false when the job does not exist (any more). `finished`: no more events will come.
    bool events(const std::string& id, size_t from, std::chrono::milliseconds timeout, std::vector<JobEvent>& out,
                bool& finished) const;

    QueueMetrics metrics() const;
    // Deletes finished jobs completed more than keep_hours ago (nothing when keep_hours is 0).
    void expire_old_jobs();

private:
    struct Entry {
        Job job;
        std::vector<JobEvent> events;
        std::shared_ptr<CancellationToken> cancel;  // set while running
    };
    void worker();
    void run(const std::string& id);
    void on_progress(const std::string& id, int denoise_stages, const ProgressEvent& event);
    void add_event(Entry& entry, const std::string& name, const std::string& data);
    void finish_events(Entry& entry);
    std::optional<int> queue_position(const std::string& id) const;

    JobStore& store_;
    Runner runner_;
    Options options_;
    mutable std::mutex mutex_;
    mutable std::condition_variable changed_;  // new work, new events, stop
    std::map<std::string, Entry> jobs_;
    std::deque<std::string> queue_;
    std::string running_;
    int denoise_stages_done_ = 0;
    QueueMetrics counters_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace ltx2::service
