#include "service/redis_job_board.h"

#include <algorithm>

#include "core/log.h"
#include "service/api_error.h"
#include "service/job_progress.h"

namespace ltx2::service {

namespace {

constexpr auto kEventPoll = std::chrono::milliseconds(100);
constexpr int kChangeTries = 5;  // a job that changes state under a cancel is read again

}  // namespace

RedisJobBoard::RedisJobBoard(const RedisAddress& address, JobStore& store, Options options)
    : redis_(address), jobs_(redis_), store_(store), options_(options) {
    try {
        jobs_.ensure_group();
        info("jobs are kept in Redis at {} and run by `ltx2 worker`s", address.display());
    } catch (const RedisUnavailable& e) {
        warn("{}: the API answers 503 until it can be reached", e.what());
    }
    if (options_.keep_hours > 0) expiry_ = std::thread([this] { expiry_loop(); });
}

RedisJobBoard::~RedisJobBoard() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    stop_.notify_all();
    if (expiry_.joinable()) expiry_.join();
}

template <class F>
auto RedisJobBoard::guarded(F&& f) const {
    try {
        return f();
    } catch (const RedisUnavailable& e) {
        throw ApiError(503, "service_unavailable", fmt::format("the job queue cannot be reached now: {}", e.what()));
    }
}

bool RedisJobBoard::submit(Job job) {
    job.status = JobStatus::Queued;
    return guarded([&] { return jobs_.enqueue(job, options_.max_queue); });
}

bool RedisJobBoard::full() const {
    return guarded([&] { return jobs_.waiting() >= options_.max_queue; });
}

int RedisJobBoard::retry_after_seconds() const {
    try {
        return seconds_until_a_place_frees(jobs_.stats());
    } catch (const Error&) {
        return seconds_until_a_place_frees({});
    }
}

std::optional<JobView> RedisJobBoard::get(const std::string& id) const {
    return guarded([&]() -> std::optional<JobView> {
        std::optional<StoredJob> stored = jobs_.load(id);
        if (!stored) return std::nullopt;
        return JobView{stored->job, jobs_.queue_position(stored->job)};
    });
}

std::vector<JobView> RedisJobBoard::list(size_t limit, const std::string& after) const {
    return guarded([&] {
        std::vector<JobView> out;
        for (const std::string& id : jobs_.ids_newest_first(limit, after))
            if (std::optional<StoredJob> stored = jobs_.load(id))
                out.push_back({stored->job, jobs_.queue_position(stored->job)});
        return out;
    });
}

JobBoard::Removal RedisJobBoard::cancel_or_delete(const std::string& id) {
    return guarded([&] {
        for (int attempt = 0; attempt < kChangeTries; ++attempt) {
            std::optional<StoredJob> stored = jobs_.load(id);
            if (!stored) return Removal::NotFound;
            Job& job = stored->job;
            if (job.status == JobStatus::Queued) {
                mark_cancelled_while_queued(job);
                JobChange change;
                change.from = {JobStatus::Queued};
                change.events = {closing_event(job)};
                if (jobs_.change(job, change)) return Removal::Cancelled;
            } else if (job.status == JobStatus::InProgress) {
                if (jobs_.request_cancel(id)) return Removal::CancelRequested;
            } else {
                jobs_.remove(id);
                store_.remove(id);
                return Removal::Deleted;
            }
        }
        throw ApiError(409, "conflict", "the job changed state while it was being cancelled; try again", "id");
    });
}

bool RedisJobBoard::events(const std::string& id, size_t from, std::chrono::milliseconds timeout,
                           std::vector<JobEvent>& out, bool& finished) const {
    return guarded([&] {
        const auto until = std::chrono::steady_clock::now() + timeout;
        for (;;) {
            const std::optional<JobStatus> status = jobs_.status(id);
            if (!status) return false;
            finished = is_finished(*status);
            std::vector<JobEvent> news = jobs_.events(id, from);
            if (!news.empty() || finished || std::chrono::steady_clock::now() >= until) {
                // The closing event is written with the final state, so a job read as finished has all its events.
                out.insert(out.end(), news.begin(), news.end());
                return true;
            }
            std::this_thread::sleep_for(kEventPoll);
        }
    });
}

QueueMetrics RedisJobBoard::metrics() const {
    return guarded([&] {
        QueueMetrics m = jobs_.stats();
        m.queue_depth = jobs_.waiting();
        m.jobs_by_status = jobs_.count_by_status();
        return m;
    });
}

std::string RedisJobBoard::unavailable_reason() const {
    try {
        redis_.command({"PING"});
        return "";
    } catch (const Error& e) {
        return e.what();
    }
}

void RedisJobBoard::expire_old_jobs() const {
    if (options_.keep_hours <= 0) return;
    const int64_t cutoff = unix_now() - int64_t(options_.keep_hours * 3600.0);
    for (const std::string& id : jobs_.all_ids()) {
        const std::optional<StoredJob> stored = jobs_.load(id);
        if (!stored || !is_finished(stored->job.status) || stored->job.completed_at > cutoff) continue;
        info("job {} expired (finished {} s ago)", id, unix_now() - stored->job.completed_at);
        jobs_.remove(id);
        store_.remove(id);
    }
}

void RedisJobBoard::expiry_loop() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        lock.unlock();
        try {
            expire_old_jobs();
        } catch (const Error& e) {
            warn("expiring old jobs: {}", e.what());
        }
        lock.lock();
        // Every minute, or twice per --keep-hours when that is shorter.
        const double period = std::clamp(options_.keep_hours * 3600.0 / 2, 0.5, 60.0);
        stop_.wait_for(lock, std::chrono::duration<double>(period), [&] { return stopping_; });
    }
}

}  // namespace ltx2::service
