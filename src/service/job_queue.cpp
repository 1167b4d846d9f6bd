#include "service/job_queue.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/log.h"
#include "core/memory_stats.h"
#include "pipelines/generation_params.h"

namespace ltx2::service {

namespace {

// Progress as a percentage: 5 once models are found, the denoising stages share 5..90 equally,
// decoding and writing the rest.
constexpr int kDenoiseStart = 5, kDenoiseEnd = 90;
const std::map<std::string, int> kStageProgress = {{"decode video", 91}, {"decode audio", 95}, {"write outputs", 98}};

int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

int denoise_stage_count(const Job& job) {
    const auto pipeline = job.request.find("pipeline");
    const PipelineKind kind = pipeline == job.request.end() ? PipelineKind::Distilled : parse_pipeline_kind(pipeline->second);
    return upsamples(kind) ? 2 : 1;
}

// A stage's detail without the server's folders (a model file or upload path becomes its name).
std::string without_folders(const std::string& detail) {
    return detail.rfind('/', 0) == 0 ? std::filesystem::path(detail).filename().string() : detail;
}

std::string error_data(const Job& job) {
    return nlohmann::json{{"id", job.id},
                          {"status", job_status_name(job.status)},
                          {"error", {{"code", job.error->code}, {"message", job.error->message}}}}
        .dump();
}

}  // namespace

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
        if (is_finished(entry.job.status)) finish_events(entry);
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
    const double per_job = counters_.jobs_run ? counters_.job_seconds_sum / double(counters_.jobs_run) : 30.0;
    return std::max(1, int(per_job + 0.5));  // a place frees when the running job ends
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

JobQueue::Removal JobQueue::cancel_or_delete(const std::string& id) {
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
        entry.job.status = JobStatus::Cancelled;
        entry.job.completed_at = unix_now();
        entry.job.error = JobError{"cancelled", "the job was cancelled before it started"};
        store_.save(entry.job);
        finish_events(entry);
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
    for (JobStatus s : {JobStatus::Queued, JobStatus::InProgress, JobStatus::Completed, JobStatus::Failed,
                        JobStatus::Cancelled})
        m.jobs_by_status[job_status_name(s)] = 0;
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

void JobQueue::add_event(Entry& entry, const std::string& name, const std::string& data) {
    entry.events.push_back({name, data});
    changed_.notify_all();
}

// The closing event of a finished job: done with the job object, or error.
void JobQueue::finish_events(Entry& entry) {
    if (entry.job.status == JobStatus::Completed)
        add_event(entry, "done", job_object(entry.job, std::nullopt).dump());
    else
        add_event(entry, "error", error_data(entry.job));
}

void JobQueue::on_progress(const std::string& id, int denoise_stages, const ProgressEvent& event) {
    std::lock_guard lock(mutex_);
    Entry& entry = jobs_.at(id);
    Job& job = entry.job;
    auto report_progress = [&](int percent) {
        job.progress = std::clamp(std::max(job.progress, percent), 0, 99);
        add_event(entry, "progress",
                  nlohmann::json{{"id", id}, {"progress", job.progress}, {"stage", event.stage}, {"step", event.step},
                                 {"steps", event.steps}}
                      .dump());
    };
    switch (event.kind) {
        case ProgressEvent::Kind::StageBegin:
            add_event(entry, "stage",
                      nlohmann::json{{"id", id}, {"stage", event.stage}, {"detail", without_folders(event.text)}}.dump());
            if (const auto it = kStageProgress.find(event.stage); it != kStageProgress.end()) report_progress(it->second);
            else if (event.stage == "encode text") report_progress(kDenoiseStart);
            break;
        case ProgressEvent::Kind::StageEnd:
            job.stage_seconds[event.stage] += event.seconds;
            break;
        case ProgressEvent::Kind::Step: {
            if (event.step == 0 || event.steps <= 0) break;
            const double within = double(denoise_stages_done_) + double(event.step) / event.steps;
            report_progress(kDenoiseStart + int((kDenoiseEnd - kDenoiseStart) * within / denoise_stages));
            if (event.step == event.steps) {
                ++denoise_stages_done_;
                counters_.step_seconds_sum += event.seconds * event.steps;
                counters_.steps += uint64_t(event.steps);
            }
            break;
        }
        case ProgressEvent::Kind::Note: break;
    }
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
    std::shared_ptr<CancellationToken> cancel = std::make_shared<CancellationToken>();
    {
        std::lock_guard lock(mutex_);
        Entry& entry = jobs_.at(id);
        entry.cancel = cancel;
        entry.job.status = JobStatus::InProgress;
        entry.job.progress = 0;
        entry.job.stage_seconds.clear();
        running_ = id;
        denoise_stages_done_ = 0;
        store_.save(entry.job);
        add_event(entry, "progress", nlohmann::json{{"id", id}, {"progress", 0}, {"stage", "started"}}.dump());
        job = entry.job;
    }
    reset_peak_rss();  // the job's peak, not the server's since it started
    info("job {}: started", id);
    const auto started = std::chrono::steady_clock::now();
    std::optional<JobError> error;
    GenerateResult result;
    bool cancelled = false;
    try {
        const int stages = denoise_stage_count(job);
        ProgressReporter progress(ProgressStyle::Quiet, stderr,
                                  [this, &id, stages](const ProgressEvent& e) { on_progress(id, stages, e); });
        result = runner_(job, progress, *cancel);
    } catch (const Cancelled&) {
        cancelled = true;
    } catch (const std::exception& e) {
        error = JobError{"generation_failed", e.what()};
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();

    std::lock_guard lock(mutex_);
    running_.clear();
    Entry& entry = jobs_.at(id);
    entry.cancel.reset();
    Job& done = entry.job;
    if (cancelled && stopping_) {  // the server stops: run it again after the restart
        done.status = JobStatus::Queued;
        done.progress = 0;
        store_.save(done);
        info("job {}: interrupted by the shutdown, stays queued", id);
        return;
    }
    done.completed_at = unix_now();
    if (cancelled) {
        done.status = JobStatus::Cancelled;
        done.error = JobError{"cancelled", "the job was cancelled while it ran"};
    } else if (error) {
        done.status = JobStatus::Failed;
        done.error = error;
    } else {
        done.status = JobStatus::Completed;
        done.progress = 100;
        done.total_seconds = seconds;
        done.peak_memory_bytes = peak_rss_bytes();
        done.enhanced_prompt = result.enhanced_prompt;
        counters_.job_seconds_sum += seconds;
        counters_.jobs_run += 1;
    }
    store_.save(done);
    finish_events(entry);
    info("job {}: {} in {:.1f} s{}", id, job_status_name(done.status), seconds,
         done.error ? ": " + done.error->message : "");
}

}  // namespace ltx2::service
