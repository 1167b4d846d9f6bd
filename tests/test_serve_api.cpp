// `ltx2 serve`: the HTTP API against a real server with the demo model on a loopback port.
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <filesystem>
#include <regex>

#include "serve_test_util.h"
#include "test_util.h"

namespace fs = std::filesystem;
using ltx2::test::create_job;
using ltx2::test::expect_contains;
using ltx2::test::json_of;
using ltx2::test::run_command;
using ltx2::test::ServeProcess;
using ltx2::test::TempDir;
using ltx2::test::wait_finished;
using ltx2::test::wait_running;
using nlohmann::json;

namespace {

// A small demo job: 9 frames at the demo's default size.
json small_job(const std::string& prompt, int seed = 3) { return {{"prompt", prompt}, {"num_frames", 9}, {"seed", seed}}; }

std::string read_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

// The error object of a response with `status`, which must name `param` (empty: none).
void expect_error(const httplib::Result& r, int status, const std::string& param) {
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, status) << r->body;
    const json body = json_of(r);
    ASSERT_TRUE(body.contains("error")) << r->body;
    EXPECT_TRUE(body["error"]["code"].is_string()) << r->body;
    EXPECT_FALSE(body["error"]["message"].get<std::string>().empty()) << r->body;
    if (param.empty()) EXPECT_TRUE(body["error"]["param"].is_null()) << r->body;
    else EXPECT_EQ(body["error"]["param"], param) << r->body;
}

std::string metrics_text(httplib::Client& c) {
    const auto r = c.Get("/metrics");
    EXPECT_TRUE(r && r->status == 200);
    return r ? r->body : "";
}

// The value of an unlabelled metric in the Prometheus text (NaN when absent, which fails any check).
double metric(const std::string& text, const std::string& name) {
    std::smatch m;
    if (!std::regex_search(text, m, std::regex("(^|\\n)" + name + " ([^\\n]+)"))) return std::nan("");
    return std::stod(m[2].str());
}

}  // namespace

TEST(ServeApi, CreatePollAndFetchContentWithRanges) {
    TempDir dir("ltx2-serve");
    ServeProcess server({"--data-dir", dir.file("data")}, dir.file("server.log"));
    auto c = server.client();
    const auto created = c.Post("/v1/videos", small_job("a red kite over the sea").dump(), "application/json");
    ASSERT_TRUE(created);
    ASSERT_EQ(created->status, 202) << created->body;
    const json job = json_of(created);
    EXPECT_EQ(job["object"], "video");
    EXPECT_EQ(job["model"], "ltx-2-demo");
    EXPECT_EQ(job["prompt"], "a red kite over the sea");
    EXPECT_EQ(job["size"], "192x128");
    EXPECT_EQ(job["seed"], 3);
    EXPECT_TRUE(job["status"] == "queued" || job["status"] == "in_progress") << job;
    EXPECT_TRUE(std::regex_match(job["id"].get<std::string>(), std::regex("video_[0-9a-f]{32}")));

    const json done = wait_finished(c, job["id"]);
    ASSERT_EQ(done["status"], "completed") << done << server.log_text();
    EXPECT_EQ(done["progress"], 100);
    EXPECT_TRUE(done["completed_at"].is_number());
    EXPECT_GT(done["timings"]["total_seconds"].get<double>(), 0.0);
    EXPECT_TRUE(done["timings"]["stage_seconds"].contains("decode video")) << done;
    EXPECT_GT(done["peak_memory_bytes"].get<uint64_t>(), 0u);

    const std::string path = "/v1/videos/" + job["id"].get<std::string>() + "/content";
    const auto video = c.Get(path.c_str());
    ASSERT_TRUE(video);
    ASSERT_EQ(video->status, 200);
    EXPECT_EQ(video->get_header_value("Content-Type"), "video/mp4");
    ASSERT_GT(video->body.size(), 1000u);
    EXPECT_EQ(video->body.substr(4, 4), "ftyp");

    const auto head = c.Get(path.c_str(), {{"Range", "bytes=0-99"}});
    ASSERT_TRUE(head);
    EXPECT_EQ(head->status, 206);
    EXPECT_EQ(head->body, video->body.substr(0, 100));
    EXPECT_EQ(head->get_header_value("Content-Range"), fmt::format("bytes 0-99/{}", video->body.size()));
    const auto tail = c.Get(path.c_str(), {{"Range", fmt::format("bytes={}-", video->body.size() - 10)}});
    ASSERT_TRUE(tail);
    EXPECT_EQ(tail->status, 206);
    EXPECT_EQ(tail->body, video->body.substr(video->body.size() - 10));

    const auto thumbnail = c.Get((path + "?variant=thumbnail").c_str());
    ASSERT_TRUE(thumbnail);
    EXPECT_EQ(thumbnail->status, 200);
    EXPECT_EQ(thumbnail->get_header_value("Content-Type"), "image/png");
    EXPECT_EQ(thumbnail->body.substr(1, 3), "PNG");
    const auto audio = c.Get((path + "?variant=audio").c_str());
    ASSERT_TRUE(audio);
    EXPECT_EQ(audio->status, 200);
    EXPECT_EQ(audio->get_header_value("Content-Type"), "audio/wav");
    EXPECT_EQ(audio->body.substr(0, 4), "RIFF");
    expect_error(c.Get((path + "?variant=../../etc/passwd").c_str()), 400, "variant");

    const json list = json_of(c.Get("/v1/videos"));
    ASSERT_EQ(list["data"].size(), 1u) << list;
    EXPECT_EQ(list["data"][0]["id"], job["id"]);
    EXPECT_EQ(list["has_more"], false);
}

TEST(ServeApi, EventsStreamProgressStagesAndDone) {
    TempDir dir("ltx2-serve");
    ServeProcess server({"--data-dir", dir.file("data")}, dir.file("server.log"));
    auto c = server.client();
    const std::string id = create_job(c, small_job("a lighthouse at dusk"));
    ASSERT_FALSE(id.empty());
    std::string stream;
    const auto r = c.Get(("/v1/videos/" + id + "/events").c_str(), [&](const char* data, size_t n) {
        stream.append(data, n);
        return true;
    });
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(r->get_header_value("Content-Type"), "text/event-stream");
    ltx2::test::expect_contains(stream, {"event: progress\ndata: ", "event: stage\ndata: ", "\"stage\":\"decode video\"",
                                         "event: done\ndata: "});
    const size_t done = stream.rfind("event: done\ndata: ");
    ASSERT_NE(done, std::string::npos);
    const json job = json::parse(stream.substr(done + 18, stream.find('\n', done + 18) - done - 18));
    EXPECT_EQ(job["status"], "completed");
    EXPECT_EQ(job["progress"], 100);
    // The progress events rise to the end.
    int last = -1;
    for (size_t at = stream.find("event: progress"); at != std::string::npos; at = stream.find("event: progress", at + 1)) {
        const json p = json::parse(stream.substr(at + 22, stream.find('\n', at + 22) - at - 22));
        EXPECT_GE(p["progress"].get<int>(), last);
        last = p["progress"];
    }
    EXPECT_GT(last, 50);
    // A finished job's stream replays its events and ends.
    const auto again = c.Get(("/v1/videos/" + id + "/events").c_str());
    ASSERT_TRUE(again);
    EXPECT_NE(again->body.find("event: done"), std::string::npos);
}

// The second job runs on the models the first one loaded (nothing is loaded again) and both give
// the command line's MP4 byte for byte.
TEST(ServeApi, DemoJobGivesTheSameMp4AsTheCommandLine) {
    TempDir dir("ltx2-serve");
    ServeProcess server({"--data-dir", dir.file("data")}, dir.file("server.log"));
    auto c = server.client();
    const json body = {{"prompt", "a paper boat on a puddle"}, {"size", "192x128"}, {"num_frames", 17}, {"seed", 42}};
    std::vector<std::string> served;
    std::vector<double> loads, reuses;
    for (int job = 0; job < 2; ++job) {
        const std::string id = create_job(c, body);
        ASSERT_EQ(wait_finished(c, id)["status"], "completed") << server.log_text();
        const auto content = c.Get(("/v1/videos/" + id + "/content").c_str());
        ASSERT_TRUE(content);
        ASSERT_EQ(content->status, 200);
        served.push_back(content->body);
        const std::string metrics = metrics_text(c);
        loads.push_back(metric(metrics, "ltx2_model_loads_total"));
        reuses.push_back(metric(metrics, "ltx2_model_reuses_total"));
    }
    // Gemma, the text projection, the transformer (plain and with the distilled LoRA), the
    // upsampler, both VAE decoders and the vocoder: loaded once, then all kept.
    EXPECT_GE(loads[0], 7) << server.log_text();
    EXPECT_EQ(loads[1], loads[0]);
    EXPECT_EQ(reuses[0], 0);
    EXPECT_GE(reuses[1], loads[0]);
    EXPECT_GE(metric(metrics_text(c), "ltx2_models_kept"), 7);
    expect_contains(server.log_text(), {"models are kept loaded between jobs"});

    const std::string out = dir.file("cli.mp4");
    const auto cli = run_command(fmt::format("LTX2_DEMO_DIR={} {} --demo -p 'a paper boat on a puddle' -W 192 -H 128 "
                                             "--frames 17 --seed 42 --progress none -o {}",
                                             LTX2_TEST_DEMO_DIR, LTX2_BIN, out));
    ASSERT_EQ(cli.exit_code, 0) << cli.output;
    const std::string expected = read_bytes(out);
    ASSERT_GT(expected.size(), 1000u);
    for (const std::string& video : served)
        EXPECT_TRUE(video == expected) << "served " << video.size() << " bytes, the CLI wrote " << expected.size();
}

// A budget with no room beside a denoising step's activations keeps no model: every job loads
// what it needs and frees it, as the command line does.
TEST(ServeApi, ModelsAreNotKeptBeyondTheMemoryBudget) {
    TempDir dir("ltx2-serve");
    ServeProcess server({"--data-dir", dir.file("data"), "--memory-budget", "2"}, dir.file("server.log"));
    auto c = server.client();
    for (int job = 0; job < 2; ++job) {
        const std::string id = create_job(c, small_job("a lantern", job));
        ASSERT_EQ(wait_finished(c, id)["status"], "completed") << server.log_text();
    }
    const std::string metrics = metrics_text(c);
    EXPECT_EQ(metric(metrics, "ltx2_model_reuses_total"), 0) << metrics;
    EXPECT_EQ(metric(metrics, "ltx2_models_kept"), 0) << metrics;
    EXPECT_EQ(metric(metrics, "ltx2_models_kept_bytes_capacity"), 0) << metrics;
    EXPECT_GE(metric(metrics, "ltx2_model_loads_total"), 2 * 7) << metrics;
    expect_contains(server.log_text(), {"within 0.0 GiB of the 2.0 GiB memory budget"});
}

TEST(ServeApi, CancelsQueuedJobsAtOnceAndRunningOnesAtTheNextStep) {
    TempDir dir("ltx2-serve");
    ServeProcess server({"--data-dir", dir.file("data")}, dir.file("server.log"));
    auto c = server.client();
    // A longer job runs while a second waits.
    const std::string running = create_job(c, {{"prompt", "a long one"}, {"num_frames", 49}});
    const std::string queued = create_job(c, small_job("never runs"));
    ASSERT_FALSE(running.empty());
    ASSERT_FALSE(queued.empty());
    EXPECT_EQ(json_of(c.Get(("/v1/videos/" + queued).c_str()))["queue_position"], 1);

    const auto cancel_queued = c.Delete(("/v1/videos/" + queued).c_str());
    ASSERT_TRUE(cancel_queued);
    EXPECT_EQ(cancel_queued->status, 200) << cancel_queued->body;
    EXPECT_EQ(json_of(cancel_queued)["status"], "cancelled");

    wait_running(c, running);
    const auto cancel_running = c.Delete(("/v1/videos/" + running).c_str());
    ASSERT_TRUE(cancel_running);
    EXPECT_EQ(cancel_running->status, 202) << cancel_running->body;
    const json stopped = wait_finished(c, running);
    EXPECT_EQ(stopped["status"], "cancelled") << stopped;
    EXPECT_EQ(stopped["error"]["code"], "cancelled");
    const auto no_content = c.Get(("/v1/videos/" + running + "/content").c_str());
    expect_error(no_content, 409, "");
    EXPECT_FALSE(fs::exists(dir.path / "data/jobs" / running / "video.mp4"));

    // Deleting a finished job removes it and its files.
    const auto deleted = c.Delete(("/v1/videos/" + running).c_str());
    ASSERT_TRUE(deleted);
    EXPECT_EQ(deleted->status, 200);
    EXPECT_EQ(json_of(deleted)["deleted"], true);
    EXPECT_FALSE(fs::exists(dir.path / "data/jobs" / running));
    expect_error(c.Get(("/v1/videos/" + running).c_str()), 404, "id");
}

TEST(ServeApi, RestartKeepsFinishedJobsAndRunsTheQueuedOnes) {
    TempDir dir("ltx2-serve");
    const std::vector<std::string> args = {"--data-dir", dir.file("data")};
    std::string finished;
    std::vector<std::string> pending;
    {
        ServeProcess server(args, dir.file("server.log"));
        auto c = server.client();
        finished = create_job(c, small_job("kept", 1));
        ASSERT_EQ(wait_finished(c, finished)["status"], "completed");
        pending.push_back(create_job(c, {{"prompt", "long"}, {"num_frames", 49}}));
        pending.push_back(create_job(c, small_job("second", 2)));
        wait_running(c, pending[0]);
        server.stop(SIGKILL);  // nothing is saved on the way out
    }
    ServeProcess server(args, dir.file("server.log"));
    auto c = server.client();
    const json kept = json_of(c.Get(("/v1/videos/" + finished).c_str()));
    EXPECT_EQ(kept["status"], "completed");
    const auto video = c.Get(("/v1/videos/" + finished + "/content").c_str());
    ASSERT_TRUE(video);
    EXPECT_EQ(video->status, 200);
    // The second pending job runs after the first, which is queued again (and cancelled here to save time).
    EXPECT_EQ(json_of(c.Get(("/v1/videos/" + pending[1]).c_str()))["status"], "queued");
    c.Delete(("/v1/videos/" + pending[0]).c_str());
    EXPECT_EQ(wait_finished(c, pending[1])["status"], "completed") << server.log_text();
    EXPECT_EQ(wait_finished(c, pending[0])["status"], "cancelled");

    const json list = json_of(c.Get("/v1/videos?limit=2"));
    ASSERT_EQ(list["data"].size(), 2u);
    EXPECT_EQ(list["has_more"], true);
    const json rest = json_of(c.Get(("/v1/videos?limit=2&after=" + list["last_id"].get<std::string>()).c_str()));
    ASSERT_EQ(rest["data"].size(), 1u);
    EXPECT_EQ(rest["data"][0]["id"], finished);  // oldest last
}

TEST(ServeApi, EnhancedPromptIsReported) {
    TempDir dir("ltx2-serve");
    ServeProcess server({"--data-dir", dir.file("data")}, dir.file("server.log"));
    auto c = server.client();
    json body = small_job("a cat");
    body["enhance_prompt"] = true;
    body["enhance_max_tokens"] = 8;
    const json done = wait_finished(c, create_job(c, body));
    ASSERT_EQ(done["status"], "completed") << done << server.log_text();
    EXPECT_TRUE(done["enhanced_prompt"].is_string()) << done;
    EXPECT_TRUE(done["timings"]["stage_seconds"].contains("enhance prompt")) << done;
    body["enhance_prompt"] = "maybe";
    expect_error(c.Post("/v1/videos", body.dump(), "application/json"), 400, "enhance_prompt");
}

TEST(ServeApi, KeepHoursExpiresOldResults) {
    TempDir dir("ltx2-serve");
    ServeProcess server({"--data-dir", dir.file("data"), "--keep-hours", "0.0005"}, dir.file("server.log"));  // 1.8 s
    auto c = server.client();
    const std::string old = create_job(c, small_job("old", 1));
    ASSERT_EQ(wait_finished(c, old)["status"], "completed");
    std::this_thread::sleep_for(std::chrono::seconds(3));
    // Expiry runs before the worker starts a job (and when idle): the old job is gone, the new one kept.
    const std::string fresh = create_job(c, small_job("fresh", 2));
    ASSERT_EQ(wait_finished(c, fresh)["status"], "completed");
    expect_error(c.Get(("/v1/videos/" + old).c_str()), 404, "id");
    EXPECT_FALSE(fs::exists(dir.path / "data/jobs" / old));
    EXPECT_TRUE(fs::exists(dir.path / "data/jobs" / fresh / "video.mp4"));
}

TEST(ServeApi, BadRequestsNameTheField) {
    TempDir dir("ltx2-serve");
    ServeProcess server({"--data-dir", dir.file("data"), "--max-prompt-chars", "100"}, dir.file("server.log"));
    auto c = server.client();
    auto post = [&](const std::string& body) { return c.Post("/v1/videos", body, "application/json"); };
    expect_error(post("{not json"), 400, "");
    expect_error(post(R"({"num_frames": 9})"), 400, "prompt");
    expect_error(post(json{{"prompt", std::string(101, 'a')}}.dump()), 400, "prompt");
    expect_error(post(R"({"prompt": "a", "width": 100})"), 400, "width");
    expect_error(post(R"({"prompt": "a", "num_frames": 10})"), 400, "num_frames");
    expect_error(post(R"({"prompt": "a", "width": "wide"})"), 400, "width");
    expect_error(post(R"({"prompt": "a", "size": "big"})"), 400, "size");
    expect_error(post(R"({"prompt": "a", "seconds": 2, "num_frames": 9})"), 400, "seconds");
    expect_error(post(R"({"prompt": "a", "pipeline": "three-stage"})"), 400, "pipeline");
    expect_error(post(R"({"prompt": "a", "model": "sora-2"})"), 400, "model");
    expect_error(post(R"({"prompt": "a", "output": "/etc/passwd"})"), 400, "output");
    expect_error(post(R"({"prompt": "a", "input_reference": "/etc/passwd"})"), 400, "input_reference");
    expect_error(post(R"({"prompt": "a", "input_reference": "data:image/png;base64,AAAA"})"), 400, "input_reference");
    expect_error(post(R"({"prompt": "a", "image_strength": 0.5})"), 400, "image_strength");
    expect_error(post(R"({"prompt": "a", "pipeline": "a2v"})"), 400, "pipeline");  // an LTX-2.3 pipeline
    // Nothing was queued or left on disk by the refused requests.
    EXPECT_EQ(json_of(c.Get("/v1/videos"))["data"].size(), 0u);
    EXPECT_TRUE(fs::is_empty(dir.path / "data/jobs"));
}

TEST(ServeApi, AcceptsOpenAiFieldsMultipartAndAnImage) {
    TempDir dir("ltx2-serve");
    ServeProcess server({"--data-dir", dir.file("data")}, dir.file("server.log"));
    auto c = server.client();
    // A tiny PNG made by the demo itself: the thumbnail of a first job.
    const std::string first = create_job(c, small_job("source"));
    ASSERT_EQ(wait_finished(c, first)["status"], "completed");
    const std::string png = c.Get(("/v1/videos/" + first + "/content?variant=thumbnail").c_str())->body;

    const httplib::MultipartFormDataItems form = {
        {"model", "ltx-2-demo", "", ""}, {"prompt", "from an image", "", ""}, {"size", "192x128", "", ""},
        {"seconds", "0.35", "", ""},     {"seed", "9", "", ""},               {"input_reference", png, "first.png", "image/png"}};
    const auto r = c.Post("/v1/videos", form);
    ASSERT_TRUE(r);
    ASSERT_EQ(r->status, 202) << r->body;
    const json job = json_of(r);
    EXPECT_EQ(job["size"], "192x128");
    EXPECT_EQ(job["seconds"], "0.375");  // 9 frames at 24 fps
    EXPECT_EQ(wait_finished(c, job["id"])["status"], "completed") << server.log_text();
    EXPECT_TRUE(fs::exists(dir.path / "data/jobs" / job["id"].get<std::string>() / "input_reference.png"));
}

TEST(ServeApi, AudioToVideoAndRetakeTakeUploadedMedia) {
    TempDir dir("ltx2-serve");
    ServeProcess server({"--data-dir", dir.file("data")}, dir.file("server.log"), "2.3");
    auto c = server.client();
    const std::string source = create_job(c, {{"prompt", "a drummer"}, {"num_frames", 17}, {"seed", 4}});
    ASSERT_EQ(wait_finished(c, source)["status"], "completed") << server.log_text();
    const std::string mp4 = c.Get(("/v1/videos/" + source + "/content").c_str())->body;
    const std::string wav = c.Get(("/v1/videos/" + source + "/content?variant=audio").c_str())->body;

    const httplib::MultipartFormDataItems a2v = {{"pipeline", "a2v", "", ""},
                                                 {"prompt", "a singer", "", ""},
                                                 {"num_frames", "9", "", ""},
                                                 {"input_audio", wav, "song.wav", "audio/wav"}};
    const auto a2v_job = c.Post("/v1/videos", a2v);
    ASSERT_TRUE(a2v_job);
    ASSERT_EQ(a2v_job->status, 202) << a2v_job->body;
    const httplib::MultipartFormDataItems retake = {{"pipeline", "retake", "", ""},
                                                    {"prompt", "a dog barks", "", ""},
                                                    {"start_time", "0.2", "", ""},
                                                    {"end_time", "0.5", "", ""},
                                                    {"input_video", mp4, "clip.mp4", "video/mp4"}};
    const auto retake_job = c.Post("/v1/videos", retake);
    ASSERT_TRUE(retake_job);
    ASSERT_EQ(retake_job->status, 202) << retake_job->body;
    EXPECT_EQ(wait_finished(c, json_of(a2v_job)["id"])["status"], "completed") << server.log_text();
    EXPECT_EQ(wait_finished(c, json_of(retake_job)["id"])["status"], "completed") << server.log_text();
    // The retake's span is checked against the uploaded clip before the job is queued.
    const httplib::MultipartFormDataItems too_late = {{"pipeline", "retake", "", ""},
                                                      {"prompt", "x", "", ""},
                                                      {"start_time", "0.2", "", ""},
                                                      {"end_time", "30", "", ""},
                                                      {"input_video", mp4, "clip.mp4", "video/mp4"}};
    expect_error(c.Post("/v1/videos", too_late), 400, "end_time");
}

TEST(ServeApi, ApiKeyIsRequiredWhenSet) {
    TempDir dir("ltx2-serve");
    ServeProcess server({"--data-dir", dir.file("data"), "--api-key", "s3cret"}, dir.file("server.log"));
    auto anonymous = server.client();
    expect_error(anonymous.Get("/v1/videos"), 401, "");
    expect_error(anonymous.Get("/metrics"), 401, "");
    expect_error(anonymous.Post("/v1/videos", small_job("x").dump(), "application/json"), 401, "");
    auto wrong = server.client("s3cret-not");
    expect_error(wrong.Get("/v1/models"), 401, "");
    auto right = server.client("s3cret");
    const auto models = right.Get("/v1/models");
    ASSERT_TRUE(models);
    EXPECT_EQ(models->status, 200);
    EXPECT_EQ(json_of(models)["data"][0]["id"], "ltx-2-demo");
    const auto health = anonymous.Get("/health");  // open, as is the page
    ASSERT_TRUE(health);
    EXPECT_EQ(health->status, 200);
    const auto page = anonymous.Get("/");
    ASSERT_TRUE(page);
    EXPECT_NE(page->body.find("<video"), std::string::npos);
    EXPECT_FALSE(page->has_header("Access-Control-Allow-Origin"));
}

TEST(ServeApi, UnknownIdsAndPathTraversalAre404) {
    TempDir dir("ltx2-serve");
    ServeProcess server({"--data-dir", dir.file("data")}, dir.file("server.log"));
    auto c = server.client();
    for (const std::string id : {"video_00000000000000000000000000000000", "nope", "..", "%2E%2E",
                                 "video_0123456789ABCDEF0123456789ABCDEF", "jobs"}) {
        expect_error(c.Get(("/v1/videos/" + id).c_str()), 404, "id");
        expect_error(c.Get(("/v1/videos/" + id + "/content").c_str()), 404, "id");
        expect_error(c.Delete(("/v1/videos/" + id).c_str()), 404, "id");
    }
    // Encoded slashes are decoded before routing: no route matches.
    for (const std::string id : {"video_..%2F..%2Fjobs", "%2E%2E%2F%2E%2E%2Fetc%2Fpasswd"})
        expect_error(c.Get(("/v1/videos/" + id + "/content").c_str()), 404, "");
    for (const std::string path : {"/v1/videos/../../etc/passwd", "/v1/videos/x/../../../etc/passwd/content",
                                   "/v1/videos/%2e%2e/%2e%2e/content", "/v1/nothing"}) {
        const auto r = c.Get(path.c_str());
        ASSERT_TRUE(r);
        EXPECT_TRUE(r->status == 404 || r->status == 400) << path << ": " << r->status;
        EXPECT_EQ(r->body.find("root:"), std::string::npos);
    }
}

TEST(ServeApi, OversizedBodiesAre413AndAFullQueueIs429) {
    TempDir dir("ltx2-serve");
    ServeProcess server({"--data-dir", dir.file("data"), "--max-body-mb", "0.01", "--max-queue", "1"},
                        dir.file("server.log"));
    auto c = server.client();
    expect_error(c.Post("/v1/videos", json{{"prompt", std::string(20000, 'a')}}.dump(), "application/json"), 413, "");

    const std::string running = create_job(c, {{"prompt", "long"}, {"num_frames", 49}});
    wait_running(c, running);
    const std::string waiting = create_job(c, small_job("waits"));
    ASSERT_FALSE(waiting.empty());
    const auto refused = c.Post("/v1/videos", small_job("refused").dump(), "application/json");
    expect_error(refused, 429, "");
    EXPECT_GE(std::stoi(refused->get_header_value("Retry-After")), 1);
    EXPECT_EQ(json_of(c.Get("/v1/videos"))["data"].size(), 2u);

    const std::string metrics = c.Get("/metrics")->body;
    ltx2::test::expect_contains(metrics, {"ltx2_queue_depth 1\n", "ltx2_jobs{status=\"in_progress\"} 1\n",
                                          "ltx2_jobs{status=\"queued\"} 1\n", "# TYPE ltx2_denoise_step_seconds summary"});
    c.Delete(("/v1/videos/" + running).c_str());
    c.Delete(("/v1/videos/" + waiting).c_str());
}

// The server opens its models as the C API's context does: without model files it stops before it
// listens, naming what it misses and where it looked; with a worker's --redis front end too.
TEST(ServeApi, MissingModelFilesStopTheServerBeforeItListens) {
    TempDir dir;
    for (const std::string& extra : {"", " --redis redis://127.0.0.1:1"}) {
        const auto r = run_command(fmt::format("env -u LTX2_MODEL_DIR HF_HUB_CACHE={} timeout 60 {} serve --port 0 "
                                               "--data-dir {}{} 2>&1",
                                               dir.file("empty-hf-cache"), LTX2_BIN, dir.path.string(), extra));
        EXPECT_EQ(r.exit_code, 1) << r.output;
        expect_contains(r.output, {"no pipeline finds all of its model files", "looked at:"});
        EXPECT_EQ(r.output.find("listening on"), std::string::npos) << r.output;
    }
}
