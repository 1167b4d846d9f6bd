#include "service/job_queue.h"

#include <algorithm>

#include "core/log.h"

namespace ltx2::service {

JobQueue::JobQueue(JobStore& store, Runner runner, Options options)
    : store_(store), runner_(std::move(runner)), options_(options) {
    std::vector<Job> jobs = store_.load_all();
    std::sort(jobs.begin(), jobs.end(), [](const Job& a, const Job& b) { return a.created_us < b.created_us; });
    for (Job& job : jobs) {
        const std::string id = job.id;
        if (!is_finished(job.status)) {
            job.status = JobStatus::Queued;
            job.progress = 0;
            store_.save(job);
            queue_.push_back(id);
        }
        Entry& entry = jobs_[id];
        entry.job = std::move(job);
        if (is_finished(entry.job.status)) add_event(entry, closing_event(entry.job));
    }
    if (!queue_.empty()) info("{} job(s) queued again from {}", queue_.size(), "the data folder");
}

JobQueue::~JobQueue() { stop(); }

void JobQueue::start() { thread_ = std::thread([this] { worker(); }); }

void JobQueue::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        if (!running_.empty()) jobs_.at(running_).cancel->cancel();
    }
    changed_.notify_all();
    if (thread_.joinable()) thread_.join();
}

bool JobQueue::submit(Job job) {
    std::lock_guard lock(mutex_);
    if (queue_.size() >= options_.max_queue) return false;
    job.status = JobStatus::Queued;
    store_.save(job);
    const std::string id = job.id;
    jobs_[id].job = std::move(job);
    queue_.push_back(id);
    changed_.notify_all();
    return true;
}

bool JobQueue::full() const {
    std::lock_guard lock(mutex_);
    return queue_.size() >= options_.max_queue;
}

int JobQueue::retry_after_seconds() const {
    std::lock_guard lock(mutex_);
    return seconds_until_a_place_frees(counters_);
}

std::optional<int> JobQueue::queue_position(const std::string& id) const {
    if (id == running_) return 0;
    const auto it = std::find(queue_.begin(), queue_.end(), id);
    if (it == queue_.end()) return std::nullopt;
    return int(it - queue_.begin()) + 1;
}

std::optional<JobView> JobQueue::get(const std::string& id) const {
    std::lock_guard lock(mutex_);
    const auto it = jobs_.find(id);
    if (it == jobs_.end()) return std::nullopt;
    return JobView{it->second.job, queue_position(id)};
}

std::vector<JobView> JobQueue::list(size_t limit, const std::string& after) const {
    std::lock_guard lock(mutex_);
    std::vector<const Job*> jobs;
    for (const auto& [id, entry] : jobs_) jobs.push_back(&entry.job);
    std::sort(jobs.begin(), jobs.end(), [](const Job* a, const Job* b) {
        return a->created_us != b->created_us ? a->created_us > b->created_us : a->id > b->id;
    });
    auto first = jobs.begin();
    if (!after.empty()) {
        first = std::find_if(jobs.begin(), jobs.end(), [&](const Job* j) { return j->id == after; });
        if (first != jobs.end()) ++first;
    }
    std::vector<JobView> out;
    for (auto it = first; it != jobs.end() && out.size() < limit; ++it) out.push_back({**it, queue_position((*it)->id)});
    return out;
}

JobBoard::Removal JobQueue::cancel_or_delete(const std::string& id) {
    std::unique_lock lock(mutex_);
    const auto it = jobs_.find(id);
    if (it == jobs_.end()) return Removal::NotFound;
    Entry& entry = it->second;
    if (id == running_) {
        entry.cancel->cancel();
        return Removal::CancelRequested;
    }
    if (entry.job.status == JobStatus::Queued) {
        queue_.erase(std::find(queue_.begin(), queue_.end(), id));
        mark_cancelled_while_queued(entry.job);
        store_.save(entry.job);
        add_event(entry, closing_event(entry.job));
        return Removal::Cancelled;
    }
    jobs_.erase(it);
    store_.remove(id);
    changed_.notify_all();  // event streams of the job end
    return Removal::Deleted;
}

bool JobQueue::events(const std::string& id, size_t from, std::chrono::milliseconds timeout, std::vector<JobEvent>& out,
                      bool& finished) const {
    std::unique_lock lock(mutex_);
    auto have_news = [&] {
        const auto it = jobs_.find(id);
        return it == jobs_.end() || it->second.events.size() > from || is_finished(it->second.job.status);
    };
    changed_.wait_for(lock, timeout, have_news);
    const auto it = jobs_.find(id);
    if (it == jobs_.end()) return false;
    const Entry& entry = it->second;
    for (size_t i = from; i < entry.events.size(); ++i) out.push_back(entry.events[i]);
    finished = is_finished(entry.job.status);
    return true;
}

QueueMetrics JobQueue::metrics() const {
    std::lock_guard lock(mutex_);
    QueueMetrics m = counters_;
    m.queue_depth = queue_.size();
    for (const auto& [id, entry] : jobs_) m.jobs_by_status[job_status_name(entry.job.status)] += 1;
    return m;
}

void JobQueue::expire_old_jobs() {
    if (options_.keep_hours <= 0) return;
    const int64_t cutoff = unix_now() - int64_t(options_.keep_hours * 3600.0);
    std::lock_guard lock(mutex_);
    for (auto it = jobs_.begin(); it != jobs_.end();) {
        const Job& job = it->second.job;
        if (is_finished(job.status) && job.completed_at <= cutoff) {
            info("job {} expired (finished {} s ago)", job.id, unix_now() - job.completed_at);
            store_.remove(job.id);
            it = jobs_.erase(it);
        } else {
            ++it;
        }
    }
    changed_.notify_all();
}

void JobQueue::add_event(Entry& entry, JobEvent event) {
    entry.events.push_back(std::move(event));
    changed_.notify_all();
}

void JobQueue::worker() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        if (queue_.empty()) {
            changed_.wait_for(lock, std::chrono::seconds(60), [&] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) {
                lock.unlock();
                expire_old_jobs();
                lock.lock();
            }
            continue;
        }
        const std::string id = queue_.front();
        queue_.pop_front();
        lock.unlock();
        expire_old_jobs();
        run(id);
        lock.lock();
    }
}

void JobQueue::run(const std::string& id) {
    Job job;
    Entry* running = nullptr;  // stays in jobs_ while it runs: a running job is cancelled, never erased
    std::shared_ptr<CancellationToken> cancel = std::make_shared<CancellationToken>();
    {
        std::lock_guard lock(mutex_);
        Entry& entry = jobs_.at(id);
        running = &entry;
        entry.cancel = cancel;
        mark_started(entry.job);
        running_ = id;
        store_.save(entry.job);
        add_event(entry, started_event(entry.job));
        job = entry.job;
    }
    info("job {}: started", id);
    JobProgress tracker(running->job, [this, running](JobEvent e) { add_event(*running, std::move(e)); });
    const JobRun run = run_job([&] {
        ProgressReporter progress(ProgressStyle::Quiet, stderr, [this, &tracker](const ProgressEvent& e) {
            std::lock_guard lock(mutex_);
            tracker.on(e);
        });
        return runner_(job, progress, *cancel);
    });

    std::lock_guard lock(mutex_);
    running_.clear();
    counters_.step_seconds_sum += tracker.step_seconds_sum();
    counters_.steps += tracker.steps();
    Entry& entry = *running;
    entry.cancel.reset();
    Job& done = entry.job;
    if (run.cancelled && stopping_) {  // the server stops: run it again after the restart
        done.status = JobStatus::Queued;
        done.progress = 0;
        store_.save(done);
        info("job {}: interrupted by the shutdown, stays queued", id);
        return;
    }
    mark_finished(done, run);
    if (done.status == JobStatus::Completed) {
        counters_.job_seconds_sum += run.seconds;
        counters_.jobs_run += 1;
    }
    store_.save(done);
    add_event(entry, closing_event(done));
    info("job {}: {} in {:.1f} s{}", id, job_status_name(done.status), run.seconds,
         done.error ? ": " + done.error->message : "");
}

}  // namespace ltx2::service
