#pragma once
// A connection to Redis (hiredis) for the job queue that `ltx2 serve --redis` and `ltx2 worker`
// share: commands as argument lists, replies as plain values, and reconnection with backoff
// (after a failure the next try waits 0.1 s, doubling up to 5 s; a command in that time fails at
// once, so an outage answers quickly instead of stalling every caller). Thread-safe: one
// command at a time.
#include <chrono>
#include <mutex>
#include <string>
#include <vector>

#include "core/error.h"

struct redisContext;

namespace ltx2::service {

struct RedisAddress {
    std::string host;
    int port = 6379;
    int db = 0;
    std::string user, password;  // AUTH when a password is given
    std::string display() const;  // redis://HOST:PORT/DB, never the password
};
// redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]; throws naming `option` and the expected form.
RedisAddress parse_redis_url(const std::string& url, const std::string& option = "--redis");

struct RedisReply {
    enum class Type { Nil, Text, Integer, Array };  // status replies (OK, ...) are Text
    Type type = Type::Nil;
    std::string text;
    long long integer = 0;
    std::vector<RedisReply> items;
    bool is_nil() const { return type == Type::Nil; }
};

// Redis cannot be reached now (refused, timed out, connection lost); the command did not run, or
// it is unknown whether it ran.
class RedisUnavailable : public Error {
public:
    using Error::Error;
};

class RedisClient {
public:
    explicit RedisClient(RedisAddress address, std::chrono::milliseconds command_timeout = std::chrono::seconds(5));
    ~RedisClient();
    RedisClient(const RedisClient&) = delete;
    RedisClient& operator=(const RedisClient&) = delete;

    // Runs one command, connecting first when needed. Throws RedisUnavailable when Redis cannot
    // be reached, Error for an error reply (naming the command and what Redis said).
    RedisReply command(const std::vector<std::string>& args);
    const RedisAddress& address() const { return address_; }

private:
    void connect();  // throws RedisUnavailable
    RedisReply send(const std::vector<std::string>& args);  // on the open connection
    void drop();

    RedisAddress address_;
    std::chrono::milliseconds command_timeout_;
    std::mutex mutex_;
    redisContext* context_ = nullptr;
    std::chrono::milliseconds backoff_{0};
    std::chrono::steady_clock::time_point next_try_{};
    std::string last_failure_;
};

}  // namespace ltx2::service
