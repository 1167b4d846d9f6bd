// `ltx2 serve` with the demo model: status polls per second (N clients polling GET
// /v1/videos/{id} over keep-alive connections) and the latency the server adds to a generation
// (POST -> done event -> MP4 downloaded, against the same generation run by `ltx2 --demo`).
//   bench_serve [--clients 4] [--seconds 5] [--runs 3] [--frames 9] [--memory-budget GIB]
#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "app/demo_model.h"
#include "serve_process.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0.0 : v[v.size() / 2];
}

double percentile(std::vector<double> v, double p) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0.0 : v[std::min(v.size() - 1, size_t(p * double(v.size())))];
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"ltx2 serve: status polls per second and the latency the server adds to a demo generation"};
    int clients = 4, runs = 3, frames = 9;
    double seconds = 5;
    app.add_option("--clients", clients, "clients polling at once")->capture_default_str();
    app.add_option("--seconds", seconds, "how long they poll")->capture_default_str();
    app.add_option("--runs", runs, "generations timed each way")->capture_default_str();
    app.add_option("--frames", frames, "frames of the demo generation")->capture_default_str();
    std::string memory_budget;
    app.add_option("--memory-budget", memory_budget,
                   "the server's --memory-budget (2: no room to keep models between jobs) [its default]");
    CLI11_PARSE(app, argc, argv);

    const std::string ltx2 = (fs::canonical("/proc/self/exe").parent_path() / "ltx2").string();
    const char* demo_env = std::getenv("LTX2_DEMO_DIR");
    const std::string demo_dir = demo_env ? demo_env : ltx2::default_demo_model_dir();
    const fs::path work = fs::temp_directory_path() / fmt::format("ltx2-bench-serve-{}", ::getpid());
    fs::create_directories(work);
    std::vector<std::string> server_args{"--data-dir", (work / "data").string()};
    if (!memory_budget.empty()) server_args.insert(server_args.end(), {"--memory-budget", memory_budget});
    ltx2::test::DemoServerProcess server(ltx2, demo_dir, server_args, (work / "server.log").string());
    if (server.port() <= 0) {
        std::fprintf(stderr, "the server did not start:\n%s\n", server.log_text().c_str());
        return 1;
    }
    httplib::Client client("127.0.0.1", server.port());
    client.set_read_timeout(600, 0);

    // Latency: the same generation through the API and from the command line (alternating).
    std::vector<double> served, direct, in_server;
    std::string id;
    for (int run = 0; run < runs; ++run) {
        const std::string prompt = fmt::format("a lighthouse at dusk, run {}", run);
        auto t = Clock::now();
        const auto created = client.Post(
            "/v1/videos", nlohmann::json{{"prompt", prompt}, {"num_frames", frames}, {"seed", run}}.dump(), "application/json");
        if (!created || created->status != 202) {
            std::fprintf(stderr, "POST failed: %s\n", created ? created->body.c_str() : "no answer");
            return 1;
        }
        id = nlohmann::json::parse(created->body)["id"];
        std::string done;
        client.Get(("/v1/videos/" + id + "/events").c_str(), [&](const char* data, size_t n) {
            done.append(data, n);
            return true;
        });
        const auto video = client.Get(("/v1/videos/" + id + "/content").c_str());
        served.push_back(seconds_since(t));
        const auto job = nlohmann::json::parse(client.Get(("/v1/videos/" + id).c_str())->body);
        if (job["status"] != "completed" || !video || video->status != 200) {
            std::fprintf(stderr, "job %s: %s\n", id.c_str(), job.dump().c_str());
            return 1;
        }
        in_server.push_back(job["timings"]["total_seconds"].get<double>());

        t = Clock::now();
        const std::string command =
            fmt::format("LTX2_DEMO_DIR='{}' '{}' --demo -p '{}' --frames {} --seed {} --progress none -o '{}'", demo_dir,
                        ltx2, prompt, frames, run, (work / "direct.mp4").string());
        if (std::system(command.c_str()) != 0) return 1;
        direct.push_back(seconds_since(t));
    }
    std::printf("generation, %d frames of the demo model, median of %d:\n", frames, runs);
    std::printf("  ltx2 --demo (process start to MP4 written)        %.3f s\n", median(direct));
    std::printf("  POST -> done event -> MP4 downloaded              %.3f s\n", median(served));
    std::printf("  of which generate() inside the server             %.3f s\n", median(in_server));
    std::printf("  server overhead (HTTP, queue, events, download)   %.3f s\n", median(served) - median(in_server));

    // Status polls: every client polls the last job over its own keep-alive connection.
    std::atomic<bool> stop{false};
    std::vector<std::vector<double>> latencies(static_cast<size_t>(clients));
    std::vector<std::thread> threads;
    const auto start = Clock::now();
    for (int c = 0; c < clients; ++c)
        threads.emplace_back([&, c] {
            httplib::Client poller("127.0.0.1", server.port());
            poller.set_keep_alive(true);
            while (!stop) {
                const auto t = Clock::now();
                const auto r = poller.Get(("/v1/videos/" + id).c_str());
                if (!r || r->status != 200) break;
                latencies[size_t(c)].push_back(seconds_since(t));
            }
        });
    std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
    stop = true;
    for (auto& t : threads) t.join();
    const double elapsed = seconds_since(start);
    std::vector<double> all;
    for (const auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
    std::printf("status polls, %d clients for %.1f s: %.0f requests/s, latency p50 %.3f ms, p99 %.3f ms (%zu requests)\n",
                clients, elapsed, double(all.size()) / elapsed, 1e3 * percentile(all, 0.5), 1e3 * percentile(all, 0.99),
                all.size());
    server.stop(SIGTERM);
    fs::remove_all(work);
    return 0;
}
