#include "service/redis_client.h"

#include <hiredis/hiredis.h>
#include <sys/time.h>

#include <algorithm>
#include <charconv>
#include <regex>

namespace ltx2::service {

namespace {

constexpr std::chrono::milliseconds kFirstBackoff{100}, kMaxBackoff{5000}, kConnectTimeout{2000};

timeval to_timeval(std::chrono::milliseconds ms) {
    return timeval{time_t(ms.count() / 1000), suseconds_t((ms.count() % 1000) * 1000)};
}

RedisReply convert(const redisReply& raw, const std::string& command, const std::string& where) {
    RedisReply out;
    switch (raw.type) {
        case REDIS_REPLY_STRING:
        case REDIS_REPLY_STATUS:
            out.type = RedisReply::Type::Text;
            out.text.assign(raw.str, raw.len);
            break;
        case REDIS_REPLY_INTEGER:
            out.type = RedisReply::Type::Integer;
            out.integer = raw.integer;
            break;
        case REDIS_REPLY_ARRAY:
            out.type = RedisReply::Type::Array;
            for (size_t i = 0; i < raw.elements; ++i) out.items.push_back(convert(*raw.element[i], command, where));
            break;
        case REDIS_REPLY_ERROR: fail("Redis at {}: {} failed: {}", where, command, std::string(raw.str, raw.len));
        default: break;  // nil
    }
    return out;
}

}  // namespace

std::string RedisAddress::display() const { return "redis://" + host + ":" + std::to_string(port) + "/" + std::to_string(db); }

RedisAddress parse_redis_url(const std::string& url, const std::string& option) {
    static const std::regex form(R"(^redis://(?:([^:@/]*):([^@/]*)@)?(\[[0-9a-fA-F:]+\]|[^:/@\[\]]+)(?::([0-9]{1,5}))?(?:/([0-9]{1,4}))?/?$)");
    std::smatch m;
    if (!std::regex_match(url, m, form))
        fail("{} '{}': expected redis://HOST[:PORT][/DB] (or redis://:PASSWORD@HOST:PORT/DB), e.g. redis://127.0.0.1:6379/0",
             option, url.rfind("redis://", 0) == 0 && url.find('@') != std::string::npos ? "redis://...@..." : url);
    RedisAddress a;
    a.user = m[1].str();
    a.password = m[2].str();
    a.host = m[3].str();
    if (a.host.front() == '[') a.host = a.host.substr(1, a.host.size() - 2);
    if (m[4].matched) a.port = std::stoi(m[4].str());
    if (m[5].matched) a.db = std::stoi(m[5].str());
    if (a.port < 1 || a.port > 65535) fail("{}: port {} is not in 1..65535", option, a.port);
    return a;
}

RedisClient::RedisClient(RedisAddress address, std::chrono::milliseconds command_timeout)
    : address_(std::move(address)), command_timeout_(command_timeout) {}

RedisClient::~RedisClient() { drop(); }

void RedisClient::drop() {
    if (context_) redisFree(context_);
    context_ = nullptr;
}

void RedisClient::connect() {
    const auto now = std::chrono::steady_clock::now();
    if (now < next_try_)
        throw RedisUnavailable(fmt::format("Redis at {} cannot be reached ({}); trying again in {} ms", address_.display(),
                                           last_failure_,
                                           std::chrono::duration_cast<std::chrono::milliseconds>(next_try_ - now).count()));
    std::string failure;
    context_ = redisConnectWithTimeout(address_.host.c_str(), address_.port, to_timeval(kConnectTimeout));
    if (!context_) failure = "out of memory";
    else if (context_->err) failure = context_->errstr;
    else if (redisSetTimeout(context_, to_timeval(command_timeout_)) != REDIS_OK) failure = "cannot set the timeout";
    try {
        // A refused AUTH or SELECT is a wrong URL, not an outage: its Error goes to the caller.
        if (failure.empty() && !address_.password.empty()) {
            std::vector<std::string> auth = {"AUTH"};
            if (!address_.user.empty()) auth.push_back(address_.user);
            auth.push_back(address_.password);
            send(auth);
        }
        if (failure.empty() && address_.db != 0) send({"SELECT", std::to_string(address_.db)});
    } catch (const RedisUnavailable& e) {
        failure = e.what();
    } catch (...) {
        drop();
        throw;
    }
    if (failure.empty()) {
        backoff_ = std::chrono::milliseconds(0);
        next_try_ = {};
        return;
    }
    drop();
    backoff_ = backoff_.count() == 0 ? kFirstBackoff : std::min(backoff_ * 2, kMaxBackoff);
    next_try_ = std::chrono::steady_clock::now() + backoff_;
    last_failure_ = failure;
    throw RedisUnavailable(fmt::format("Redis at {} cannot be reached: {}", address_.display(), failure));
}

RedisReply RedisClient::send(const std::vector<std::string>& args) {
    std::vector<const char*> argv;
    std::vector<size_t> lengths;
    for (const std::string& a : args) {
        argv.push_back(a.data());
        lengths.push_back(a.size());
    }
    auto* raw = static_cast<redisReply*>(redisCommandArgv(context_, int(argv.size()), argv.data(), lengths.data()));
    if (!raw) {
        const std::string why = context_->errstr;
        drop();  // a context that failed is not used again
        last_failure_ = why;
        throw RedisUnavailable(fmt::format("Redis at {}: {} did not complete: {}", address_.display(), args.at(0), why));
    }
    try {
        RedisReply reply = convert(*raw, args.at(0), address_.display());
        freeReplyObject(raw);
        return reply;
    } catch (...) {
        freeReplyObject(raw);
        throw;
    }
}

RedisReply RedisClient::command(const std::vector<std::string>& args) {
    std::lock_guard lock(mutex_);
    if (!context_) connect();
    return send(args);
}

}  // namespace ltx2::service
