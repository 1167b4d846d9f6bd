#pragma once
// Jobs on disk: DATA_DIR/jobs/<id>/ holds job.json (rewritten atomically at every change of
// state), the uploaded inputs and the results. Paths are built from validated job ids and fixed
// file names only; nothing a request says reaches the filesystem.
#include <filesystem>
#include <string>
#include <vector>

#include "service/job.h"

namespace ltx2::service {

inline constexpr const char* kVideoFile = "video.mp4";
inline constexpr const char* kThumbnailFile = "thumbnail.png";
inline constexpr const char* kAudioFile = "audio.wav";

class JobStore {
public:
    // Creates DATA_DIR/jobs when needed; throws naming --data-dir when it cannot.
    explicit JobStore(const std::filesystem::path& data_dir);

    // The job's folder (created by create_folder); `id` must be a valid job id.
    std::filesystem::path folder(const std::string& id) const;
    void create_folder(const std::string& id) const;
    void save(const Job& job) const;  // job.json, written atomically
    void remove(const std::string& id) const;  // the whole folder
    // Every job with a readable job.json (others are reported on stderr and left alone).
    std::vector<Job> load_all() const;

private:
    std::filesystem::path jobs_dir_;
};

}  // namespace ltx2::service
