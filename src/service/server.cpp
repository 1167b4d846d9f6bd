#include "service/server.h"

#include <cstdio>

#include "capi/generation.h"
#include "core/error.h"
#include "core/log.h"
#include "service/http_api.h"
#include "service/job_queue.h"
#include "service/job_store.h"
#include "service/redis_job_board.h"
#include "service/stop_signals.h"

namespace ltx2::service {

namespace {

bool is_loopback(const std::string& host) {
    return host == "127.0.0.1" || host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

}  // namespace

void open_models(VideoRequests::Settings& settings, bool keep_models) {
    capi::ContextUse use;
    use.keep_models = keep_models;
    settings.context = capi::create_context(&settings.model_options, use);
    if (const ModelCache* kept = settings.context->kept_models.get())
        info("models are kept loaded between jobs within {:.1f} GiB of the {:.1f} GiB memory budget",
             double(kept->stats().capacity_bytes) / (1024.0 * 1024 * 1024),
             settings.context->models.memory_budget_gib);
}

void serve(const ServeOptions& o, VideoRequests::Settings request_settings) {
    if (o.data_dir.empty()) fail("--data-dir: give the folder where jobs and videos are kept");
    if (o.port < 0 || o.port > 65535) fail("--port {}: expected 0..65535 (0: any free port)", o.port);
    if (o.max_queue < 1) fail("--max-queue {}: expected at least 1", o.max_queue);
    if (o.keep_hours < 0) fail("--keep-hours {}: expected hours >= 0 (0: keep results)", o.keep_hours);
    if (!(o.max_body_mb > 0)) fail("--max-body-mb {}: expected a positive size", o.max_body_mb);
    const bool redis = !o.redis_url.empty();
    const RedisAddress redis_address = redis ? parse_redis_url(o.redis_url) : RedisAddress{};
    if (!is_loopback(o.host) && o.api_key.empty())
        warn("--host {}: the server is reachable from other machines and has no --api-key", o.host);

    StopSignals signals;
    JobStore store(o.data_dir);
    // With Redis the workers run the jobs: this process loads no model and keeps none.
    open_models(request_settings, !redis);
    const std::shared_ptr<ltx2_context> context = request_settings.context;
    const ModelCache none_kept(0);
    const ModelCache& kept_models = context->kept_models ? *context->kept_models : none_kept;
    const VideoRequests requests(std::move(request_settings));

    std::unique_ptr<JobBoard> board;
    JobQueue* own_queue = nullptr;
    if (redis) {
        board = std::make_unique<RedisJobBoard>(redis_address, store, RedisJobBoard::Options{o.max_queue, o.keep_hours});
    } else {
        JobQueue::Options queue_options;
        queue_options.max_queue = o.max_queue;
        queue_options.keep_hours = o.keep_hours;
        auto queue = std::make_unique<JobQueue>(
            store,
            [&](const Job& job, ProgressReporter& progress, const CancellationToken& cancel) {
                return capi::generate(*context, requests.generation_options(job, store), progress, &cancel).result;
            },
            queue_options);
        own_queue = queue.get();
        board = std::move(queue);
    }
    HttpSettings http;
    http.api_key = o.api_key;
    http.cors_origin = o.cors_origin;
    http.max_body_bytes = size_t(o.max_body_mb * 1024 * 1024);
    HttpApi api(http, *board, store, requests, kept_models);
    const int port = api.bind(o.host, o.port);
    if (own_queue) {
        own_queue->expire_old_jobs();
        own_queue->start();
    }
    signals.on_stop([&](int signal) {
        info("signal {}: stopping{}", signal, own_queue ? " (a running job stays queued)" : "");
        api.stop();
    });
    std::printf("listening on http://%s:%d\n", o.host.c_str(), port);
    std::fflush(stdout);
    api.run();
    if (own_queue) own_queue->stop();
}

}  // namespace ltx2::service
