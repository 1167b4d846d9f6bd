#pragma once
// `ltx2 serve`: the job store, queue and HTTP API put together, running until SIGINT / SIGTERM.
// With --redis the jobs go to Redis for `ltx2 worker`s (service/worker.h) instead of the
// server's own queue.
#include <memory>
#include <string>

#include "service/video_request.h"

namespace ltx2::service {

struct ServeOptions {
    std::string host = "127.0.0.1";
    int port = 8080;  // 0: any free port
    std::string data_dir;
    size_t max_queue = 16;
    double keep_hours = 0;
    std::string api_key;
    std::string cors_origin;
    double max_body_mb = 64;
    std::string redis_url;  // empty: the jobs run in this process
};

// The context of a server or worker for `settings.model_options` (capi::create_context: the demo
// written if asked for, the model files looked for) into `settings.context`. With `keep_models`
// the models stay loaded between jobs, within a memory budget fixed now (the memory the kept
// models take must not shrink the next job's); logged. Throws capi::StatusError.
void open_models(VideoRequests::Settings& settings, bool keep_models);

// Serves until SIGINT or SIGTERM; prints "listening on http://HOST:PORT" on stdout once ready.
// A job running at the signal stays queued for the next start. Throws ltx2::Error naming the
// option for bad settings.
void serve(const ServeOptions& options, VideoRequests::Settings requests);

}  // namespace ltx2::service
