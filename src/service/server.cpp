#include "service/server.h"

#include <csignal>
#include <cstdio>
#include <thread>

#include "core/error.h"
#include "app/memory_estimate.h"
#include "core/log.h"
#include "service/http_api.h"
#include "service/job_queue.h"
#include "service/job_store.h"

namespace ltx2::service {

namespace {

bool is_loopback(const std::string& host) {
    return host == "127.0.0.1" || host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

}  // namespace

void serve(const ServeOptions& o, VideoRequests::Settings request_settings) {
    if (o.data_dir.empty()) fail("--data-dir: give the folder where jobs and videos are kept");
    if (o.port < 0 || o.port > 65535) fail("--port {}: expected 0..65535 (0: any free port)", o.port);
    if (o.max_queue < 1) fail("--max-queue {}: expected at least 1", o.max_queue);
    if (o.keep_hours < 0) fail("--keep-hours {}: expected hours >= 0 (0: keep results)", o.keep_hours);
    if (!(o.max_body_mb > 0)) fail("--max-body-mb {}: expected a positive size", o.max_body_mb);
    if (!is_loopback(o.host) && o.api_key.empty())
        warn("--host {}: the server is reachable from other machines and has no --api-key", o.host);

    // Signals are taken by one thread (sigwait), so they never interrupt a generation.
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);

    JobStore store(o.data_dir);
    // One budget for every job, fixed now: the memory the kept models take must not shrink the next job's.
    GenerateRequest& models = request_settings.models;
    models.memory_budget_gib = app::memory_budget_bytes(models.memory_budget_gib) / (1024.0 * 1024 * 1024);
    ModelCache kept_models(kept_models_capacity_bytes(models.memory_budget_gib));
    info("models are kept loaded between jobs within {:.1f} GiB of the {:.1f} GiB memory budget",
         double(kept_models.stats().capacity_bytes) / (1024.0 * 1024 * 1024), models.memory_budget_gib);
    request_settings.kept_models = &kept_models;
    const VideoRequests requests(std::move(request_settings));
    JobQueue::Options queue_options;
    queue_options.max_queue = o.max_queue;
    queue_options.keep_hours = o.keep_hours;
    JobQueue queue(
        store,
        [&](const Job& job, ProgressReporter& progress, const CancellationToken& cancel) {
            return generate(requests.generate_request(job, store), progress, cancel, &kept_models);
        },
        queue_options);
    HttpSettings http;
    http.api_key = o.api_key;
    http.cors_origin = o.cors_origin;
    http.max_body_bytes = size_t(o.max_body_mb * 1024 * 1024);
    HttpApi api(http, queue, store, requests, kept_models);
    const int port = api.bind(o.host, o.port);
    queue.expire_old_jobs();
    queue.start();

    std::thread signal_waiter([&] {
        int signal = 0;
        sigwait(&signals, &signal);
        info("signal {}: stopping (a running job stays queued)", signal);
        api.stop();
    });
    std::printf("listening on http://%s:%d\n", o.host.c_str(), port);
    std::fflush(stdout);
    api.run();
    queue.stop();
    // The waiter may still wait when the server stopped by itself; wake it.
    pthread_kill(signal_waiter.native_handle(), SIGTERM);
    signal_waiter.join();
}

}  // namespace ltx2::service
