#pragma once
// One video job of the server: what was asked (the API fields as stored), where it stands, and
// what it took. Serialised as the job object of the API and as the job's own job.json.
#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include <nlohmann/json_fwd.hpp>

namespace ltx2::service {

enum class JobStatus { Queued, InProgress, Completed, Failed, Cancelled };
const char* job_status_name(JobStatus status);  // the API's names: queued, in_progress, ...
bool is_finished(JobStatus status);             // completed, failed or cancelled
// The status of an API name; throws ltx2::Error naming `origin` for any other text.
JobStatus parse_job_status(const std::string& name, const std::string& origin);

struct JobError {
    std::string code, message;
};

struct Job {
    std::string id;  // "video_" + 32 hex digits (128 random bits)
    std::string model;
    JobStatus status = JobStatus::Queued;
    int progress = 0;  // 0..100
    int64_t created_us = 0;    // Unix microseconds: orders jobs made within one second
    int64_t completed_at = 0;  // Unix seconds; 0 while not finished
    std::string prompt, size;  // size "WxH"
    std::string enhanced_prompt;  // what Gemma made of the prompt (enhance_prompt), once completed
    double seconds = 0;
    uint64_t seed = 0;
    std::optional<JobError> error;
    // The request's fields as given (strings; uploads replaced by the file name in the job's folder).
    std::map<std::string, std::string> request;
    // When finished: seconds per stage (a stage that ran twice is summed), in all, and the peak
    // resident memory of the server process while the job ran.
    std::map<std::string, double> stage_seconds;
    double total_seconds = 0;
    uint64_t peak_memory_bytes = 0;
};

// The API's job object; queue_position: 1 = next to run, 0 = running, nullopt = not waiting.
nlohmann::json job_object(const Job& job, std::optional<int> queue_position);

// job.json: everything, to restore the job after a restart.
std::string job_to_record(const Job& job);
// Throws ltx2::Error naming `origin` when the record is not a job.
Job job_from_record(const std::string& text, const std::string& origin);

// 128 random bits from the system's entropy source, as "video_<32 hex digits>".
std::string new_job_id();
// Whether `id` has exactly the form new_job_id() makes (so it can name a folder safely).
bool is_valid_job_id(const std::string& id);

}  // namespace ltx2::service
