#pragma once
// Output files of the media writers: checked up front, written under a temporary name in the
// same folder and renamed onto the final name only once complete, so a failure never leaves a
// partial file behind.
#include <string>

namespace ltx2::media {

// Throws unless the folder that `path` goes into exists, is a folder and is writable, and
// `path` itself is not a folder. `what` names the kind of output ("MP4", "PNG", ...).
void require_output_location(const std::string& path, const char* what);

// Throws unless `dir` exists and is a writable folder.
void require_output_folder(const std::string& dir, const char* what);

// PATH.tmp for a writer that opens the file itself (FFmpeg's avio), removed on destruction unless
// commit() renamed it onto PATH. Writers that hand over bytes use io/temp_file.h instead.
class TempOutput {
public:
    explicit TempOutput(std::string path) : path_(std::move(path)), tmp_(path_ + ".tmp") {}
    ~TempOutput();
    TempOutput(const TempOutput&) = delete;
    TempOutput& operator=(const TempOutput&) = delete;

    const std::string& tmp() const { return tmp_; }
    void commit();

private:
    std::string path_, tmp_;
    bool committed_ = false;
};

}  // namespace ltx2::media
