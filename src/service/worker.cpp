#include "service/worker.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <thread>

#include "capi/generation.h"
#include "core/cancellation.h"
#include "core/log.h"
#include "service/job_progress.h"
#include "service/job_store.h"
#include "service/redis_jobs.h"
#include "service/server.h"
#include "service/stop_signals.h"

namespace ltx2::service {

namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

constexpr milliseconds kQueueWait{1000};      // one blocking read of the stream
constexpr milliseconds kRedisRetry{200};      // between tries while Redis cannot be reached
constexpr milliseconds kMaxHeartbeat{1000};   // a cancel reaches the job within about this

// The settings with their context made (the models kept between jobs).
VideoRequests::Settings with_models_open(VideoRequests::Settings settings) {
    open_models(settings, true);
    return settings;
}

std::string default_name() {
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    return fmt::format("{}-{}", host[0] ? host : "worker", ::getpid());
}

class Worker {
public:
    Worker(const WorkerOptions& options, VideoRequests::Settings settings)
        : options_(options),
          name_(options.name.empty() ? default_name() : options.name),
          claim_after_(milliseconds(int64_t(options.claim_timeout_s * 1000))),
          heartbeat_every_(std::clamp(claim_after_ / 4, milliseconds(50), kMaxHeartbeat)),
          redis_(parse_redis_url(options.redis_url)),
          jobs_(redis_),
          store_(options.data_dir),
          requests_(with_models_open(std::move(settings))) {}

    void run() {
        info("worker {}: takes jobs from {} (claim timeout {} s, at most {} attempts per job)", name_,
             redis_.address().display(), options_.claim_timeout_s, options_.max_attempts);
        if (!with_redis("creating the job stream", [&] { jobs_.ensure_group(); })) return;
        while (!stopping_) {
            std::optional<Delivery> delivery;
            if (!with_redis("reading the queue", [&] { delivery = jobs_.next(name_, claim_after_, kQueueWait); })) break;
            if (delivery) run_delivery(*delivery);
        }
        info("worker {}: stopped", name_);
    }

    // From the signal thread: no new job; the running one is handed back.
    void stop() {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        if (running_) running_->cancel();
    }

private:
    // Runs `f`, trying again while Redis cannot be reached; false when the worker stops first.
    template <class F>
    bool with_redis(const char* what, F&& f) {
        bool waited = false;
        for (;;) {
            try {
                f();
                if (waited) info("worker {}: Redis is reachable again", name_);
                return true;
            } catch (const RedisUnavailable& e) {
                if (!waited) warn("worker {}: {}: {}; waiting for it", name_, what, e.what());
                waited = true;
                if (stopping_) return false;
                std::this_thread::sleep_for(kRedisRetry);
            }
        }
    }

    void finish_without_running(Job job, const std::string& code, const std::string& message, const Delivery& d) {
        job.status = JobStatus::Failed;
        job.completed_at = unix_now();
        job.error = JobError{code, message};
        JobChange change;
        change.from = {JobStatus::Queued, JobStatus::InProgress};
        change.events = {closing_event(job)};
        change.entry = JobChange::Entry::Acknowledge;
        change.entry_id = d.entry;
        with_redis("failing the job", [&] { jobs_.change(job, change); });
        warn("job {}: failed: {}", job.id, message);
    }

    void run_delivery(const Delivery& d) {
        if (!is_valid_job_id(d.job_id)) {
            warn("worker {}: stream entry {} names no job ('{}'); acknowledged", name_, d.entry, d.job_id.substr(0, 80));
            with_redis("acknowledging", [&] { jobs_.acknowledge(d.entry); });
            return;
        }
        std::optional<StoredJob> stored;
        try {
            if (!with_redis("reading the job", [&] { stored = jobs_.load(d.job_id); })) return;
        } catch (const Error& e) {  // a damaged record must not stop every worker in turn
            warn("job {}: {}; its queue entry is dropped", d.job_id, e.what());
            with_redis("acknowledging", [&] { jobs_.acknowledge(d.entry); });
            return;
        }
        // Deleted, cancelled while queued, or ended by a worker that stopped before acknowledging.
        if (!stored || is_finished(stored->job.status)) {
            with_redis("acknowledging", [&] { jobs_.acknowledge(d.entry); });
            return;
        }
        Job job = stored->job;
        if (d.taken_over)
            info("job {}: taken over from worker {} (no heartbeat for {} s)", job.id, stored->worker,
                 options_.claim_timeout_s);
        long long attempts = 0;
        if (!with_redis("counting the attempt", [&] { attempts = jobs_.add_attempt(job.id); })) return;
        if (!fs::is_directory(store_.folder(job.id))) {
            hand_back(job, d);
            fail("job {}: its folder {} is not in this worker's --data-dir: the front end and every worker must share "
                 "one data folder (the job went back to the queue)",
                 job.id, store_.folder(job.id).string());
        }
        if (attempts > options_.max_attempts)
            return finish_without_running(
                job, "too_many_attempts",
                fmt::format("the job was started {} times and each time its worker stopped before it ended (the last: "
                            "{}); --max-attempts is {}",
                            attempts - 1, stored->worker, options_.max_attempts),
                d);

        mark_started(job);
        JobChange start;
        start.from = {JobStatus::Queued, JobStatus::InProgress};
        start.new_worker = name_;
        start.events = {started_event(job)};
        bool started = false;
        if (!with_redis("starting the job", [&] { started = jobs_.change(job, start); })) return;
        if (!started) {  // cancelled or deleted in the meantime
            with_redis("acknowledging", [&] { jobs_.acknowledge(d.entry); });
            return;
        }
        info("job {}: started (attempt {})", job.id, attempts);
        run_job_here(job, d);
    }

    void run_job_here(Job& job, const Delivery& d) {
        CancellationToken cancel;
        std::atomic<bool> lost{false}, cancel_asked{false}, done{false};
        {
            std::lock_guard lock(mutex_);
            running_ = &cancel;
            if (stopping_) cancel.cancel();
        }
        std::mutex beat_mutex;
        std::condition_variable beat_wake;
        std::thread heartbeat([&] {
            std::unique_lock lock(beat_mutex);
            bool unreachable = false;
            while (!beat_wake.wait_for(lock, heartbeat_every_, [&] { return done.load(); })) {
                try {
                    const RedisJobs::Heartbeat beat = jobs_.heartbeat(job.id, name_, d.entry);
                    if (unreachable) info("job {}: Redis is reachable again", job.id);
                    unreachable = false;
                    if (beat == RedisJobs::Heartbeat::Lost) lost = true;
                    if (beat == RedisJobs::Heartbeat::CancelRequested) cancel_asked = true;
                    if (beat != RedisJobs::Heartbeat::Owned) cancel.cancel();
                } catch (const RedisUnavailable& e) {  // the job goes on; its entry is kept by the next beat
                    if (!unreachable) warn("job {}: {}; the job goes on", job.id, e.what());
                    unreachable = true;
                }
            }
        });

        // Progress goes to Redis as it comes; what cannot be written during an outage goes with the next write.
        std::vector<JobEvent> unsent;
        JobChange progress_change;
        progress_change.from = {JobStatus::InProgress};
        progress_change.required_worker = name_;
        JobProgress tracker(job, [&](JobEvent e) { unsent.push_back(std::move(e)); });
        const JobRun run = run_job([&] {
            ProgressReporter progress(ProgressStyle::Quiet, stderr, [&](const ProgressEvent& e) {
                tracker.on(e);
                if (unsent.empty()) return;
                progress_change.events = unsent;
                try {
                    jobs_.change(job, progress_change);
                    unsent.clear();
                } catch (const RedisUnavailable&) {
                }
            });
            return capi::generate(requests_.context(), requests_.generation_options(job, store_), progress, &cancel)
                .result;
        });
        {
            std::lock_guard lock(beat_mutex);
            done = true;
        }
        beat_wake.notify_all();
        heartbeat.join();
        {
            std::lock_guard lock(mutex_);
            running_ = nullptr;
        }

        if (lost) {
            warn("job {}: no longer this worker's (taken over or deleted); its run here is dropped", job.id);
            return;
        }
        if (run.cancelled && !cancel_asked) {  // the worker stops
            hand_back(job, d);
            return;
        }
        mark_finished(job, run);
        JobChange finish = progress_change;
        finish.events = unsent;
        finish.events.push_back(closing_event(job));
        finish.entry = JobChange::Entry::Acknowledge;
        finish.entry_id = d.entry;
        bool written = false;
        if (!with_redis("writing the result", [&] { written = jobs_.change(job, finish); })) return;
        if (!written) {
            warn("job {}: no longer this worker's (taken over or deleted); its result is not recorded", job.id);
            return;
        }
        with_redis("updating the statistics", [&] {
            jobs_.add_run_stats(job.status == JobStatus::Completed ? run.seconds : 0, tracker.steps(),
                                tracker.step_seconds_sum());
        });
        info("job {}: {} in {:.1f} s{}", job.id, job_status_name(job.status), run.seconds,
             job.error ? ": " + job.error->message : "");
    }

    // Back to the queue's end for another worker, the attempt given back.
    void hand_back(Job job, const Delivery& d) {
        job.status = JobStatus::Queued;
        job.progress = 0;
        JobChange change;
        change.from = {JobStatus::Queued, JobStatus::InProgress};
        change.entry = JobChange::Entry::Requeue;
        change.entry_id = d.entry;
        bool handed = false;
        try {
            handed = jobs_.change(job, change);
        } catch (const RedisUnavailable& e) {
            warn("job {}: cannot hand it back ({}); another worker takes it over after the claim timeout", job.id,
                 e.what());
            return;
        }
        if (handed) info("job {}: handed back to the queue", job.id);
    }

    WorkerOptions options_;
    std::string name_;
    milliseconds claim_after_, heartbeat_every_;
    RedisClient redis_;
    RedisJobs jobs_;
    JobStore store_;
    const VideoRequests requests_;
    std::mutex mutex_;
    std::atomic<bool> stopping_{false};
    CancellationToken* running_ = nullptr;
};

}  // namespace

void run_worker(const WorkerOptions& o, VideoRequests::Settings settings) {
    if (o.redis_url.empty()) fail("--redis: give the Redis the front end uses, e.g. redis://127.0.0.1:6379");
    if (o.data_dir.empty()) fail("--data-dir: give the data folder the front end uses (shared)");
    if (!(o.claim_timeout_s >= 0.2 && o.claim_timeout_s <= 86400))
        fail("--claim-timeout {}: expected seconds in [0.2, 86400]", o.claim_timeout_s);
    if (o.max_attempts < 1) fail("--max-attempts {}: expected at least 1", o.max_attempts);
    if (!fs::is_directory(o.data_dir))
        fail("--data-dir {}: no such folder (the front end's data folder, shared with every worker)", o.data_dir);
    StopSignals signals;
    Worker worker(o, std::move(settings));
    signals.on_stop([&](int signal) {
        info("signal {}: stopping (a running job goes back to the queue)", signal);
        worker.stop();
    });
    worker.run();
}

}  // namespace ltx2::service
