#pragma once
// Runs a program that reports `--progress json --progress-fd 3` (docs/PROGRESS.md) as a child
// process: its events are read from a pipe on its descriptor 3 as they come, its stdout and
// stderr go to this process's stderr (so a report on stdout stays clean).
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "core/error.h"

namespace ltx2::bench {

inline constexpr int kProgressFd = 3;

struct ProgressRun {
    int exit_code = -1;  // -1: killed by a signal
    std::vector<nlohmann::json> events;
};

// `argv[0]` is a path; `env` is added to the child's environment. `on_event` sees each event
// as it arrives.
inline ProgressRun run_with_progress(const std::vector<std::string>& argv,
                                     const std::vector<std::pair<std::string, std::string>>& env,
                                     const std::function<void(const nlohmann::json&)>& on_event) {
    int pipe_fds[2];
    LTX2_CHECK(::pipe(pipe_fds) == 0, "cannot create the progress pipe for {}: {}", argv.at(0), std::strerror(errno));
    std::fflush(nullptr);
    const pid_t pid = ::fork();
    LTX2_CHECK(pid >= 0, "cannot start {}: {}", argv.at(0), std::strerror(errno));
    if (pid == 0) {
        // The write end becomes descriptor 3 (dup2 clears close-on-exec; when it already is 3 it stays).
        if (pipe_fds[1] != kProgressFd) {
            ::dup2(pipe_fds[1], kProgressFd);
            ::close(pipe_fds[1]);
        }
        if (pipe_fds[0] != kProgressFd) ::close(pipe_fds[0]);
        ::dup2(2, 1);
        for (const auto& [name, value] : env) ::setenv(name.c_str(), value.c_str(), 1);
        std::vector<std::string> args = argv;
        std::vector<char*> raw;
        for (std::string& a : args) raw.push_back(a.data());
        raw.push_back(nullptr);
        ::execv(raw[0], raw.data());
        std::fprintf(stderr, "cannot run %s: %s\n", raw[0], std::strerror(errno));
        ::_exit(127);
    }
    ::close(pipe_fds[1]);
    ProgressRun run;
    FILE* in = ::fdopen(pipe_fds[0], "r");
    char* line = nullptr;
    size_t capacity = 0;
    while (in && ::getline(&line, &capacity, in) > 0) {
        nlohmann::json event = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
        if (event.is_discarded() || !event.is_object()) {
            std::fprintf(stderr, "%s: a progress line that is not a JSON object: %s", argv[0].c_str(), line);
            continue;
        }
        on_event(event);
        run.events.push_back(std::move(event));
    }
    std::free(line);
    if (in) std::fclose(in);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return run;
}

}  // namespace ltx2::bench
