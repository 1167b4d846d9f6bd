#pragma once
// The server's own jobs (the default, without --redis): a bounded first-in-first-out queue run
// by one thread of this process, the state of every job (kept in job.json through the
// JobStore), each job's event log for the events stream, cancellation, expiry of old results,
// and the numbers /metrics reports.
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
#include "service/job_board.h"
#include "service/job_progress.h"
#include "service/job.h"
#include "service/job_store.h"

namespace ltx2::service {

class JobQueue : public JobBoard {
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

    bool submit(Job job) override;
    bool full() const override;
    int retry_after_seconds() const override;
    std::optional<JobView> get(const std::string& id) const override;
    std::vector<JobView> list(size_t limit, const std::string& after) const override;
    Removal cancel_or_delete(const std::string& id) override;
    bool events(const std::string& id, size_t from, std::chrono::milliseconds timeout, std::vector<JobEvent>& out,
                bool& finished) const override;
    QueueMetrics metrics() const override;
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
    void add_event(Entry& entry, JobEvent event);
    std::optional<int> queue_position(const std::string& id) const;

    JobStore& store_;
    Runner runner_;
    Options options_;
    mutable std::mutex mutex_;
    mutable std::condition_variable changed_;  // new work, new events, stop
    std::map<std::string, Entry> jobs_;
    std::deque<std::string> queue_;
    std::string running_;
    QueueMetrics counters_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace ltx2::service
