#pragma once
// The front end's jobs with `ltx2 serve --redis`: kept in Redis (RedisJobs) and run by `ltx2
// worker`s; the uploads and results are in the data folder the front end and the workers share.
// When Redis cannot be reached every call answers 503 (ApiError) and nothing is changed.
#include <condition_variable>
#include <mutex>
#include <thread>

#include "service/job_board.h"
#include "service/job_store.h"
#include "service/redis_jobs.h"

namespace ltx2::service {

class RedisJobBoard : public JobBoard {
public:
    struct Options {
        size_t max_queue = 16;
        double keep_hours = 0;  // finished jobs older than this are deleted; 0: kept
    };
    RedisJobBoard(const RedisAddress& address, JobStore& store, Options options);
    ~RedisJobBoard() override;

    bool submit(Job job) override;
    bool full() const override;
    int retry_after_seconds() const override;
    std::optional<JobView> get(const std::string& id) const override;
    std::vector<JobView> list(size_t limit, const std::string& after) const override;
    Removal cancel_or_delete(const std::string& id) override;
    bool events(const std::string& id, size_t from, std::chrono::milliseconds timeout, std::vector<JobEvent>& out,
                bool& finished) const override;
    QueueMetrics metrics() const override;
    std::string unavailable_reason() const override;

    // Deletes finished jobs completed more than keep_hours ago with their files.
    void expire_old_jobs() const;

private:
    template <class F>
    auto guarded(F&& f) const;
    void expiry_loop();

    mutable RedisClient redis_;
    mutable RedisJobs jobs_;
    JobStore& store_;
    Options options_;
    std::mutex mutex_;
    std::condition_variable stop_;
    bool stopping_ = false;
    std::thread expiry_;
};

}  // namespace ltx2::service
