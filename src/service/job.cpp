#include "service/job.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>
#include <random>

#include "core/error.h"

namespace ltx2::service {

namespace {

constexpr const char* kIdPrefix = "video_";
constexpr size_t kIdHexDigits = 32;

}  // namespace

const char* job_status_name(JobStatus status) {
    switch (status) {
        case JobStatus::Queued: return "queued";
        case JobStatus::InProgress: return "in_progress";
        case JobStatus::Completed: return "completed";
        case JobStatus::Failed: return "failed";
        case JobStatus::Cancelled: return "cancelled";
    }
    return "unknown";
}

JobStatus parse_job_status(const std::string& name, const std::string& origin) {
    for (JobStatus s : {JobStatus::Queued, JobStatus::InProgress, JobStatus::Completed, JobStatus::Failed,
                        JobStatus::Cancelled})
        if (name == job_status_name(s)) return s;
    fail("{}: unknown job status '{}'", origin, name);
}

bool is_finished(JobStatus status) {
    return status == JobStatus::Completed || status == JobStatus::Failed || status == JobStatus::Cancelled;
}

nlohmann::json job_object(const Job& job, std::optional<int> queue_position) {
    nlohmann::json j = {{"id", job.id},
                        {"object", "video"},
                        {"model", job.model},
                        {"status", job_status_name(job.status)},
                        {"progress", job.progress},
                        {"queue_position", queue_position ? nlohmann::json(*queue_position) : nlohmann::json()},
                        {"created_at", job.created_us / 1000000},
                        {"completed_at", job.completed_at ? nlohmann::json(job.completed_at) : nlohmann::json()},
                        {"prompt", job.prompt},
                        {"size", job.size},
                        {"seconds", fmt::format("{:.6g}", job.seconds)},
                        {"seed", job.seed},
                        {"error", job.error ? nlohmann::json{{"code", job.error->code}, {"message", job.error->message}}
                                            : nlohmann::json()}};
    if (!job.enhanced_prompt.empty()) j["enhanced_prompt"] = job.enhanced_prompt;
    if (job.status == JobStatus::Completed) {
        j["timings"] = {{"total_seconds", job.total_seconds}, {"stage_seconds", job.stage_seconds}};
        j["peak_memory_bytes"] = job.peak_memory_bytes;
    }
    return j;
}

std::string job_to_record(const Job& job) {
    nlohmann::json j = job_object(job, std::nullopt);
    j["request"] = job.request;
    j["created_us"] = job.created_us;
    j["timings"] = {{"total_seconds", job.total_seconds}, {"stage_seconds", job.stage_seconds}};
    j["peak_memory_bytes"] = job.peak_memory_bytes;
    return j.dump(2);
}

Job job_from_record(const std::string& text, const std::string& origin) {
    const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
    if (!j.is_object()) fail("{}: not a JSON object", origin);
    try {
        Job job;
        job.id = j.at("id").get<std::string>();
        if (!is_valid_job_id(job.id)) fail("{}: '{}' is not a job id", origin, job.id);
        job.model = j.at("model").get<std::string>();
        job.status = parse_job_status(j.at("status").get<std::string>(), origin);
        job.progress = j.at("progress").get<int>();
        job.created_us = j.at("created_us").get<int64_t>();
        job.completed_at = j.at("completed_at").is_null() ? 0 : j.at("completed_at").get<int64_t>();
        job.prompt = j.at("prompt").get<std::string>();
        job.enhanced_prompt = j.value("enhanced_prompt", "");
        job.size = j.at("size").get<std::string>();
        job.seconds = std::stod(j.at("seconds").get<std::string>());
        job.seed = j.at("seed").get<uint64_t>();
        if (!j.at("error").is_null())
            job.error = JobError{j["error"].at("code").get<std::string>(), j["error"].at("message").get<std::string>()};
        job.request = j.at("request").get<std::map<std::string, std::string>>();
        job.stage_seconds = j.at("timings").at("stage_seconds").get<std::map<std::string, double>>();
        job.total_seconds = j.at("timings").at("total_seconds").get<double>();
        job.peak_memory_bytes = j.at("peak_memory_bytes").get<uint64_t>();
        return job;
    } catch (const nlohmann::json::exception& e) {
        fail("{}: not a complete job record ({})", origin, e.what());
    } catch (const std::invalid_argument&) {
        fail("{}: 'seconds' is not a number", origin);
    }
}

std::string new_job_id() {
    std::random_device entropy;  // /dev/urandom on Linux
    std::string id = kIdPrefix;
    for (size_t i = 0; i < kIdHexDigits / 8; ++i) id += fmt::format("{:08x}", uint32_t(entropy()));
    return id;
}

bool is_valid_job_id(const std::string& id) {
    if (id.size() != std::string_view(kIdPrefix).size() + kIdHexDigits || id.rfind(kIdPrefix, 0) != 0) return false;
    for (size_t i = std::string_view(kIdPrefix).size(); i < id.size(); ++i)
        if (!std::isxdigit(static_cast<unsigned char>(id[i])) || std::isupper(static_cast<unsigned char>(id[i])))
            return false;
    return true;
}

}  // namespace ltx2::service
