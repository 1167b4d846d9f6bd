#pragma once
// The API tests' demo server and the polling helpers they share.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "serve_process.h"

namespace ltx2::test {

// The demo server of the tests (the build's ltx2 and demo model folder).
class ServeProcess : public DemoServerProcess {
public:
    ServeProcess(const std::vector<std::string>& args, const std::string& log, const std::string& demo_release = "")
        : DemoServerProcess(LTX2_BIN, LTX2_TEST_DEMO_DIR, args, log, demo_release) {
        if (port() <= 0) ADD_FAILURE() << "the server did not start; its log:\n" << log_text();
    }
};

inline nlohmann::json json_of(const httplib::Result& r) {
    if (!r) return nullptr;
    return nlohmann::json::parse(r->body, nullptr, false);
}

// POST /v1/videos with a JSON body; the new job's id (a failure is reported).
inline std::string create_job(httplib::Client& c, const nlohmann::json& body) {
    const auto r = c.Post("/v1/videos", body.dump(), "application/json");
    EXPECT_TRUE(r);
    if (!r) return "";
    EXPECT_EQ(r->status, 202) << r->body;
    return json_of(r).value("id", "");
}

// Polls the job until it is no longer queued or running (the test's own timeout is the limit).
inline nlohmann::json wait_finished(httplib::Client& c, const std::string& id) {
    for (;;) {
        const auto r = c.Get(("/v1/videos/" + id).c_str());
        if (!r || r->status != 200) return nullptr;
        const auto job = json_of(r);
        if (job["status"] != "queued" && job["status"] != "in_progress") return job;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
}

// Polls until the job runs.
inline void wait_running(httplib::Client& c, const std::string& id) {
    for (;;) {
        const auto job = json_of(c.Get(("/v1/videos/" + id).c_str()));
        if (!job.is_object() || job["status"] != "queued") return;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
}

}  // namespace ltx2::test
