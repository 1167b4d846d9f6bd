#pragma once
// The HTTP side of `ltx2 serve`: the OpenAI-compatible videos API, the events stream, models,
// health and metrics, and the embedded web page. Handlers only read and change jobs through the
// JobBoard (this process's own queue, or Redis); files are served from the job's own folder by
// fixed names.
#include <atomic>
#include <memory>
#include <string>

#include "app/generate.h"
#include "service/job_board.h"
#include "service/job_store.h"
#include "service/video_request.h"

namespace httplib {
class Server;
}

namespace ltx2::service {

struct HttpSettings {
    std::string api_key;      // empty: no authentication
    std::string cors_origin;  // empty: no CORS headers
    size_t max_body_bytes = 64u << 20;
};

class HttpApi {
public:
    HttpApi(HttpSettings settings, JobBoard& queue, const JobStore& store, const VideoRequests& requests,
            const ModelCache& kept_models);
    ~HttpApi();

    // Binds HOST:PORT (port 0: any free port); returns the port, throws naming --host/--port.
    int bind(const std::string& host, int port);
    void run();   // serves until stop()
    void stop();  // from any thread

private:
    void add_routes();

    HttpSettings settings_;
    JobBoard& queue_;
    const JobStore& store_;
    const VideoRequests& requests_;
    const ModelCache& kept_models_;
    std::unique_ptr<httplib::Server> server_;
    std::atomic<bool> stopping_{false};
};

}  // namespace ltx2::service
