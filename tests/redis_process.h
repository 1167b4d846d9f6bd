#pragma once
// A real redis-server on a free loopback port for the worker tests and benchmark, with an
// append-only file fsynced at every write in its own folder, so a restart (after SIGKILL too)
// brings every job back; and an `ltx2 worker --demo` child process.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "child_process.h"
#include "service/redis_client.h"

namespace ltx2::test {

// A loopback port nothing listens on now.
inline int free_loopback_port() {
    const int s = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof a;
    const bool ok = ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
                    ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &length) == 0;
    ::close(s);
    return ok ? ntohs(a.sin_port) : -1;
}

class RedisServerProcess {
public:
    // `redis_server`: the program; `dir`: its data folder (created by the caller).
    RedisServerProcess(std::string redis_server, std::string dir)
        : program_(std::move(redis_server)), dir_(std::move(dir)), port_(free_loopback_port()) {
        start();
    }
    // Starts it (again: on the same port, from the same append-only file); true once it answers.
    bool start() {
        process_ = ChildProcess({program_, "--port", std::to_string(port_), "--bind", "127.0.0.1", "--dir", dir_,
                                 "--appendonly", "yes", "--appendfsync", "always", "--save", "", "--daemonize", "no"},
                                {}, dir_ + "/redis.log");
        service::RedisClient client(service::parse_redis_url(url()));
        for (int i = 0; i < 200; ++i) {
            try {
                client.command({"PING"});
                return true;
            } catch (const Error&) {
                std::this_thread::sleep_for(std::chrono::milliseconds(50));
            }
        }
        return false;
    }
    void kill() { process_.stop(SIGKILL); }
    int port() const { return port_; }
    std::string url() const { return "redis://127.0.0.1:" + std::to_string(port_); }
    std::string log_text() const { return process_.log_text(); }

private:
    std::string program_, dir_;
    int port_;
    ChildProcess process_;
};

// `ltx2 worker --demo --redis URL --data-dir DATA --name NAME ARGS`, its log in `log`.
inline ChildProcess demo_worker(const std::string& ltx2, const std::string& demo_dir, const std::string& redis_url,
                                const std::string& data_dir, const std::string& name, const std::vector<std::string>& args,
                                const std::string& log) {
    std::vector<std::string> all = {ltx2, "worker", "--demo", "--redis", redis_url, "--data-dir", data_dir, "--name", name};
    all.insert(all.end(), args.begin(), args.end());
    return ChildProcess(all, {{"LTX2_DEMO_DIR", demo_dir}}, log);
}

}  // namespace ltx2::test
