#pragma once
// A program run as a child process by the tests and benchmarks (ltx2 serve, ltx2 worker,
// redis-server): stderr appended to a log file, environment variables added, the first line of
// its stdout read when asked (a server's "listening on ..."), stopped with a signal of the
// caller's choice.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <utility>
#include <vector>

namespace ltx2::test {

class ChildProcess {
public:
    ChildProcess() = default;
    // Starts `argv` (argv[0] a path) with `env` added; stderr (and stdout unless `first_line` is
    // asked for) appended to `log`. `first_line`: the first line the program prints on stdout.
    ChildProcess(const std::vector<std::string>& argv, const std::vector<std::pair<std::string, std::string>>& env,
                 const std::string& log, std::string* first_line = nullptr)
        : log_(log) {
        int out[2] = {-1, -1};
        if (first_line && ::pipe(out) != 0) return;
        pid_ = ::fork();
        if (pid_ == 0) {
            const int err = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
            ::dup2(first_line ? out[1] : err, 1);
            ::dup2(err, 2);
            if (first_line) ::close(out[0]);
            for (const auto& [name, value] : env) ::setenv(name.c_str(), value.c_str(), 1);
            std::vector<std::string> args = argv;
            std::vector<char*> raw;
            for (auto& a : args) raw.push_back(a.data());
            raw.push_back(nullptr);
            ::execv(raw[0], raw.data());
            ::_exit(127);
        }
        if (!first_line) return;
        ::close(out[1]);
        FILE* in = ::fdopen(out[0], "r");
        char line[512] = {};
        if (in && std::fgets(line, sizeof line, in)) *first_line = line;
        if (in) std::fclose(in);
    }
    ~ChildProcess() { stop(SIGTERM); }
    ChildProcess(ChildProcess&& other) noexcept { *this = std::move(other); }
    ChildProcess& operator=(ChildProcess&& other) noexcept {
        stop(SIGTERM);
        log_ = std::move(other.log_);
        pid_ = std::exchange(other.pid_, -1);
        return *this;
    }

    bool running() const { return pid_ > 0; }
    pid_t pid() const { return pid_; }
    // Sends `signal` and waits for the exit; the exit status (-1 when killed by a signal or not running).
    int stop(int signal) {
        if (pid_ <= 0) return -1;
        ::kill(pid_, signal);
        int status = 0;
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    // Waits for the exit by itself; its status as stop() gives it.
    int wait() {
        if (pid_ <= 0) return -1;
        int status = 0;
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    std::string log_text() const {
        std::ifstream in(log_);
        return {std::istreambuf_iterator<char>(in), {}};
    }

private:
    std::string log_;
    pid_t pid_ = -1;
};

}  // namespace ltx2::test
