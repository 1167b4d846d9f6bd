// `ltx2 serve --redis` with `ltx2 worker`s on the demo model: jobs per minute with 1 and 2 workers,
// against the same jobs run by a plain `ltx2 serve` (its own queue, no Redis), and the time the
// Redis queue adds to each job (the difference per job between the plain server and one worker).
//   bench_workers [--jobs 24] [--runs 3] [--frames 9] [--redis-server /usr/bin/redis-server]
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "app/demo_model.h"
#include "bench_util.h"
#include "redis_process.h"
#include "sample_stats.h"
#include "serve_process.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using ltx2::bench::median;

namespace {

// Seconds from the first POST until every job completed (polled every 20 ms); -1 when one did not.
double run_jobs(httplib::Client& client, int jobs, int frames, int run) {
    const auto start = Clock::now();
    std::vector<std::string> ids;
    for (int j = 0; j < jobs; ++j) {
        const auto created = client.Post(
            "/v1/videos",
            nlohmann::json{{"prompt", fmt::format("a lighthouse, run {} job {}", run, j)}, {"num_frames", frames}, {"seed", j}}
                .dump(),
            "application/json");
        if (!created || created->status != 202) {
            std::fprintf(stderr, "POST failed: %s\n", created ? created->body.c_str() : "no answer");
            return -1;
        }
        ids.push_back(nlohmann::json::parse(created->body)["id"]);
    }
    for (const std::string& id : ids)
        for (;;) {
            const auto r = client.Get(("/v1/videos/" + id).c_str());
            if (!r || r->status != 200) return -1;
            const std::string status = nlohmann::json::parse(r->body)["status"];
            if (status == "completed") break;
            if (status != "queued" && status != "in_progress") {
                std::fprintf(stderr, "job %s: %s\n", id.c_str(), r->body.c_str());
                return -1;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
    return std::chrono::duration<double>(Clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"ltx2 worker over Redis: demo jobs per minute with 1 and 2 workers, and the queue's cost per job"};
    int jobs = 24, runs = 3, frames = 9;
    std::string redis_server = "/usr/bin/redis-server";
    app.add_option("--jobs", jobs, "jobs submitted at once per measurement")->capture_default_str();
    app.add_option("--runs", runs, "measurements per setup (the median is reported)")->capture_default_str();
    app.add_option("--frames", frames, "frames of each demo job")->capture_default_str();
    app.add_option("--redis-server", redis_server, "the redis-server program")->capture_default_str();
    CLI11_PARSE(app, argc, argv);

    const std::string ltx2 = (fs::canonical("/proc/self/exe").parent_path() / "ltx2").string();
    const char* demo_env = std::getenv("LTX2_DEMO_DIR");
    const std::string demo_dir = demo_env ? demo_env : ltx2::default_demo_model_dir();
    const fs::path work = fs::temp_directory_path() / fmt::format("ltx2-bench-workers-{}", ::getpid());
    fs::create_directories(work / "redis");
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    ltx2::bench::print_machine();

    auto measure = [&](const char* label, auto&& setup) {
        std::vector<double> seconds;
        for (int run = 0; run < runs; ++run) {
            const double s = setup(run);
            if (s < 0) std::exit(1);
            seconds.push_back(s);
        }
        const double m = median(seconds);
        std::printf("  %-34s %6.1f jobs/min  (%d jobs in %.2f s, median of %d)\n", label, 60.0 * jobs / m, jobs, m, runs);
        return m;
    };

    std::printf("%d demo jobs of %d frames submitted at once:\n", jobs, frames);
    const double plain = measure("ltx2 serve (no Redis)", [&](int run) {
        ltx2::test::DemoServerProcess server(ltx2, demo_dir, {"--data-dir", (work / "plain").string(), "--max-queue", "1000"},
                                             (work / "plain.log").string());
        if (server.port() <= 0) return -1.0;
        httplib::Client client("127.0.0.1", server.port());
        return run_jobs(client, jobs, frames, run);
    });
    ltx2::test::RedisServerProcess redis(redis_server, (work / "redis").string());
    std::vector<double> with_workers;
    for (int workers : {1, 2}) {
        with_workers.push_back(measure(workers == 1 ? "serve --redis + 1 worker" : "serve --redis + 2 workers", [&](int run) {
            ltx2::test::DemoServerProcess front(
                ltx2, demo_dir, {"--data-dir", (work / "data").string(), "--redis", redis.url(), "--max-queue", "1000"},
                (work / "front.log").string());
            if (front.port() <= 0) return -1.0;
            std::vector<ltx2::test::ChildProcess> started;
            const std::string threads = std::to_string(std::max(1u, cores / unsigned(workers)));
            for (int w = 0; w < workers; ++w)
                started.push_back(ltx2::test::demo_worker(ltx2, demo_dir, redis.url(), (work / "data").string(),
                                                          fmt::format("bench-{}-{}", run, w), {"--threads", threads},
                                                          (work / fmt::format("worker-{}-{}-{}.log", workers, run, w)).string()));
            // Timed from when every worker reads the queue, as the plain server is timed once it listens.
            for (const auto& worker : started)
                while (worker.log_text().find("takes jobs from") == std::string::npos)
                    std::this_thread::sleep_for(std::chrono::milliseconds(10));
            httplib::Client client("127.0.0.1", front.port());
            return run_jobs(client, jobs, frames, run);
        }));
    }
    std::printf("Redis queue cost per job (1 worker - plain server): %.0f ms\n", 1e3 * (with_workers[0] - plain) / jobs);
    std::printf("2 workers vs 1 on this machine: %.2fx\n", with_workers[0] / with_workers[1]);
    fs::remove_all(work);
    return 0;
}
