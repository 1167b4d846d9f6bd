#include "service/redis_jobs.h"

#include <charconv>

#include "core/log.h"

namespace ltx2::service {

namespace {

const std::string kQueue = "ltx2:queue", kGroup = "workers", kJobs = "ltx2:jobs", kWaiting = "ltx2:waiting",
                  kStats = "ltx2:stats", kJobPrefix = "ltx2:job:", kEventsPrefix = "ltx2:events:";

std::string job_key(const std::string& id) { return kJobPrefix + id; }
std::string events_key(const std::string& id) { return kEventsPrefix + id; }

// KEYS: job hash, waiting set, stream, jobs set. ARGV: id, created, max waiting, record.
constexpr const char* kEnqueueScript = R"(
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[3]) then return 0 end
redis.call('HSET', KEYS[1], 'record', ARGV[4], 'status', 'queued', 'attempts', 0)
redis.call('ZADD', KEYS[4], ARGV[2], ARGV[1])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
redis.call('XADD', KEYS[3], '*', 'job', ARGV[1])
return 1
)";

// KEYS: job hash, waiting set, events list, stream. ARGV: id, created, ",allowed,statuses,",
// required worker, new status, record, new worker, entry action, entry id, group, events...
constexpr const char* kChangeScript = R"(
local status = redis.call('HGET', KEYS[1], 'status')
if not status or not string.find(ARGV[3], ',' .. status .. ',', 1, true) then return 0 end
if ARGV[4] ~= '' and redis.call('HGET', KEYS[1], 'worker') ~= ARGV[4] then return 0 end
redis.call('HSET', KEYS[1], 'status', ARGV[5], 'record', ARGV[6])
if ARGV[7] ~= '' then redis.call('HSET', KEYS[1], 'worker', ARGV[7]) end
if ARGV[5] == 'queued' then redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1]) else redis.call('ZREM', KEYS[2], ARGV[1]) end
if ARGV[5] ~= 'in_progress' then redis.call('HDEL', KEYS[1], 'cancel') end
for i = 11, #ARGV do redis.call('RPUSH', KEYS[3], ARGV[i]) end
if ARGV[8] ~= 'keep' then
  redis.call('XACK', KEYS[4], ARGV[10], ARGV[9])
  redis.call('XDEL', KEYS[4], ARGV[9])
  if ARGV[8] == 'requeue' then
    redis.call('HINCRBY', KEYS[1], 'attempts', -1)
    redis.call('XADD', KEYS[4], '*', 'job', ARGV[1])
  end
end
return 1
)";

// KEYS: job hash, stream. ARGV: consumer, group, entry.
constexpr const char* kHeartbeatScript = R"(
if redis.call('HGET', KEYS[1], 'status') ~= 'in_progress' or redis.call('HGET', KEYS[1], 'worker') ~= ARGV[1] then
  return -1
end
redis.call('XCLAIM', KEYS[2], ARGV[2], ARGV[1], 0, ARGV[3], 'JUSTID')
if redis.call('HGET', KEYS[1], 'cancel') then return 1 end
return 0
)";

// KEYS: job hash.
constexpr const char* kCancelScript = R"(
if redis.call('HGET', KEYS[1], 'status') ~= 'in_progress' then return 0 end
redis.call('HSET', KEYS[1], 'cancel', 1)
return 1
)";

// KEYS: jobs set. ARGV: job key prefix.
constexpr const char* kCountScript = R"(
local counts = {}
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local s = redis.call('HGET', ARGV[1] .. id, 'status')
  if s then counts[s] = (counts[s] or 0) + 1 end
end
local out = {}
for s, n in pairs(counts) do table.insert(out, s); table.insert(out, n) end
return out
)";

std::string statuses_list(const std::vector<JobStatus>& statuses) {
    std::string out = ",";
    for (JobStatus s : statuses) out += std::string(job_status_name(s)) + ",";
    return out;
}

std::string event_text(const JobEvent& e) { return e.name + "\n" + e.data; }

// The job id of a stream entry [id, [field, value, ...]], empty when it has none.
std::string entry_job_id(const RedisReply& fields) {
    for (size_t i = 0; i + 1 < fields.items.size(); i += 2)
        if (fields.items[i].text == "job") return fields.items[i + 1].text;
    return "";
}

double number(const std::string& text) {
    double v = 0;
    std::from_chars(text.data(), text.data() + text.size(), v);
    return v;
}

}  // namespace

RedisJobs::RedisJobs(RedisClient& redis) : redis_(redis) {}

void RedisJobs::ensure_group() {
    try {
        redis_.command({"XGROUP", "CREATE", kQueue, kGroup, "0", "MKSTREAM"});
    } catch (const RedisUnavailable&) {
        throw;
    } catch (const Error& e) {
        if (std::string(e.what()).find("BUSYGROUP") == std::string::npos) throw;  // it exists already
    }
}

bool RedisJobs::enqueue(const Job& job, size_t max_waiting) {
    return redis_
               .command({"EVAL", kEnqueueScript, "4", job_key(job.id), kWaiting, kQueue, kJobs, job.id,
                         std::to_string(job.created_us), std::to_string(max_waiting), job_to_record(job)})
               .integer == 1;
}

size_t RedisJobs::waiting() { return size_t(redis_.command({"ZCARD", kWaiting}).integer); }

std::optional<StoredJob> RedisJobs::load(const std::string& id) {
    const RedisReply r = redis_.command({"HGETALL", job_key(id)});
    std::map<std::string, std::string> fields;
    for (size_t i = 0; i + 1 < r.items.size(); i += 2) fields[r.items[i].text] = r.items[i + 1].text;
    if (!fields.count("record")) return std::nullopt;
    StoredJob stored;
    stored.job = job_from_record(fields["record"], "Redis " + job_key(id));
    stored.worker = fields["worker"];
    stored.attempts = (long long)number(fields["attempts"]);
    return stored;
}

std::optional<JobStatus> RedisJobs::status(const std::string& id) {
    const RedisReply r = redis_.command({"HGET", job_key(id), "status"});
    if (r.is_nil()) return std::nullopt;
    return parse_job_status(r.text, "Redis " + job_key(id));
}

std::optional<int> RedisJobs::queue_position(const Job& job) {
    if (job.status == JobStatus::InProgress) return 0;
    if (job.status != JobStatus::Queued) return std::nullopt;
    const RedisReply rank = redis_.command({"ZRANK", kWaiting, job.id});
    if (rank.is_nil()) return std::nullopt;
    return int(rank.integer) + 1;
}

std::vector<std::string> RedisJobs::ids_newest_first(size_t limit, const std::string& after) {
    long long first = 0;
    if (!after.empty()) {
        const RedisReply rank = redis_.command({"ZREVRANK", kJobs, after});
        if (!rank.is_nil()) first = rank.integer + 1;
    }
    const RedisReply r =
        redis_.command({"ZREVRANGE", kJobs, std::to_string(first), std::to_string(first + (long long)limit - 1)});
    std::vector<std::string> ids;
    for (const RedisReply& item : r.items) ids.push_back(item.text);
    return ids;
}

std::vector<std::string> RedisJobs::all_ids() {
    std::vector<std::string> ids;
    for (const RedisReply& item : redis_.command({"ZRANGE", kJobs, "0", "-1"}).items) ids.push_back(item.text);
    return ids;
}

bool RedisJobs::request_cancel(const std::string& id) {
    return redis_.command({"EVAL", kCancelScript, "1", job_key(id)}).integer == 1;
}

void RedisJobs::remove(const std::string& id) {
    redis_.command({"DEL", job_key(id), events_key(id)});
    redis_.command({"ZREM", kJobs, id});
    redis_.command({"ZREM", kWaiting, id});
}

std::vector<JobEvent> RedisJobs::events(const std::string& id, size_t from) {
    const RedisReply r = redis_.command({"LRANGE", events_key(id), std::to_string(from), "-1"});
    std::vector<JobEvent> out;
    for (const RedisReply& item : r.items) {
        const size_t cut = item.text.find('\n');
        out.push_back({item.text.substr(0, cut), cut == std::string::npos ? "" : item.text.substr(cut + 1)});
    }
    return out;
}

std::map<std::string, size_t> RedisJobs::count_by_status() {
    const RedisReply r = redis_.command({"EVAL", kCountScript, "1", kJobs, kJobPrefix});
    std::map<std::string, size_t> counts;
    for (size_t i = 0; i + 1 < r.items.size(); i += 2) counts[r.items[i].text] = size_t(r.items[i + 1].integer);
    return counts;
}

QueueMetrics RedisJobs::stats() {
    const RedisReply r = redis_.command({"HGETALL", kStats});
    std::map<std::string, std::string> f;
    for (size_t i = 0; i + 1 < r.items.size(); i += 2) f[r.items[i].text] = r.items[i + 1].text;
    QueueMetrics m;
    m.jobs_run = uint64_t(number(f["jobs_run"]));
    m.job_seconds_sum = number(f["job_seconds_sum"]);
    m.steps = uint64_t(number(f["steps"]));
    m.step_seconds_sum = number(f["step_seconds_sum"]);
    return m;
}

std::optional<Delivery> RedisJobs::next(const std::string& consumer, std::chrono::milliseconds claim_after,
                                        std::chrono::milliseconds block) {
    try {
        // Entries whose worker stopped answering first, one at a time (a claimed entry is this
        // worker's until it acknowledges it); the cursor walks the whole pending list.
        std::string cursor = "0-0";
        do {
            const RedisReply r = redis_.command(
                {"XAUTOCLAIM", kQueue, kGroup, consumer, std::to_string(claim_after.count()), cursor, "COUNT", "1"});
            if (r.items.size() < 2) break;
            cursor = r.items[0].text;
            for (const RedisReply& entry : r.items[1].items)
                if (entry.items.size() == 2) return Delivery{entry.items[0].text, entry_job_id(entry.items[1]), true};
        } while (cursor != "0-0");
        const RedisReply r = redis_.command({"XREADGROUP", "GROUP", kGroup, consumer, "COUNT", "1", "BLOCK",
                                             std::to_string(block.count()), "STREAMS", kQueue, ">"});
        if (r.is_nil() || r.items.empty() || r.items[0].items.size() < 2 || r.items[0].items[1].items.empty())
            return std::nullopt;
        const RedisReply& entry = r.items[0].items[1].items[0];
        if (entry.items.size() != 2) return std::nullopt;
        return Delivery{entry.items[0].text, entry_job_id(entry.items[1]), false};
    } catch (const RedisUnavailable&) {
        throw;
    } catch (const Error& e) {
        // The stream or its group is gone (Redis lost its data): made again, read at the next call.
        if (std::string(e.what()).find("NOGROUP") == std::string::npos) throw;
        warn("the job stream has no consumer group (Redis restarted without its data?): creating it again");
        ensure_group();
        return std::nullopt;
    }
}

long long RedisJobs::add_attempt(const std::string& id) {
    return redis_.command({"HINCRBY", job_key(id), "attempts", "1"}).integer;
}

RedisJobs::Heartbeat RedisJobs::heartbeat(const std::string& id, const std::string& consumer, const std::string& entry) {
    const long long r = redis_.command({"EVAL", kHeartbeatScript, "2", job_key(id), kQueue, consumer, kGroup, entry}).integer;
    return r < 0 ? Heartbeat::Lost : r == 1 ? Heartbeat::CancelRequested : Heartbeat::Owned;
}

void RedisJobs::acknowledge(const std::string& entry) {
    redis_.command({"XACK", kQueue, kGroup, entry});
    redis_.command({"XDEL", kQueue, entry});
}

void RedisJobs::add_run_stats(double job_seconds, uint64_t steps, double step_seconds_sum) {
    if (job_seconds > 0) {
        redis_.command({"HINCRBY", kStats, "jobs_run", "1"});
        redis_.command({"HINCRBYFLOAT", kStats, "job_seconds_sum", fmt::format("{}", job_seconds)});
    }
    redis_.command({"HINCRBY", kStats, "steps", std::to_string(steps)});
    redis_.command({"HINCRBYFLOAT", kStats, "step_seconds_sum", fmt::format("{}", step_seconds_sum)});
}

bool RedisJobs::change(const Job& job, const JobChange& c) {
    const char* action = c.entry == JobChange::Entry::Keep ? "keep" : c.entry == JobChange::Entry::Acknowledge ? "ack" : "requeue";
    std::vector<std::string> args = {"EVAL",          kChangeScript,
                                     "4",             job_key(job.id),
                                     kWaiting,        events_key(job.id),
                                     kQueue,          job.id,
                                     std::to_string(job.created_us), statuses_list(c.from),
                                     c.required_worker, job_status_name(job.status),
                                     job_to_record(job), c.new_worker,
                                     action,          c.entry_id.empty() ? "0-0" : c.entry_id,
                                     kGroup};
    for (const JobEvent& e : c.events) args.push_back(event_text(e));
    return redis_.command(args).integer == 1;
}

}  // namespace ltx2::service
