// Hub download against an in-process fake Hub on 127.0.0.1 (cpp-httplib): the HEAD headers the
// Hub sends, the redirect of LFS files to a CDN, Range requests, cut connections, corrupt
// content, 401/404, and the cache layout the locator then finds. No outside network.
#include <httplib.h>

#include <atomic>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "app/hub_download.h"
#include "app/model_locator.h"
#include "app_test_util.h"
#include "core/sha256.h"
#include "test_util.h"

namespace ltx2 {
namespace {

namespace fs = std::filesystem;
using test::env_of;
using test::expect_error;
using test::read_file;
using test::TempDir;

const std::string kCommit = "9f3c0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b";
const std::string kCheckpoint = "ltx-2-19b-distilled.safetensors";

std::string random_bytes(size_t n, unsigned seed) {
    std::mt19937 rng(seed);
    std::string s(n, '\0');
    for (auto& c : s) c = char(rng() & 0xff);
    return s;
}

struct LoggedRequest {
    std::string method, path, range, authorization;
};

// A Hub with repositories of files. LFS files answer HEAD with a 302 to the CDN and the
// X-Linked-* headers; small files answer directly with a git-style ETag.
class FakeHub {
public:
    struct File {
        std::string content;
        bool lfs = true;
    };

    FakeHub() {
        server_.Get(R"(/Lightricks/LTX-2-renamed/resolve/(.+))",
                    [this](const httplib::Request& req, httplib::Response& res) {
                        log(req);
                        res.set_redirect("/Lightricks/LTX-2/resolve/" + std::string(req.matches[1]), 307);
                    });
        server_.Get(R"(/([^/]+/[^/]+)/resolve/([^/]+)/(.+))",
                    [this](const httplib::Request& req, httplib::Response& res) { resolve(req, res); });
        server_.Get(R"(/cdn/([0-9a-f]+))",
                    [this](const httplib::Request& req, httplib::Response& res) { cdn(req, res); });
        port_ = server_.bind_to_any_port("127.0.0.1");
        thread_ = std::thread([this] { server_.listen_after_bind(); });
        while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    ~FakeHub() {
        server_.stop();
        thread_.join();
    }

    std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
    void add(const std::string& repo, const std::string& path, std::string content, bool lfs = true) {
        repos_[repo][path] = File{std::move(content), lfs};
    }
    std::vector<LoggedRequest> requests() const {
        std::lock_guard lock(mutex_);
        return log_;
    }
    std::vector<LoggedRequest> requests_to(const std::string& method, const std::string& path_prefix) const {
        std::vector<LoggedRequest> out;
        for (const auto& r : requests())
            if (r.method == method && r.path.rfind(path_prefix, 0) == 0) out.push_back(r);
        return out;
    }

    std::atomic<int> cut_next_downloads{0};  // CDN responses to break off halfway
    std::atomic<bool> ignore_range{false};   // answer Range requests with the whole file (200)
    std::atomic<bool> corrupt{false};        // serve content with one byte flipped
    std::optional<std::string> required_token;
    std::map<std::string, std::string> head_headers;  // set on every file's answer, replacing the usual ones

private:
    void log(const httplib::Request& req) {
        std::lock_guard lock(mutex_);
        log_.push_back({req.method, req.path, req.get_header_value("Range"), req.get_header_value("Authorization")});
    }

    void resolve(const httplib::Request& req, httplib::Response& res) {
        log(req);
        const std::string repo = req.matches[1], revision = req.matches[2], path = req.matches[3];
        if (required_token && req.get_header_value("Authorization") != "Bearer " + *required_token) {
            res.status = 401;
            res.set_header("X-Error-Code", "GatedRepo");
            res.set_header("X-Error-Message", "Access to model " + repo + " is restricted.");
            return;
        }
        auto r = repos_.find(repo);
        auto f = r == repos_.end() ? nullptr : &r->second;
        if (f == nullptr || (revision != "main" && revision != kCommit) || f->count(path) == 0) {
            res.status = 404;
            res.set_header("X-Error-Code", "EntryNotFound");
            res.set_header("X-Error-Message", "Entry not found");
            return;
        }
        const File& file = f->at(path);
        res.set_header("X-Repo-Commit", kCommit);
        if (file.lfs) {
            const std::string sha = sha256_hex(file.content);
            res.set_header("X-Linked-Size", std::to_string(file.content.size()));
            res.set_header("X-Linked-Etag", "\"" + sha + "\"");
            res.set_header("ETag", "\"" + sha.substr(0, 40) + "\"");  // the pointer file's git hash
            res.set_redirect(endpoint() + "/cdn/" + sha, 302);
        } else {
            res.set_header("ETag", "\"" + sha256_hex(file.content).substr(0, 40) + "\"");
            res.set_content(file.content, "application/octet-stream");
        }
        for (const auto& [name, value] : head_headers) {
            res.headers.erase(name);
            res.set_header(name, value);
        }
    }

    void cdn(const httplib::Request& req, httplib::Response& res) {
        log(req);
        const File* file = nullptr;
        for (const auto& [repo, files] : repos_)
            for (const auto& [path, f] : files)
                if (f.lfs && sha256_hex(f.content) == std::string(req.matches[1])) file = &f;
        if (file == nullptr) {
            res.status = 404;
            return;
        }
        auto body = std::make_shared<std::string>(file->content);
        if (corrupt) (*body)[body->size() / 3] ^= 0x20;
        const bool cut = cut_next_downloads.fetch_sub(1) > 0;
        if (ignore_range) {
            res.status = 200;
            res.set_chunked_content_provider("application/octet-stream",
                                             [body](size_t offset, httplib::DataSink& sink) {
                                                 sink.write(body->data(), body->size());
                                                 sink.done();
                                                 return true;
                                             });
            return;
        }
        // httplib applies the Range header itself: 206 with Content-Range, and the provider
        // is asked for that range only.
        auto sent = std::make_shared<size_t>(0);
        auto cut_after = std::make_shared<std::optional<size_t>>();
        res.set_content_provider(body->size(), "application/octet-stream",
                                 [body, sent, cut, cut_after](size_t offset, size_t length, httplib::DataSink& sink) {
                                     if (!*cut_after) *cut_after = length / 2;       // half of what was asked for
                                     if (cut && *sent >= **cut_after) return false;  // drop the connection
                                     const size_t n = std::min<size_t>(length, 16384);
                                     *sent += n;
                                     return sink.write(body->data() + offset, n);
                                 });
    }

    httplib::Server server_;
    int port_ = 0;
    std::thread thread_;
    std::map<std::string, std::map<std::string, File>> repos_;
    mutable std::mutex mutex_;
    std::vector<LoggedRequest> log_;
};

app::HubDownloadRequest request_for(const FakeHub& hub, const fs::path& cache, const std::string& repo,
                                    std::vector<std::string> files, std::map<std::string, std::string> env = {}) {
    app::HubDownloadRequest r;
    r.repo = repo;
    r.files = std::move(files);
    r.cache_dir = cache;
    env["LTX2_HF_ENDPOINT"] = hub.endpoint();
    r.env = env_of(env);
    r.resume_attempts = 0;
    return r;
}

fs::path repo_folder(const fs::path& cache) { return cache / "models--Lightricks--LTX-2"; }

class HubDownload : public ::testing::Test {
protected:
    // Puts `size` random bytes on the fake Hub as the distilled checkpoint (an LFS file).
    std::string serve_checkpoint(size_t size, unsigned seed) {
        std::string content = random_bytes(size, seed);
        hub.add("Lightricks/LTX-2", kCheckpoint, content);
        return content;
    }
    // The .incomplete file of a blob in the LTX-2 cache folder.
    fs::path partial_of(const std::string& content) const {
        return repo_folder(dir.path) / "blobs" / (sha256_hex(content) + ".incomplete");
    }
    app::HubDownloadRequest checkpoint_request() const {
        return request_for(hub, dir.path, "Lightricks/LTX-2", {kCheckpoint});
    }

    TempDir dir;
    FakeHub hub;
};

TEST_F(HubDownload, DownloadsVerifiesAndWritesTheHfCacheLayout) {
    const std::string content = serve_checkpoint(300000, 1);
    const std::string sha = sha256_hex(content);
    hub.add("Lightricks/LTX-2", "README.md", "# LTX-2\n", false);

    std::vector<app::DownloadProgress> progress;
    auto r = request_for(hub, dir.path, "Lightricks/LTX-2", {kCheckpoint, "README.md"});
    r.progress = [&](const app::DownloadProgress& p) { progress.push_back(p); };
    const auto got = app::hub_download(r);

    ASSERT_EQ(got.size(), 2u);
    const fs::path snapshot = repo_folder(dir.path) / "snapshots" / kCommit;
    EXPECT_EQ(got[0].path, snapshot / kCheckpoint);
    EXPECT_EQ(got[0].commit, kCommit);
    EXPECT_FALSE(got[0].was_cached);
    EXPECT_TRUE(fs::is_symlink(got[0].path));
    EXPECT_EQ(fs::read_symlink(got[0].path), fs::path("../../blobs") / sha);
    EXPECT_EQ(read_file(got[0].path), content);
    EXPECT_FALSE(fs::exists(partial_of(content)));
    // The small file's blob is named by its ETag and checked by size.
    EXPECT_EQ(read_file(got[1].path), "# LTX-2\n");
    EXPECT_EQ(fs::read_symlink(got[1].path).parent_path(), fs::path("../../blobs"));
    EXPECT_EQ(read_file(repo_folder(dir.path) / "refs" / "main"), kCommit);

    ASSERT_FALSE(progress.empty());
    EXPECT_EQ(progress.front().file, kCheckpoint);
    uint64_t last = 0;
    for (const auto& p : progress) {
        if (p.file != kCheckpoint) continue;
        EXPECT_GE(p.bytes_done, last);
        EXPECT_EQ(p.bytes_total, content.size());
        last = p.bytes_done;
    }
    EXPECT_EQ(last, content.size());

    // No token: no Authorization header.
    for (const auto& req : hub.requests()) EXPECT_EQ(req.authorization, "") << req.path;

    // Again: both blobs are there, only the metadata is asked for.
    const size_t gets_before = hub.requests_to("GET", "/").size();
    const auto again = app::hub_download(r);
    EXPECT_TRUE(again[0].was_cached);
    EXPECT_TRUE(again[1].was_cached);
    EXPECT_EQ(hub.requests_to("GET", "/").size(), gets_before);
    EXPECT_EQ(read_file(again[0].path), content);
}

TEST_F(HubDownload, ResumesACutDownloadWithARangeRequest) {
    const std::string content = serve_checkpoint(400000, 2);
    const fs::path partial = partial_of(content);
    hub.cut_next_downloads = 1;
    auto r = checkpoint_request();
    expect_error([&] { app::hub_download(r); }, {"Lightricks/LTX-2: downloading " + kCheckpoint + " failed",
                                                 "kept in " + partial.string(), "run again to resume"});
    ASSERT_TRUE(fs::exists(partial));
    const uint64_t kept = fs::file_size(partial);
    EXPECT_GE(kept, content.size() / 2);
    EXPECT_LT(kept, content.size());
    EXPECT_FALSE(fs::exists(repo_folder(dir.path) / "snapshots" / kCommit / kCheckpoint));

    const auto got = app::hub_download(r);
    EXPECT_EQ(read_file(got[0].path), content);
    EXPECT_FALSE(fs::exists(partial));
    const auto downloads = hub.requests_to("GET", "/cdn/");
    ASSERT_EQ(downloads.size(), 2u);
    EXPECT_EQ(downloads[0].range, "");
    EXPECT_EQ(downloads[1].range, "bytes=" + std::to_string(kept) + "-");
}

TEST_F(HubDownload, ResumesWithinOneCallWhenAttemptsAreLeft) {
    const std::string content = serve_checkpoint(250000, 3);
    hub.cut_next_downloads = 2;
    auto r = checkpoint_request();
    r.resume_attempts = 2;
    const auto got = app::hub_download(r);
    EXPECT_EQ(read_file(got[0].path), content);
    const auto downloads = hub.requests_to("GET", "/cdn/");
    ASSERT_EQ(downloads.size(), 3u);
    EXPECT_EQ(downloads[0].range, "");
    EXPECT_NE(downloads[1].range.rfind("bytes=", 0), std::string::npos);
    EXPECT_NE(downloads[2].range.rfind("bytes=", 0), std::string::npos);
    EXPECT_NE(downloads[1].range, downloads[2].range);
}

TEST_F(HubDownload, AServerThatIgnoresRangeRestartsTheFile) {
    const std::string content = serve_checkpoint(100000, 4);
    // A partial file whose bytes are wrong: appending to it would fail the SHA-256 check.
    test::write_file(partial_of(content), std::string(5000, 'x'));
    hub.ignore_range = true;
    const auto got = app::hub_download(checkpoint_request());
    EXPECT_EQ(read_file(got[0].path), content);
    const auto downloads = hub.requests_to("GET", "/cdn/");
    ASSERT_EQ(downloads.size(), 1u);
    EXPECT_EQ(downloads[0].range, "bytes=5000-");
}

TEST_F(HubDownload, CorruptContentFailsTheShaCheckAndLeavesNoFile) {
    const std::string content = serve_checkpoint(120000, 5);
    hub.corrupt = true;
    std::string corrupted = content;
    corrupted[corrupted.size() / 3] ^= 0x20;
    expect_error([&] { app::hub_download(checkpoint_request()); },
                 {"Lightricks/LTX-2: " + kCheckpoint + " is corrupt", "SHA-256 " + sha256_hex(corrupted),
                  "expected " + sha256_hex(content), "deleted"});
    const fs::path blobs = repo_folder(dir.path) / "blobs";
    EXPECT_TRUE(fs::is_empty(blobs)) << "neither the blob nor its .incomplete may be left";
    EXPECT_FALSE(fs::exists(repo_folder(dir.path) / "snapshots"));
}

TEST_F(HubDownload, MissingFileNamesFileAndRepository) {
    hub.add("Lightricks/LTX-2", kCheckpoint, "x");
    expect_error(
        [&] { app::hub_download(request_for(hub, dir.path, "Lightricks/LTX-2", {"ltx-2-19b-nope.safetensors"})); },
        {"file ltx-2-19b-nope.safetensors not found in repository Lightricks/LTX-2 at revision main", "HTTP 404",
         "/Lightricks/LTX-2/resolve/main/ltx-2-19b-nope.safetensors", "Entry not found"});
}

TEST_F(HubDownload, GatedRepositoryExplainsLicenseAndToken) {
    hub.add("google/gemma-3-12b-it", "config.json", R"({"model_type": "gemma3"})", false);
    hub.required_token = "hf_secret";
    auto r = request_for(hub, dir.path, "google/gemma-3-12b-it", {"config.json"});
    expect_error([&] { app::hub_download(r); },
                 {"google/gemma-3-12b-it: access to config.json denied (HTTP 401", "may be gated",
                  "accept its license on " + hub.endpoint() + "/google/gemma-3-12b-it", "set HF_TOKEN",
                  "no token was sent", "Access to model google/gemma-3-12b-it is restricted."});

    r = request_for(hub, dir.path, "google/gemma-3-12b-it", {"config.json"}, {{"HF_TOKEN", "wrong"}});
    expect_error([&] { app::hub_download(r); }, {"HTTP 401", "a token was sent: it may lack access"});

    // The token from HF_TOKEN, then from $HF_HOME/token.
    r = request_for(hub, dir.path, "google/gemma-3-12b-it", {"config.json"}, {{"HF_TOKEN", "hf_secret"}});
    EXPECT_EQ(read_file(app::hub_download(r)[0].path), R"({"model_type": "gemma3"})");
    EXPECT_EQ(hub.requests().back().authorization, "Bearer hf_secret");

    test::write_file(dir.path / "hf-home" / "token", "hf_secret\n");
    r = request_for(hub, dir.path / "other-cache", "google/gemma-3-12b-it", {"config.json"},
                    {{"HF_HOME", (dir.path / "hf-home").string()}});
    EXPECT_EQ(read_file(app::hub_download(r)[0].path), R"({"model_type": "gemma3"})");
}

// What the Hub answers becomes file names and sizes: an answer no file system or file can have
// is refused with a message naming it (a std::filesystem_error / std::out_of_range escaped before).
TEST_F(HubDownload, UnusableAnswersAreRefusedNamingThem) {
    serve_checkpoint(100, 7);
    hub.head_headers = {{"X-Linked-Etag", "\"" + std::string(300, 'e') + "\""}};
    expect_error([&] { app::hub_download(checkpoint_request()); },
                 {"Lightricks/LTX-2: the server sent no usable ETag for " + kCheckpoint, "at most 255 bytes"});
    hub.head_headers = {{"X-Repo-Commit", std::string(256, 'c')}};
    expect_error([&] { app::hub_download(checkpoint_request()); },
                 {"Lightricks/LTX-2: the server sent an unusable commit", "at most 255 bytes"});
    hub.head_headers = {{"X-Linked-Size", "123456789012345678901234567890"}};
    expect_error([&] { app::hub_download(checkpoint_request()); },
                 {"Lightricks/LTX-2: the server gave " + kCheckpoint + " a size of 123456789012345678901234567890 bytes",
                  "beyond any file"});
    EXPECT_FALSE(fs::exists(repo_folder(dir.path) / "snapshots"));
}

TEST_F(HubDownload, NetworkFailureGivesCurlsMessage) {
    std::string endpoint;
    {
        FakeHub closed;
        endpoint = closed.endpoint();
    }
    app::HubDownloadRequest r;
    r.repo = "Lightricks/LTX-2";
    r.files = {kCheckpoint};
    r.cache_dir = dir.path;
    r.env = env_of({{"HF_ENDPOINT", endpoint}});
    expect_error([&] { app::hub_download(r); },
                 {"Lightricks/LTX-2: cannot reach the Hub for " + kCheckpoint,
                  "HEAD " + endpoint + "/Lightricks/LTX-2/resolve/main/" + kCheckpoint + " failed",
                  "Couldn't connect to server"});
}

TEST_F(HubDownload, UnwritableCacheAndFullDiskNameThePath) {
    const std::string content = serve_checkpoint(50000, 6);

    test::write_file(dir.path / "a-file");
    expect_error(
        [&] { app::hub_download(request_for(hub, dir.path / "a-file" / "hub", "Lightricks/LTX-2", {kCheckpoint})); },
        {"cannot create the cache folder " +
         (dir.path / "a-file" / "hub" / "models--Lightricks--LTX-2" / "blobs").string()});

    // A disk that is full: the partial file is /dev/full.
    const fs::path partial = partial_of(content);
    fs::create_directories(partial.parent_path());
    fs::create_symlink("/dev/full", partial);
    expect_error([&] { app::hub_download(checkpoint_request()); },
                 {"cannot write " + partial.string(), "No space left on device"});
}

TEST_F(HubDownload, FollowsRelativeRedirectsOfRenamedRepositories) {
    serve_checkpoint(1000, 7);
    const auto got = app::hub_download(request_for(hub, dir.path, "Lightricks/LTX-2-renamed", {kCheckpoint}));
    EXPECT_EQ(got[0].path, dir.path / "models--Lightricks--LTX-2-renamed" / "snapshots" / kCommit / kCheckpoint);
    EXPECT_EQ(fs::file_size(got[0].path), 1000u);
}

TEST_F(HubDownload, RejectsPathsOutsideTheRepositoryAndPicksTheEndpoint) {
    app::HubDownloadRequest r;
    r.repo = "Lightricks/LTX-2";
    r.cache_dir = dir.path;
    r.files = {"../../etc/passwd"};
    expect_error([&] { app::hub_download(r); }, {"file name '../../etc/passwd'", "inside the repository"});

    EXPECT_EQ(app::hub_endpoint(env_of({})), "https://huggingface.co");
    EXPECT_EQ(app::hub_endpoint(env_of({{"HF_ENDPOINT", "http://mirror/"}})), "http://mirror");
    EXPECT_EQ(app::hub_endpoint(env_of({{"HF_ENDPOINT", "http://a"}, {"LTX2_HF_ENDPOINT", "http://b"}})), "http://b");
    EXPECT_EQ(app::hub_token(env_of({{"HF_TOKEN", " t \n"}, {"HOME", dir.path.string()}})), "t");
    EXPECT_EQ(app::hub_token(env_of({{"HOME", dir.path.string()}})), std::nullopt);
}

TEST_F(HubDownload, TheLocatorFindsWhatWasDownloaded) {
    serve_checkpoint(3000, 8);
    hub.add("Lightricks/LTX-2", "ltx-2-spatial-upscaler-x2-1.0.safetensors", random_bytes(2000, 9));
    const std::vector<std::string> shards = {"model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"};
    const nlohmann::json index = {{"weight_map", {{"a.weight", shards[0]}, {"b.weight", shards[1]}}}};
    hub.add("google/gemma-3-12b-it", "config.json", R"({"model_type": "gemma3"})", false);
    hub.add("google/gemma-3-12b-it", "tokenizer.json", "{}", false);
    hub.add("google/gemma-3-12b-it", "model.safetensors.index.json", index.dump(), false);
    hub.add("google/gemma-3-12b-it", shards[0], random_bytes(1500, 10));
    hub.add("google/gemma-3-12b-it", shards[1], random_bytes(1700, 11));

    const fs::path cache = dir.path / "hub";
    app::hub_download(
        request_for(hub, cache, "Lightricks/LTX-2", {kCheckpoint, "ltx-2-spatial-upscaler-x2-1.0.safetensors"}));
    // Only the metadata first: the locator reports the shards still missing.
    app::hub_download(request_for(hub, cache, "google/gemma-3-12b-it",
                                  {"config.json", "tokenizer.json", "model.safetensors.index.json"}));
    app::ModelLocateRequest locate;
    locate.pipeline = app::Pipeline::Distilled;
    locate.env = env_of({{"HF_HUB_CACHE", cache.string()}});
    const fs::path gemma_snapshot = cache / "models--google--gemma-3-12b-it" / "snapshots" / kCommit;
    expect_error([&] { app::locate_models(locate); },
                 {gemma_snapshot.string() + " (incomplete: missing " + shards[0] + ", " + shards[1] + ")"});

    app::hub_download(request_for(hub, cache, "google/gemma-3-12b-it", shards));
    const auto m = app::locate_models(locate);
    const fs::path ltx_snapshot = cache / "models--Lightricks--LTX-2" / "snapshots" / kCommit;
    EXPECT_EQ(m.checkpoint->path, ltx_snapshot / kCheckpoint);
    EXPECT_EQ(m.checkpoint->origin, "HF cache Lightricks/LTX-2 snapshot " + kCommit + " (refs/main)");
    EXPECT_EQ(m.spatial_upsampler->path, ltx_snapshot / "ltx-2-spatial-upscaler-x2-1.0.safetensors");
    EXPECT_EQ(m.gemma->path, gemma_snapshot);
}

}  // namespace
}  // namespace ltx2
