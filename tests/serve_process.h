#pragma once
// A real `ltx2 serve --demo` on a free loopback port, for the API tests and the serve benchmark:
// started as a child process (its stdout says the port), stopped with a signal of the caller's choice.
#include <httplib.h>

#include <cstdio>
#include <string>
#include <vector>

#include "child_process.h"

namespace ltx2::test {

class DemoServerProcess {
public:
    // `ltx2 serve --demo [RELEASE] --port 0 ARGS` with the demo model in `demo_dir`; its stderr goes to `log`.
    DemoServerProcess(const std::string& ltx2, const std::string& demo_dir, const std::vector<std::string>& args,
                      const std::string& log, const std::string& demo_release = "") {
        std::vector<std::string> all = {ltx2, "serve", "--demo"};
        if (!demo_release.empty()) all.push_back(demo_release);
        all.insert(all.end(), {"--port", "0"});
        all.insert(all.end(), args.begin(), args.end());
        std::string line;
        process_ = ChildProcess(all, {{"LTX2_DEMO_DIR", demo_dir}}, log, &line);
        std::sscanf(line.c_str(), "listening on http://127.0.0.1:%d", &port_);
    }
    DemoServerProcess(const DemoServerProcess&) = delete;
    DemoServerProcess& operator=(const DemoServerProcess&) = delete;

    int port() const { return port_; }  // <= 0: the server did not start
    // Sends `signal` and waits for the exit; the exit status (-1 when killed by a signal).
    int stop(int signal) { return process_.stop(signal); }
    std::string log_text() const { return process_.log_text(); }
    httplib::Client client(const std::string& api_key = "") const {
        httplib::Client c("127.0.0.1", port_);
        c.set_read_timeout(300, 0);
        if (!api_key.empty()) c.set_bearer_token_auth(api_key.c_str());
        return c;
    }

private:
    ChildProcess process_;
    int port_ = -1;
};

}  // namespace ltx2::test
