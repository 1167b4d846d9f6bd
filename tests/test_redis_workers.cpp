// `ltx2 serve --redis` with `ltx2 worker`s: a real redis-server on a loopback port, the demo model,
// workers as child processes (killed, stopped and restarted as in production).
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <set>

#include "app_test_util.h"
#include "redis_process.h"
#include "serve_test_util.h"
#include "service/redis_client.h"
#include "test_util.h"

namespace fs = std::filesystem;
using namespace ltx2;
using namespace ltx2::test;
using nlohmann::json;

namespace {

// Redis, a front end and the data folder they share with the workers of a test.
struct Deployment {
    TempDir dir{"ltx2-workers"};
    std::string data = dir.file("data");
    RedisServerProcess redis{LTX2_REDIS_SERVER_BIN, make_folder(dir.file("redis"))};
    ServeProcess front;

    explicit Deployment(std::vector<std::string> front_args = {})
        : front(with(front_args, {"--data-dir", data, "--redis", redis.url(), "--max-queue", "32"}), dir.file("front.log")) {}
    static std::vector<std::string> with(std::vector<std::string> a, const std::vector<std::string>& b) {
        a.insert(a.end(), b.begin(), b.end());
        return a;
    }

    static std::string make_folder(const std::string& path) {
        fs::create_directories(path);
        return path;
    }
    ChildProcess worker(const std::string& name, std::vector<std::string> args = {}) {
        args.insert(args.end(), {"--threads", "1"});
        return demo_worker(LTX2_BIN, LTX2_TEST_DEMO_DIR, redis.url(), data, name, args, dir.file(name + ".log"));
    }
    std::string log(const std::string& name) const { return read_file(dir.path / (name + ".log")); }
    // The worker's log once it holds `line`, or as it is after 30 s: a worker writes its log line after it
    // records the job's status, so a test that saw the status can be ahead of the log.
    std::string log_once_it_has(const std::string& name, const std::string& line) const {
        for (int i = 0; i < 300; ++i) {
            const std::string text = log(name);
            if (text.find(line) != std::string::npos) return text;
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        return log(name);
    }
    std::string logs() const {
        std::string all = "front end:\n" + front.log_text();
        for (const auto& entry : fs::directory_iterator(dir.path))
            if (entry.path().extension() == ".log" && entry.path().stem() != "front")
                all += entry.path().stem().string() + ":\n" + read_file(entry.path());
        return all;
    }
};

// How many times `text` contains `needle`.
size_t count_of(const std::string& text, const std::string& needle) {
    size_t n = 0;
    for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
    return n;
}

// Polls until the job is no longer queued or running, riding out answers other than 200 (Redis down).
json wait_done(httplib::Client& c, const std::string& id) {
    for (int i = 0; i < 6000; ++i) {
        const auto r = c.Get(("/v1/videos/" + id).c_str());
        if (r && r->status == 200) {
            const json job = json_of(r);
            if (job["status"] != "queued" && job["status"] != "in_progress") return job;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return nullptr;
}

// Polls until the job has made some progress in a worker (models loaded, denoising begun).
void wait_progress(httplib::Client& c, const std::string& id, int percent) {
    for (int i = 0; i < 6000; ++i) {
        const json job = json_of(c.Get(("/v1/videos/" + id).c_str()));
        if (job.is_object() && job["status"] == "in_progress" && job["progress"].get<int>() >= percent) return;
        if (job.is_object() && job["status"] != "queued" && job["status"] != "in_progress") return;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

// A job long enough to be interrupted: 49 frames, and the seed fixed for a byte comparison.
const json kLongJob = {{"prompt", "a paper boat on a puddle"}, {"size", "192x128"}, {"num_frames", 49}, {"seed", 42}};

}  // namespace

TEST(RedisWorkers, TwoWorkersRunTwentyJobsEachExactlyOnce) {
    Deployment d;
    ASSERT_GT(d.front.port(), 0);
    auto c = d.front.client();
    ChildProcess a = d.worker("worker-a"), b = d.worker("worker-b");
    std::vector<std::string> ids;
    for (int i = 0; i < 20; ++i) ids.push_back(create_job(c, {{"prompt", "lantern " + std::to_string(i)}, {"num_frames", 9}, {"seed", i}}));
    std::set<std::string> distinct(ids.begin(), ids.end());
    ASSERT_EQ(distinct.size(), 20u);
    for (const std::string& id : ids) {
        const json job = wait_done(c, id);
        ASSERT_EQ(job["status"], "completed") << job << d.logs();
        const auto video = c.Get(("/v1/videos/" + id + "/content").c_str());
        ASSERT_TRUE(video);
        EXPECT_EQ(video->status, 200);
        EXPECT_GT(video->body.size(), 1000u);
    }
    const std::string log_a = d.log("worker-a"), log_b = d.log("worker-b");
    for (const std::string& id : ids)
        EXPECT_EQ(count_of(log_a + log_b, "job " + id + ": started"), 1u) << id << "\n" << d.logs();
    EXPECT_GT(count_of(log_a, ": started"), 0u) << "worker a ran nothing";
    EXPECT_GT(count_of(log_b, ": started"), 0u) << "worker b ran nothing";
    const std::string metrics = c.Get("/metrics")->body;
    EXPECT_NE(metrics.find("ltx2_jobs{status=\"completed\"} 20"), std::string::npos) << metrics;
    EXPECT_NE(metrics.find("ltx2_job_seconds_count 20"), std::string::npos) << metrics;
    EXPECT_NE(metrics.find("ltx2_queue_depth 0"), std::string::npos) << metrics;
    // Listing pages through Redis, newest first.
    const json page = json_of(c.Get("/v1/videos?limit=5"));
    ASSERT_EQ(page["data"].size(), 5u);
    EXPECT_EQ(page["data"][0]["id"], ids.back());
    EXPECT_EQ(page["has_more"], true);
    const json next = json_of(c.Get(("/v1/videos?limit=5&after=" + page["last_id"].get<std::string>()).c_str()));
    EXPECT_EQ(next["data"][0]["id"], ids[14]);
}

TEST(RedisWorkers, KilledWorkersJobEndsOnAnotherWithTheSameVideoAsTheCommandLine) {
    Deployment d;
    auto c = d.front.client();
    ChildProcess a = d.worker("worker-a", {"--claim-timeout", "1"});
    const std::string id = create_job(c, kLongJob);
    wait_progress(c, id, 6);
    ASSERT_EQ(json_of(c.Get(("/v1/videos/" + id).c_str()))["status"], "in_progress") << d.logs();
    a.stop(SIGKILL);
    ChildProcess b = d.worker("worker-b", {"--claim-timeout", "1"});
    const json job = wait_done(c, id);
    ASSERT_EQ(job["status"], "completed") << job << d.logs();
    expect_contains(d.log_once_it_has("worker-b", "job " + id + ": completed"), {"job " + id + ": taken over from worker worker-a",
                                        "job " + id + ": started (attempt 2)", "job " + id + ": completed"});

    const auto served = c.Get(("/v1/videos/" + id + "/content").c_str());
    ASSERT_TRUE(served);
    const std::string out = d.dir.file("cli.mp4");
    const auto cli = run_command(fmt::format("LTX2_DEMO_DIR={} {} --demo -p 'a paper boat on a puddle' -W 192 -H 128 "
                                             "--frames 49 --seed 42 --threads 1 --progress none -o {}",
                                             LTX2_TEST_DEMO_DIR, LTX2_BIN, out));
    ASSERT_EQ(cli.exit_code, 0) << cli.output;
    const std::string expected = read_file(out);
    ASSERT_GT(expected.size(), 1000u);
    EXPECT_TRUE(served->body == expected) << "served " << served->body.size() << " bytes, the CLI wrote " << expected.size();
}

TEST(RedisWorkers, JobStartedMoreThanMaxAttemptsFailsWithTheReason) {
    Deployment d;
    auto c = d.front.client();
    ChildProcess a = d.worker("worker-a", {"--claim-timeout", "1", "--max-attempts", "1"});
    const std::string id = create_job(c, kLongJob);
    wait_progress(c, id, 6);
    a.stop(SIGKILL);
    ChildProcess b = d.worker("worker-b", {"--claim-timeout", "1", "--max-attempts", "1"});
    const json job = wait_done(c, id);
    ASSERT_EQ(job["status"], "failed") << job << d.logs();
    EXPECT_EQ(job["error"]["code"], "too_many_attempts");
    expect_contains(job["error"]["message"].get<std::string>(), {"started 1 times", "worker-a", "--max-attempts is 1"});
    EXPECT_EQ(count_of(d.log("worker-b"), ": started"), 0u) << d.logs();
}

TEST(RedisWorkers, CancelReachesTheWorkerThatRunsTheJob) {
    Deployment d;
    auto c = d.front.client();
    // Queued with no worker yet: cancelled at once, and never started later.
    const std::string waiting = create_job(c, {{"prompt", "never runs"}, {"num_frames", 9}});
    EXPECT_EQ(json_of(c.Get(("/v1/videos/" + waiting).c_str()))["queue_position"], 1);
    const auto cancel_queued = c.Delete(("/v1/videos/" + waiting).c_str());
    ASSERT_TRUE(cancel_queued);
    EXPECT_EQ(cancel_queued->status, 200) << cancel_queued->body;
    EXPECT_EQ(json_of(cancel_queued)["status"], "cancelled");

    ChildProcess a = d.worker("worker-a");
    const std::string running = create_job(c, kLongJob);
    wait_progress(c, running, 6);
    const auto cancel_running = c.Delete(("/v1/videos/" + running).c_str());
    ASSERT_TRUE(cancel_running);
    EXPECT_EQ(cancel_running->status, 202) << cancel_running->body;
    const json stopped = wait_done(c, running);
    EXPECT_EQ(stopped["status"], "cancelled") << stopped << d.logs();
    EXPECT_EQ(stopped["error"]["code"], "cancelled");
    EXPECT_FALSE(fs::exists(fs::path(d.data) / "jobs" / running / "video.mp4"));
    EXPECT_EQ(count_of(d.log("worker-a"), "job " + waiting + ": started"), 0u) << d.logs();
    // The events stream ends with the cancellation.
    const auto events = c.Get(("/v1/videos/" + running + "/events").c_str());
    ASSERT_TRUE(events);
    expect_contains(events->body, {"event: progress", "\"stage\":\"started\"", "event: error", "\"cancelled\""});

    // A finished job is deleted with its folder.
    const auto deleted = c.Delete(("/v1/videos/" + running).c_str());
    ASSERT_TRUE(deleted);
    EXPECT_EQ(json_of(deleted)["deleted"], true);
    EXPECT_FALSE(fs::exists(fs::path(d.data) / "jobs" / running));
    EXPECT_EQ(c.Get(("/v1/videos/" + running).c_str())->status, 404);
}

TEST(RedisWorkers, SigtermHandsTheRunningJobBackToAnotherWorker) {
    Deployment d;
    auto c = d.front.client();
    ChildProcess a = d.worker("worker-a");
    const std::string id = create_job(c, kLongJob);
    wait_progress(c, id, 6);
    EXPECT_EQ(a.stop(SIGTERM), 0) << d.logs();
    expect_contains(d.log("worker-a"), {"job " + id + ": handed back to the queue", "worker worker-a: stopped"});
    EXPECT_EQ(json_of(c.Get(("/v1/videos/" + id).c_str()))["status"], "queued");
    ChildProcess b = d.worker("worker-b");
    const json job = wait_done(c, id);
    ASSERT_EQ(job["status"], "completed") << job << d.logs();
    // Handing back is not a failed attempt.
    expect_contains(d.log("worker-b"), {"job " + id + ": started (attempt 1)"});
}

TEST(RedisWorkers, RedisRestartDuringARunLosesNothing) {
    Deployment d;
    auto c = d.front.client();
    ChildProcess a = d.worker("worker-a");
    const std::string id = create_job(c, kLongJob);
    wait_progress(c, id, 6);
    d.redis.kill();

    // While Redis is down the API answers 503 with Retry-After and keeps no upload.
    const auto status = c.Get(("/v1/videos/" + id).c_str());
    ASSERT_TRUE(status);
    EXPECT_EQ(status->status, 503) << status->body;
    EXPECT_EQ(json_of(status)["error"]["code"], "service_unavailable");
    EXPECT_FALSE(status->get_header_value("Retry-After").empty());
    const auto health = c.Get("/health");
    ASSERT_TRUE(health);
    EXPECT_EQ(health->status, 503);
    const size_t folders = std::distance(fs::directory_iterator(fs::path(d.data) / "jobs"), fs::directory_iterator());
    const auto refused = c.Post("/v1/videos", json{{"prompt", "during the outage"}, {"num_frames", 9}}.dump(), "application/json");
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 503) << refused->body;
    EXPECT_EQ(std::distance(fs::directory_iterator(fs::path(d.data) / "jobs"), fs::directory_iterator()), long(folders));

    std::this_thread::sleep_for(std::chrono::seconds(1));
    ASSERT_TRUE(d.redis.start()) << d.redis.log_text();
    const json job = wait_done(c, id);
    ASSERT_EQ(job["status"], "completed") << job << d.logs();
    EXPECT_EQ(c.Get("/health")->status, 200);
    expect_contains(d.log("worker-a"), {"job " + id + ": Redis at " + d.redis.url() + "/0 cannot be reached",
                                        "the job goes on", "Redis is reachable again",
                                        "job " + id + ": completed"});
    // A new job after the restart runs too.
    const std::string after = create_job(c, {{"prompt", "after the restart"}, {"num_frames", 9}});
    EXPECT_EQ(wait_done(c, after)["status"], "completed") << d.logs();
}

TEST(RedisWorkers, KeepHoursExpiresOldResultsFromRedisAndTheDataFolder) {
    // 3.6 s: kept long enough to be seen completed (expiry counts whole seconds), checked every 1.8 s.
    Deployment d({"--keep-hours", "0.001"});
    auto c = d.front.client();
    ChildProcess a = d.worker("worker-a");
    const std::string old = create_job(c, {{"prompt", "old"}, {"num_frames", 9}});
    ASSERT_EQ(wait_done(c, old)["status"], "completed") << d.logs();
    ASSERT_TRUE(fs::exists(fs::path(d.data) / "jobs" / old / "video.mp4"));
    std::this_thread::sleep_for(std::chrono::seconds(7));
    EXPECT_EQ(c.Get(("/v1/videos/" + old).c_str())->status, 404) << d.logs();
    EXPECT_FALSE(fs::exists(fs::path(d.data) / "jobs" / old));
    service::RedisClient redis(service::parse_redis_url(d.redis.url()));
    EXPECT_EQ(redis.command({"EXISTS", "ltx2:job:" + old, "ltx2:events:" + old}).integer, 0);
    expect_contains(d.front.log_text(), {"job " + old + " expired"});
}

TEST(RedisWorkers, BadSettingsAreNamedBeforeAnythingRuns) {
    TempDir dir("ltx2-workers");
    auto run = [&](const std::string& args) {
        return run_command(fmt::format("LTX2_DEMO_DIR={} {} {} 2>&1", LTX2_TEST_DEMO_DIR, LTX2_BIN, args));
    };
    const auto bad_url = run("worker --demo --redis http://localhost:6379 --data-dir " + dir.path.string());
    EXPECT_EQ(bad_url.exit_code, 1);
    expect_contains(bad_url.output, {"--redis 'http://localhost:6379': expected redis://HOST[:PORT][/DB]"});
    const auto no_folder = run("worker --demo --redis redis://127.0.0.1:1 --data-dir " + dir.file("missing"));
    EXPECT_EQ(no_folder.exit_code, 1);
    expect_contains(no_folder.output, {"--data-dir", "no such folder"});
    const auto per_request = run("worker --demo --redis redis://127.0.0.1:1 --frames 9 --data-dir " + dir.path.string());
    EXPECT_EQ(per_request.exit_code, 1);
    expect_contains(per_request.output, {"worker: --frames is set per request"});
    const auto attempts = run("worker --demo --redis redis://127.0.0.1:1 --max-attempts 0 --data-dir " + dir.path.string());
    EXPECT_EQ(attempts.exit_code, 1);
    expect_contains(attempts.output, {"--max-attempts 0: expected at least 1"});
    const auto front = run("serve --demo --redis redis://host:99999 --data-dir " + dir.path.string());
    EXPECT_EQ(front.exit_code, 1);
    expect_contains(front.output, {"--redis: port 99999 is not in 1..65535"});
}

TEST(RedisClient, UrlsAreParsedOrRefusedNamingTheOption) {
    const service::RedisAddress plain = service::parse_redis_url("redis://cache.internal");
    EXPECT_EQ(plain.host, "cache.internal");
    EXPECT_EQ(plain.port, 6379);
    EXPECT_EQ(plain.db, 0);
    const service::RedisAddress full = service::parse_redis_url("redis://ops:s3cret@10.0.0.5:6380/2");
    EXPECT_EQ(full.host, "10.0.0.5");
    EXPECT_EQ(full.port, 6380);
    EXPECT_EQ(full.db, 2);
    EXPECT_EQ(full.user, "ops");
    EXPECT_EQ(full.password, "s3cret");
    EXPECT_EQ(full.display(), "redis://10.0.0.5:6380/2");  // never the password
    EXPECT_EQ(service::parse_redis_url("redis://[::1]:7000").host, "::1");
    for (const char* bad : {"", "localhost:6379", "redis://", "redis://h:port", "redis://h:6379/x", "rediss://h"}) {
        try {
            service::parse_redis_url(bad, "--redis");
            ADD_FAILURE() << "accepted '" << bad << "'";
        } catch (const Error& e) {
            EXPECT_NE(std::string(e.what()).find("--redis"), std::string::npos) << e.what();
        }
    }
    // A password in a refused URL is not repeated in the message.
    try {
        service::parse_redis_url("redis://:hunter2@h:bad");
        ADD_FAILURE();
    } catch (const Error& e) {
        EXPECT_EQ(std::string(e.what()).find("hunter2"), std::string::npos) << e.what();
    }
}

TEST(RedisClient, UnreachableRedisFailsFastWithBackoff) {
    service::RedisClient client(service::parse_redis_url("redis://127.0.0.1:" + std::to_string(free_loopback_port())));
    try {
        client.command({"PING"});
        FAIL();
    } catch (const service::RedisUnavailable& e) {
        expect_contains(e.what(), {"cannot be reached"});
    }
    // Within the backoff the next command fails without trying to connect.
    try {
        client.command({"PING"});
        FAIL();
    } catch (const service::RedisUnavailable& e) {
        expect_contains(e.what(), {"trying again in"});
    }
}
