#include "service/http_api.h"

#include <httplib.h>
#include <openssl/crypto.h>

#include <cmath>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/log.h"
#include "core/sha256.h"
#include "service/api_error.h"
#include "service/metrics.h"
#include "service/web_page.h"

namespace ltx2::service {

namespace fs = std::filesystem;

namespace {

constexpr size_t kDefaultListLimit = 20, kMaxListLimit = 100;
constexpr auto kEventWait = std::chrono::milliseconds(500);
constexpr int kKeepAliveEvery = 30;  // event waits between two keep-alive comments of an idle stream
constexpr int kUnavailableRetrySeconds = 5;  // the jobs' store (Redis) cannot be reached

void send_json(httplib::Response& res, int status, const nlohmann::json& body) {
    res.status = status;
    res.set_content(body.dump(), "application/json");
}

void send_error(httplib::Response& res, const ApiError& e) {
    send_json(res, e.status,
              {{"error", {{"code", e.code}, {"message", e.what()}, {"param", e.param.empty() ? nlohmann::json() : nlohmann::json(e.param)}}}});
}

// The hashes are compared, not the keys: the comparison takes the same time whatever the key's length.
bool same_secret(const std::string& given, const std::string& expected) {
    const std::string a = sha256_hex(given), b = sha256_hex(expected);
    return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

// The job named in the path, or a 404.
JobView job_of(const JobBoard& queue, const httplib::Request& req) {
    const std::string id = req.matches[1];
    std::optional<JobView> view = is_valid_job_id(id) ? queue.get(id) : std::nullopt;
    if (!view) throw ApiError(404, "not_found", fmt::format("no video job '{}'", id.substr(0, 64)), "id");
    return *view;
}

size_t list_limit(const httplib::Request& req) {
    if (!req.has_param("limit")) return kDefaultListLimit;
    const double n = parse_number(req.get_param_value("limit"), "limit");
    if (n != std::floor(n) || n < 1 || n > double(kMaxListLimit))
        throw ApiError(400, "invalid_value", fmt::format("limit: expected a whole number in 1..{}, got {}", kMaxListLimit, n),
                       "limit");
    return size_t(n);
}

// A file of the job's folder, streamed (HTTP Range requests are answered by the server library).
void send_file(httplib::Response& res, const fs::path& path, const std::string& content_type) {
    std::error_code ec;
    const uintmax_t size = fs::file_size(path, ec);
    if (ec) throw ApiError(404, "not_found", "the job has no such content");
    auto file = std::make_shared<std::ifstream>(path, std::ios::binary);
    res.set_header("Accept-Ranges", "bytes");
    res.set_content_provider(size_t(size), content_type, [file](size_t offset, size_t length, httplib::DataSink& sink) {
        std::vector<char> buffer(std::min<size_t>(length, 1 << 16));
        file->seekg(std::streamoff(offset));
        file->read(buffer.data(), std::streamsize(buffer.size()));
        const auto got = file->gcount();
        return got > 0 && sink.write(buffer.data(), size_t(got));
    });
}

std::string sse_chunk(const JobEvent& e) { return "event: " + e.name + "\ndata: " + e.data + "\n\n"; }

}  // namespace

HttpApi::HttpApi(HttpSettings settings, JobBoard& queue, const JobStore& store, const VideoRequests& requests,
                 const ModelCache& kept_models)
    : settings_(std::move(settings)), queue_(queue), store_(store), requests_(requests), kept_models_(kept_models),
      server_(std::make_unique<httplib::Server>()) {
    server_->set_payload_max_length(settings_.max_body_bytes);
    server_->set_tcp_nodelay(true);  // small JSON answers go out at once, not after the peer's delayed ACK
    // Event streams hold a thread each; more than the library's default of 8.
    server_->new_task_queue = [] { return new httplib::ThreadPool(32); };
    add_routes();
}

HttpApi::~HttpApi() = default;

int HttpApi::bind(const std::string& host, int port) {
    const int bound = port == 0 ? server_->bind_to_any_port(host) : (server_->bind_to_port(host, port) ? port : -1);
    if (bound <= 0) fail("--host {} --port {}: cannot listen there (address in use, or not an address of this machine)", host, port);
    return bound;
}

void HttpApi::run() { server_->listen_after_bind(); }

void HttpApi::stop() {
    stopping_ = true;
    server_->stop();
}

void HttpApi::add_routes() {
    httplib::Server& s = *server_;
    // Wraps a handler: ApiError and ltx2::Error become the API's error bodies.
    auto api = [this](auto handler) {
        return [this, handler](const httplib::Request& req, httplib::Response& res) {
            try {
                handler(req, res);
            } catch (const ApiError& e) {
                send_error(res, e);
                if (e.status == 429) res.set_header("Retry-After", std::to_string(queue_.retry_after_seconds()));
                if (e.status == 503) res.set_header("Retry-After", std::to_string(kUnavailableRetrySeconds));
            } catch (const std::exception& e) {
                send_error(res, ApiError(500, "server_error", e.what()));
            }
        };
    };

    s.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
        if (!settings_.cors_origin.empty()) {
            res.set_header("Access-Control-Allow-Origin", settings_.cors_origin);
            res.set_header("Vary", "Origin");
            if (req.method == "OPTIONS") {
                res.set_header("Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS");
                res.set_header("Access-Control-Allow-Headers", "Authorization, Content-Type, Range");
                res.status = 204;
                return httplib::Server::HandlerResponse::Handled;
            }
        }
        const bool protected_path = req.path.rfind("/v1/", 0) == 0 || req.path == "/metrics";
        if (settings_.api_key.empty() || !protected_path) return httplib::Server::HandlerResponse::Unhandled;
        const std::string auth = req.get_header_value("Authorization");
        const std::string bearer = "Bearer ";
        if (auth.rfind(bearer, 0) == 0 && same_secret(auth.substr(bearer.size()), settings_.api_key))
            return httplib::Server::HandlerResponse::Unhandled;
        res.set_header("WWW-Authenticate", "Bearer");
        send_error(res, ApiError(401, "invalid_api_key",
                                 "missing or wrong API key: send the header 'Authorization: Bearer <key>'"));
        return httplib::Server::HandlerResponse::Handled;
    });
    // Errors the library answers itself (no route, body too large, bad range) get the API's body.
    s.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty()) return;
        const int status = res.status;
        if (status == 413)
            send_error(res, ApiError(413, "payload_too_large", "the request body is larger than the server takes (--max-body-mb)"));
        else if (status == 404)
            send_error(res, ApiError(404, "not_found", fmt::format("no such endpoint: {} {}", req.method, req.path)));
        else
            send_error(res, ApiError(status, "http_error", fmt::format("HTTP {}", status)));
    });

    s.Get("/", [](const httplib::Request&, httplib::Response& res) {
        res.set_header("Content-Security-Policy",
                       "default-src 'self'; img-src 'self' blob: data:; media-src 'self' blob:; object-src 'none'; "
                       "frame-ancestors 'none'");
        res.set_content(kWebPageHtml.data(), kWebPageHtml.size(), "text/html; charset=utf-8");
    });
    s.Get("/app.js", [](const httplib::Request&, httplib::Response& res) {
        res.set_content(kWebPageScript.data(), kWebPageScript.size(), "text/javascript; charset=utf-8");
    });
    s.Get("/style.css", [](const httplib::Request&, httplib::Response& res) {
        res.set_content(kWebPageStyle.data(), kWebPageStyle.size(), "text/css; charset=utf-8");
    });
    s.Get("/health", [this](const httplib::Request&, httplib::Response& res) {
        const std::string problem = queue_.unavailable_reason();
        if (problem.empty()) return send_json(res, 200, {{"status", "ok"}});
        res.set_header("Retry-After", std::to_string(kUnavailableRetrySeconds));
        send_json(res, 503, {{"status", "unavailable"}, {"reason", problem}});
    });
    s.Get("/metrics", api([this](const httplib::Request&, httplib::Response& res) {
        res.set_content(prometheus_text(queue_.metrics(), kept_models_.stats()), "text/plain; version=0.0.4");
    }));
    s.Get("/v1/models", [this](const httplib::Request&, httplib::Response& res) {
        send_json(res, 200,
                  {{"object", "list"},
                   {"data", {{{"id", requests_.model_id()}, {"object", "model"}, {"created", 0}, {"owned_by", "ltx2.cpp"}}}}});
    });

    s.Post("/v1/videos", api([this](const httplib::Request& req, httplib::Response& res) {
        if (queue_.full())
            throw ApiError(429, "queue_full", "the queue is full; try again later");
        VideoForm form;
        if (req.is_multipart_form_data()) {
            std::vector<std::pair<std::string, Upload>> parts;
            for (const auto& [name, part] : req.files) parts.push_back({name, {part.filename, part.content_type, part.content}});
            form = form_from_parts(parts);
        } else {
            form = form_from_json(req.body);
        }
        Job job = requests_.new_job(form, store_);
        const std::string id = job.id;
        bool queued_now = false;
        try {
            queued_now = queue_.submit(std::move(job));
        } catch (...) {
            store_.remove(id);  // its uploads
            throw;
        }
        if (!queued_now) {
            store_.remove(id);
            throw ApiError(429, "queue_full", "the queue is full; try again later");
        }
        const std::optional<JobView> queued = queue_.get(id);
        if (!queued) throw ApiError(404, "not_found", "the job was deleted right after it was created", "id");
        send_json(res, 202, job_object(queued->job, queued->queue_position));
    }));
    s.Get("/v1/videos", api([this](const httplib::Request& req, httplib::Response& res) {
        const size_t limit = list_limit(req);
        const std::vector<JobView> jobs = queue_.list(limit + 1, req.has_param("after") ? req.get_param_value("after") : "");
        nlohmann::json data = nlohmann::json::array();
        for (size_t i = 0; i < std::min(limit, jobs.size()); ++i) data.push_back(job_object(jobs[i].job, jobs[i].queue_position));
        send_json(res, 200,
                  {{"object", "list"},
                   {"data", data},
                   {"has_more", jobs.size() > limit},
                   {"first_id", data.empty() ? nlohmann::json() : data.front()["id"]},
                   {"last_id", data.empty() ? nlohmann::json() : data.back()["id"]}});
    }));
    s.Get(R"(/v1/videos/([^/]+))", api([this](const httplib::Request& req, httplib::Response& res) {
        const JobView view = job_of(queue_, req);
        send_json(res, 200, job_object(view.job, view.queue_position));
    }));
    s.Delete(R"(/v1/videos/([^/]+))", api([this](const httplib::Request& req, httplib::Response& res) {
        const JobView view = job_of(queue_, req);
        const JobBoard::Removal removal = queue_.cancel_or_delete(view.job.id);
        if (removal == JobBoard::Removal::NotFound) throw ApiError(404, "not_found", "the job is gone", "id");
        if (removal == JobBoard::Removal::Deleted) {
            nlohmann::json body = job_object(view.job, std::nullopt);
            body["deleted"] = true;
            send_json(res, 200, body);
            return;
        }
        const std::optional<JobView> now = queue_.get(view.job.id);
        if (!now) throw ApiError(404, "not_found", "the job was deleted meanwhile", "id");
        nlohmann::json body = job_object(now->job, now->queue_position);
        body["deleted"] = false;
        send_json(res, removal == JobBoard::Removal::CancelRequested ? 202 : 200, body);
    }));
    s.Get(R"(/v1/videos/([^/]+)/content)", api([this](const httplib::Request& req, httplib::Response& res) {
        const JobView view = job_of(queue_, req);
        const std::string variant = req.has_param("variant") ? req.get_param_value("variant") : "video";
        static const std::map<std::string, std::pair<const char*, const char*>> variants = {
            {"video", {kVideoFile, "video/mp4"}}, {"thumbnail", {kThumbnailFile, "image/png"}}, {"audio", {kAudioFile, "audio/wav"}}};
        const auto it = variants.find(variant);
        if (it == variants.end())
            throw ApiError(400, "invalid_value", "variant: expected video, thumbnail or audio", "variant");
        if (view.job.status != JobStatus::Completed)
            throw ApiError(409, "video_not_ready",
                           fmt::format("the job is {}; content exists once it is completed", job_status_name(view.job.status)));
        send_file(res, store_.folder(view.job.id) / it->second.first, it->second.second);
    }));
    s.Get(R"(/v1/videos/([^/]+)/events)", api([this](const httplib::Request& req, httplib::Response& res) {
        const std::string id = job_of(queue_, req).job.id;
        struct Stream {
            size_t next = 0;
            int idle = 0;
        };
        auto stream = std::make_shared<Stream>();
        res.set_header("Cache-Control", "no-cache");
        res.set_chunked_content_provider("text/event-stream", [this, id, stream](size_t, httplib::DataSink& sink) {
            std::vector<JobEvent> events;
            bool finished = false;
            bool exists = false;
            try {
                exists = !stopping_ && queue_.events(id, stream->next, kEventWait, events, finished);
            } catch (const std::exception& e) {  // the jobs cannot be reached: the client reconnects later
                warn("events of {}: {}", id, e.what());
            }
            if (!exists) {
                sink.done();
                return true;
            }
            stream->next += events.size();
            std::string chunk;
            for (const JobEvent& e : events) chunk += sse_chunk(e);
            if (chunk.empty() && ++stream->idle >= kKeepAliveEvery) chunk = ": keep-alive\n\n";
            if (!chunk.empty()) {
                stream->idle = 0;
                if (!sink.write(chunk.data(), chunk.size())) return false;
            }
            if (finished && events.empty()) sink.done();
            return true;
        });
    }));
}

}  // namespace ltx2::service
