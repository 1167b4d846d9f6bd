#pragma once
// A temporary file or folder beside an output, renamed onto the output once complete: the rename
// is atomic (same folder), and a failure or a signal (io/live_temps.h) leaves the output untouched
// and no temp behind. Temps are named ".NAME.ltx2-tmp-PID-RANDOM" and created exclusively
// (O_EXCL, mkdir), so two processes writing one output never share a temp, and a temp whose
// process is no longer running (a killed run) is recognised and removed by the next temp created
// in that folder.
//
// Test hook: with LTX2_TEST_PAUSE_AFTER_TEMP=NAME in the environment, the writer of an output named
// NAME waits up to a minute once its temp exists, so that a test can signal it mid-write.
#include <sys/types.h>

#include <cstddef>
#include <string>

#include "io/live_temps.h"

namespace ltx2 {

class SiblingTemp {
public:
    // Throws naming `target` when the temp cannot be created. A File temp is open for writing (fd()).
    SiblingTemp(const std::string& target, TempKind kind);
    ~SiblingTemp();  // removes the temp unless committed
    SiblingTemp(const SiblingTemp&) = delete;
    SiblingTemp& operator=(const SiblingTemp&) = delete;

    const std::string& path() const { return path_; }
    const std::string& target() const { return target_; }
    int fd() const { return fd_; }
    void close_file();  // throws naming the target when close reports an error (e.g. disk full)

    // Renames the temp onto the target, closing the file first. Refuses a target that is (or
    // became meanwhile) a symbolic link, FIFO, socket or device, or a folder for a File.
    void commit();

private:
    std::string target_, path_;
    TempKind kind_;
    int fd_ = -1;
    int slot_ = -1;
    bool committed_ = false;
};

// The length of the temp names of an output named `name` (a file name, no folder), to check it
// against the file system's limit before any work.
size_t sibling_temp_name_length(const std::string& name);

// Removes the temps in `folder` (files or folders named as above) of processes no longer running;
// nothing else, and never a running process's temp.
void remove_stale_sibling_temps(const std::string& folder);

// Whether no process `pid` exists (a zombie or another user's process counts as existing).
bool process_is_gone(pid_t pid);

}  // namespace ltx2
