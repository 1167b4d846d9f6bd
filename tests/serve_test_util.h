#pragma once
// A real `ltx2 serve --demo` on a free loopback port for the API tests: started as a child
// process (stdout says the port), stopped with a signal of the test's choice.
#include <gtest/gtest.h>
#include <httplib.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

namespace ltx2::test {

class ServeProcess {
public:
    // `args` follow `ltx2 serve --demo [RELEASE] --port 0`; the server's stderr goes to `log`.
    ServeProcess(const std::vector<std::string>& args, const std::string& log, const std::string& demo_release = "")
        : log_(log) {
        int out[2];
        if (::pipe(out) != 0) return;
        pid_ = ::fork();
        if (pid_ == 0) {
            ::dup2(out[1], 1);
            const int err = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
            ::dup2(err, 2);
            ::close(out[0]);
            ::setenv("LTX2_DEMO_DIR", LTX2_TEST_DEMO_DIR, 1);
            std::vector<std::string> all = {LTX2_BIN, "serve", "--demo"};
            if (!demo_release.empty()) all.push_back(demo_release);
            all.insert(all.end(), {"--port", "0"});
            all.insert(all.end(), args.begin(), args.end());
            std::vector<char*> argv;
            for (auto& a : all) argv.push_back(a.data());
            argv.push_back(nullptr);
            ::execv(LTX2_BIN, argv.data());
            ::_exit(127);
        }
        ::close(out[1]);
        FILE* in = ::fdopen(out[0], "r");
        char line[256] = {};
        if (in && std::fgets(line, sizeof line, in)) std::sscanf(line, "listening on http://127.0.0.1:%d", &port_);
        if (in) std::fclose(in);
        if (port_ <= 0) ADD_FAILURE() << "the server did not start; its log:\n" << log_text();
    }
    ~ServeProcess() { stop(SIGTERM); }
    ServeProcess(const ServeProcess&) = delete;
    ServeProcess& operator=(const ServeProcess&) = delete;

    int port() const { return port_; }
    // Sends `signal` and waits for the exit; the exit status (-1 when killed by a signal).
    int stop(int signal) {
        if (pid_ <= 0) return -1;
        ::kill(pid_, signal);
        int status = 0;
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }
    std::string log_text() const {
        std::ifstream in(log_);
        return {std::istreambuf_iterator<char>(in), {}};
    }
    httplib::Client client(const std::string& api_key = "") const {
        httplib::Client c("127.0.0.1", port_);
        c.set_read_timeout(300, 0);
        if (!api_key.empty()) c.set_bearer_token_auth(api_key.c_str());
        return c;
    }

private:
    std::string log_;
    pid_t pid_ = -1;
    int port_ = -1;
};

inline nlohmann::json json_of(const httplib::Result& r) {
    if (!r) return nullptr;
    return nlohmann::json::parse(r->body, nullptr, false);
}

// Polls the job until it is no longer queued or running (the test's own timeout is the limit).
inline nlohmann::json wait_finished(httplib::Client& c, const std::string& id) {
    for (;;) {
        const auto r = c.Get(("/v1/videos/" + id).c_str());
        if (!r || r->status != 200) return nullptr;
        const auto job = json_of(r);
        if (job["status"] != "queued" && job["status"] != "in_progress") return job;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
}

// Polls until the job runs.
inline void wait_running(httplib::Client& c, const std::string& id) {
    for (;;) {
        const auto job = json_of(c.Get(("/v1/videos/" + id).c_str()));
        if (!job.is_object() || job["status"] != "queued") return;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

}  // namespace ltx2::test
