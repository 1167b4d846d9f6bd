#include "service/job_store.h"

#include <fstream>
#include <sstream>

#include "core/error.h"
#include "core/log.h"
#include "io/temp_file.h"

namespace ltx2::service {

namespace fs = std::filesystem;

namespace {
constexpr const char* kRecordFile = "job.json";
}

JobStore::JobStore(const fs::path& data_dir) : jobs_dir_(data_dir / "jobs") {
    std::error_code ec;
    fs::create_directories(jobs_dir_, ec);
    if (ec || !fs::is_directory(jobs_dir_)) fail("--data-dir {}: cannot create {} ({})", data_dir.string(),
                                                jobs_dir_.string(), ec ? ec.message() : "not a folder");
}

fs::path JobStore::folder(const std::string& id) const {
    LTX2_CHECK(is_valid_job_id(id), "job id '{}' is not of the form video_<32 hex digits>", id);
    return jobs_dir_ / id;
}

void JobStore::create_folder(const std::string& id) const {
    std::error_code ec;
    fs::create_directory(folder(id), ec);
    if (ec) fail("{}: cannot create the job folder ({})", folder(id).string(), ec.message());
}

void JobStore::save(const Job& job) const {
    const std::string text = job_to_record(job);
    TempFile file((folder(job.id) / kRecordFile).string());
    file.write(text.data(), text.size());
    file.commit();
}

void JobStore::remove(const std::string& id) const {
    std::error_code ec;
    fs::remove_all(folder(id), ec);
    if (ec) warn("{}: could not remove the job folder ({})", folder(id).string(), ec.message());
}

std::vector<Job> JobStore::load_all() const {
    std::vector<Job> jobs;
    for (const auto& entry : fs::directory_iterator(jobs_dir_)) {
        const std::string name = entry.path().filename().string();
        if (!entry.is_directory() || !is_valid_job_id(name)) continue;
        const fs::path record = entry.path() / kRecordFile;
        std::ifstream in(record, std::ios::binary);
        if (!in) {
            warn("{}: no job record, the folder is ignored", entry.path().string());
            continue;
        }
        std::stringstream text;
        text << in.rdbuf();
        try {
            Job job = job_from_record(text.str(), record.string());
            LTX2_CHECK(job.id == name, "{}: the record is of job {}", record.string(), job.id);
            jobs.push_back(std::move(job));
        } catch (const Error& e) {
            warn("{}; the job is ignored", e.what());
        }
    }
    return jobs;
}

}  // namespace ltx2::service
