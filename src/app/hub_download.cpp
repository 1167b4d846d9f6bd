#include "app/hub_download.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>

#include "app/http_client.h"
#include "app/hub_response.h"
#include "app/strings.h"
#include "core/error.h"
#include "core/sha256.h"

namespace ltx2::app {

namespace fs = std::filesystem;

namespace {

void check_repo_file_name(const std::string& repo, const std::string& file) {
    const fs::path p(file);
    bool escapes = file.empty() || p.is_absolute();
    for (const auto& part : p)
        if (part == ".." || part == ".") escapes = true;
    LTX2_CHECK(!escapes, "{}: file name '{}' must be a relative path inside the repository", repo, file);
}

// A branch or tag may contain '/' (refs/pr/1) but becomes a path under refs/ in the cache: nothing
// that could leave that folder (an absolute path, '.' or '..', an empty part, a backslash).
void check_revision(const std::string& repo, const std::string& revision) {
    bool plain = !revision.empty() && revision.front() != '/' && revision.back() != '/' &&
                 revision.find("//") == std::string::npos && revision.find('\\') == std::string::npos;
    for (const char c : revision)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) plain = false;
    for (const auto& part : fs::path(revision))
        if (part == ".." || part == ".") plain = false;
    LTX2_CHECK(plain, "{}: --revision '{}' is not a branch, tag or commit (expected a name such as main, v1.0 or "
                      "refs/pr/1, or a commit hash; no absolute path, '.' or '..' parts)",
               repo, revision);
}

HttpResponse head(const HubRemoteFile& remote, const std::string& url) {
    try {
        return http_head(url, remote.headers);
    } catch (const HttpTransferError& e) {
        fail("{}: cannot reach the Hub for {}: {}", remote.repo, remote.file, e.what());
    }
}

HubFileMetadata fetch_metadata(const HubRemoteFile& remote) {
    std::string url = remote.url();
    HttpResponse r = head(remote, url);
    for (int hop = 0; hop < 5 && r.status >= 300 && r.status < 400 && r.header("location").rfind("/", 0) == 0; ++hop) {
        url = remote.endpoint + r.header("location");  // a renamed repository; absolute ones lead to the CDN
        r = head(remote, url);
    }
    check_hub_status(r, remote, url);
    return hub_file_metadata(r, remote, url);
}

void make_folder(const fs::path& dir) {
    std::error_code ec;
    fs::create_directories(dir, ec);
    LTX2_CHECK(!ec && fs::is_directory(dir), "cannot create the cache folder {}: {}", dir.string(),
               ec ? ec.message() : "a file is in the way");
}

uint64_t existing_size(const fs::path& p) {
    std::error_code ec;
    if (!fs::is_regular_file(p, ec)) return 0;
    const auto size = fs::file_size(p, ec);
    return ec ? 0 : size;
}

// An .incomplete blob opened for appending; write failures (disk full) name the path.
class PartialFile {
public:
    explicit PartialFile(fs::path path) : path_(std::move(path)) {
        fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (fd_ < 0) fail("cannot write {}: {}", path_.string(), std::strerror(errno));
    }
    ~PartialFile() {
        if (fd_ >= 0) ::close(fd_);
    }
    PartialFile(const PartialFile&) = delete;
    PartialFile& operator=(const PartialFile&) = delete;

    void write(const char* data, size_t bytes) {
        while (bytes > 0) {
            const ssize_t n = ::write(fd_, data, bytes);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) fail("cannot write {}: {}", path_.string(), n < 0 ? std::strerror(errno) : "no progress");
            data += n;
            bytes -= size_t(n);
        }
    }
    void truncate() {
        if (::ftruncate(fd_, 0) != 0) fail("cannot truncate {}: {}", path_.string(), std::strerror(errno));
    }
    void close() {
        const int fd = fd_;
        fd_ = -1;
        if (::close(fd) != 0) fail("cannot write {}: {}", path_.string(), std::strerror(errno));
    }

private:
    fs::path path_;
    int fd_ = -1;
};

void hash_file_prefix(const fs::path& p, uint64_t bytes, Sha256& hash) {
    std::ifstream in(p, std::ios::binary);
    LTX2_CHECK(in.good(), "cannot read {}", p.string());
    std::vector<char> buffer(size_t(1) << 20);
    while (bytes > 0) {
        const auto n = std::streamsize(std::min<uint64_t>(bytes, buffer.size()));
        in.read(buffer.data(), n);
        LTX2_CHECK(in.gcount() == n, "cannot read {}: shorter than {} bytes", p.string(), bytes);
        hash.update(buffer.data(), size_t(n));
        bytes -= uint64_t(n);
    }
}

void discard(const fs::path& p) {
    std::error_code ec;
    fs::remove(p, ec);
}

// Downloads into `partial`, resuming what is there; then bytes() and sha256() describe all of it.
class BlobDownload {
public:
    BlobDownload(const HubRemoteFile& remote, const HubFileMetadata& meta, fs::path partial,
                 const DownloadProgressCallback& progress)
        : remote_(remote), meta_(meta), partial_(std::move(partial)), progress_(progress) {}

    void run(int resume_attempts) {
        have_ = existing_size(partial_);
        if (meta_.size && have_ > *meta_.size) {
            discard(partial_);
            have_ = 0;
        }
        if (have_ > 0) hash_file_prefix(partial_, have_, hash_);
        for (int attempt = 0;; ++attempt) {
            try {
                transfer();
                if (!meta_.size || have_ >= *meta_.size) return;
                throw HttpTransferError(fmt::format("GET {}: the connection closed after {} of {} bytes", remote_.url(),
                                                    have_, *meta_.size));
            } catch (const HttpTransferError& e) {
                if (attempt < resume_attempts) continue;
                fail("{}: downloading {} failed: {} (the {} bytes received are kept in {}: run again to resume)",
                     remote_.repo, remote_.file, e.what(), have_, partial_.string());
            }
        }
    }

    uint64_t bytes() const { return have_; }
    std::string sha256() { return hash_.hex_digest(); }

private:
    void transfer() {
        if (meta_.size && have_ == *meta_.size) return;
        PartialFile out(partial_);
        const auto start = std::chrono::steady_clock::now();
        auto last_report = start;
        const uint64_t from = have_;
        bool first_chunk = true;
        const HttpResponse r =
            http_get(remote_.url(), remote_.headers, from, [&](const HttpResponse& head, const char* data, size_t n) {
                if (head.status >= 400) return;  // an error page: the status speaks for it
                if (first_chunk) {
                    first_chunk = false;
                    start_body(head, from, out);
                }
                out.write(data, n);
                hash_.update(data, n);
                have_ += n;
                const auto now = std::chrono::steady_clock::now();
                if (now - last_report >= std::chrono::milliseconds(200)) {
                    last_report = now;
                    report(from, start, now);
                }
            });
        out.close();
        check_hub_status(r, remote_, remote_.url());
        LTX2_CHECK(r.status == 200 || r.status == 206, "{}: downloading {} failed: HTTP {} from {}", remote_.repo,
                   remote_.file, r.status, remote_.url());
        report(from, start, std::chrono::steady_clock::now());
    }

    // A 206 must continue exactly where the partial file ends; a 200 starts it over.
    void start_body(const HttpResponse& head, uint64_t from, PartialFile& out) {
        if (!hub_answer_resumes(head, from, remote_) && from > 0) {
            out.truncate();
            hash_.reset();
            have_ = 0;
        }
    }

    void report(uint64_t from, std::chrono::steady_clock::time_point start, std::chrono::steady_clock::time_point now) {
        if (!progress_) return;
        const double seconds = std::chrono::duration<double>(now - start).count();
        const uint64_t received = have_ >= from ? have_ - from : have_;
        progress_({remote_.file, have_, meta_.size.value_or(0), seconds > 0 ? double(received) / seconds : 0.0});
    }

    const HubRemoteFile& remote_;
    const HubFileMetadata& meta_;
    fs::path partial_;
    const DownloadProgressCallback& progress_;
    Sha256 hash_;
    uint64_t have_ = 0;
};

void verify_blob(const HubRemoteFile& remote, const HubFileMetadata& meta, BlobDownload& download, const fs::path& partial) {
    if (meta.size && download.bytes() != *meta.size) {
        discard(partial);
        fail("{}: {} has {} bytes, expected {}; the download was deleted", remote.repo, remote.file, download.bytes(),
             *meta.size);
    }
    const std::string actual = download.sha256();
    if (is_sha256_hex(meta.etag) && actual != meta.etag) {
        discard(partial);
        fail("{}: {} is corrupt: SHA-256 {}, expected {}; the download was deleted", remote.repo, remote.file, actual,
             meta.etag);
    }
}

// snapshots/<commit>/<file> -> ../../blobs/<etag>, replacing what was there.
void link_snapshot(const fs::path& blob, const fs::path& link) {
    make_folder(link.parent_path());
    std::error_code ec;
    fs::remove(link, ec);
    fs::create_symlink(blob.lexically_relative(link.parent_path()), link, ec);
    LTX2_CHECK(!ec, "cannot create the cache link {}: {}", link.string(), ec.message());
}

void write_ref(const fs::path& repo_folder, const std::string& revision, const std::string& commit) {
    if (revision == commit) return;
    const fs::path ref = repo_folder / "refs" / revision;
    make_folder(ref.parent_path());
    std::ofstream out(ref, std::ios::binary | std::ios::trunc);
    out << commit;
    out.close();
    LTX2_CHECK(out.good(), "cannot write {}", ref.string());
}

}  // namespace

std::string hub_endpoint(const EnvLookup& env) {
    std::string endpoint = env_value(env, "LTX2_HF_ENDPOINT").value_or(env_value(env, "HF_ENDPOINT").value_or(""));
    if (endpoint.empty()) endpoint = "https://huggingface.co";
    while (endpoint.size() > 1 && endpoint.back() == '/') endpoint.pop_back();
    return endpoint;
}

std::optional<std::string> hub_token(const EnvLookup& env) {
    if (auto token = env_value(env, "HF_TOKEN")) return trim_whitespace(*token);
    try {
        std::ifstream in(hf_home(env) / "token");
        std::string token;
        if (in && std::getline(in, token) && !trim_whitespace(token).empty()) return trim_whitespace(token);
    } catch (const Error&) {
        // no HOME: no token file either
    }
    return std::nullopt;
}

std::vector<DownloadedFile> hub_download(const HubDownloadRequest& request) {
    check_revision(request.repo, request.revision);
    const fs::path cache_root = fs::absolute(request.cache_dir ? *request.cache_dir : hf_cache_root(request.env));
    const fs::path repo_folder = hf_repo_folder(cache_root, request.repo);
    for (const auto& file : request.files) check_repo_file_name(request.repo, file);

    HubRemoteFile remote;
    remote.endpoint = hub_endpoint(request.env);
    remote.repo = request.repo;
    remote.revision = request.revision;
    remote.headers = {"Accept-Encoding: identity"};  // sizes are those of the stored bytes
    if (auto token = hub_token(request.env)) {
        remote.headers.push_back("Authorization: Bearer " + *token);
        remote.token_sent = true;
    }

    std::vector<DownloadedFile> done;
    for (const auto& file : request.files) {
        remote.file = file;
        const HubFileMetadata meta = fetch_metadata(remote);
        const fs::path blob = repo_folder / "blobs" / meta.etag;
        DownloadedFile result{file, repo_folder / "snapshots" / meta.commit / file, meta.commit, false};

        result.was_cached = fs::is_regular_file(blob) && (!meta.size || existing_size(blob) == *meta.size);
        if (result.was_cached) {
            if (request.progress) request.progress({file, existing_size(blob), meta.size.value_or(0), 0.0});
        } else {
            make_folder(blob.parent_path());
            const fs::path partial = blob.string() + ".incomplete";
            BlobDownload download(remote, meta, partial, request.progress);
            download.run(request.resume_attempts);
            verify_blob(remote, meta, download, partial);
            std::error_code ec;
            fs::rename(partial, blob, ec);
            LTX2_CHECK(!ec, "cannot move {} to {}: {}", partial.string(), blob.string(), ec.message());
        }
        link_snapshot(blob, result.path);
        write_ref(repo_folder, request.revision, meta.commit);
        done.push_back(std::move(result));
    }
    return done;
}

}  // namespace ltx2::app
