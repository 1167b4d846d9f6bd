#pragma once
// A real `ltx2 serve --demo` on a free loopback port, for the API tests and the serve benchmark:
// started as a child process (its stdout says the port), stopped with a signal of the caller's choice.
#include <fcntl.h>
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace ltx2::test {

class DemoServerProcess {
public:
    // `ltx2 serve --demo [RELEASE] --port 0 ARGS` with the demo model in `demo_dir`; its stderr goes to `log`.
    DemoServerProcess(const std::string& ltx2, const std::string& demo_dir, const std::vector<std::string>& args,
                      const std::string& log, const std::string& demo_release = "")
        : log_(log) {
        int out[2];
        if (::pipe(out) != 0) return;
        pid_ = ::fork();
        if (pid_ == 0) {
            ::dup2(out[1], 1);
            const int err = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
            ::dup2(err, 2);
            ::close(out[0]);
            ::setenv("LTX2_DEMO_DIR", demo_dir.c_str(), 1);
            std::vector<std::string> all = {ltx2, "serve", "--demo"};
            if (!demo_release.empty()) all.push_back(demo_release);
            all.insert(all.end(), {"--port", "0"});
            all.insert(all.end(), args.begin(), args.end());
            std::vector<char*> argv;
            for (auto& a : all) argv.push_back(a.data());
            argv.push_back(nullptr);
            ::execv(ltx2.c_str(), argv.data());
            ::_exit(127);
        }
        ::close(out[1]);
        FILE* in = ::fdopen(out[0], "r");
        char line[256] = {};
        if (in && std::fgets(line, sizeof line, in)) std::sscanf(line, "listening on http://127.0.0.1:%d", &port_);
        if (in) std::fclose(in);
    }
    ~DemoServerProcess() { stop(SIGTERM); }
    DemoServerProcess(const DemoServerProcess&) = delete;
    DemoServerProcess& operator=(const DemoServerProcess&) = delete;

    int port() const { return port_; }  // <= 0: the server did not start
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

}  // namespace ltx2::test
