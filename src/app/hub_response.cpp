#include "app/hub_response.h"

#include <charconv>

#include "core/error.h"

namespace ltx2::app {

namespace {

// `"abc"` or `W/"abc"` -> `abc`
std::string unquote_etag(std::string etag) {
    if (etag.rfind("W/", 0) == 0) etag.erase(0, 2);
    if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') etag = etag.substr(1, etag.size() - 2);
    return etag;
}

// One path component on every file system the cache may live on (NAME_MAX is 255 bytes).
bool is_plain_file_name(const std::string& s) {
    if (s.empty() || s.size() > 255 || s == "." || s == "..") return false;
    for (const char c : s)
        if (c == '/' || c == '\\' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return false;
    return true;
}

}  // namespace

std::string HubRemoteFile::url() const {
    return fmt::format("{}/{}/resolve/{}/{}", endpoint, url_escape(repo, true), url_escape(revision, false),
                       url_escape(file, true));
}

void check_hub_status(const HttpResponse& r, const HubRemoteFile& remote, const std::string& url) {
    if (r.status < 400) return;
    const std::string server_says =
        r.header("x-error-message").empty() ? "" : fmt::format(" (the server says: {})", r.header("x-error-message"));
    if (r.status == 401 || r.status == 403)
        fail(
            "{}: access to {} denied (HTTP {} from {}){}. The repository may be gated: accept its license on "
            "{}/{} and set HF_TOKEN to a token that has access{}; or check the repository name",
            remote.repo, remote.file, r.status, url, server_says, remote.endpoint, remote.repo,
            remote.token_sent ? " (a token was sent: it may lack access)" : " (no token was sent)");
    if (r.status == 404)
        fail("{}: file {} not found in repository {} at revision {} (HTTP 404 from {}){}", remote.repo, remote.file,
             remote.repo, remote.revision, url, server_says);
    fail("{}: downloading {} failed: HTTP {} from {}{}", remote.repo, remote.file, r.status, url, server_says);
}

HubFileMetadata hub_file_metadata(const HttpResponse& head, const HubRemoteFile& remote, const std::string& url) {
    HubFileMetadata m;
    m.commit = head.header("x-repo-commit").empty() ? remote.revision : head.header("x-repo-commit");
    m.etag = unquote_etag(head.header("x-linked-etag").empty() ? head.header("etag") : head.header("x-linked-etag"));
    const std::string size =
        head.header("x-linked-size").empty() ? head.header("content-length") : head.header("x-linked-size");
    if (!size.empty() && size.find_first_not_of("0123456789") == std::string::npos) {
        uint64_t value = 0;
        const auto [end, ec] = std::from_chars(size.data(), size.data() + size.size(), value);
        LTX2_CHECK(ec == std::errc() && end == size.data() + size.size(),
                   "{}: the server gave {} a size of {} bytes, beyond any file (HEAD {} answered HTTP {})",
                   remote.repo, remote.file, size, url, head.status);
        m.size = value;
    }
    LTX2_CHECK(is_plain_file_name(m.etag),
               "{}: the server sent no usable ETag for {} (HEAD {} answered HTTP {}; expected one file name of at "
               "most 255 bytes, got '{}')",
               remote.repo, remote.file, url, head.status, m.etag);
    LTX2_CHECK(is_plain_file_name(m.commit),
               "{}: the server sent an unusable commit '{}' for {} (expected one file name of at most 255 bytes)",
               remote.repo, m.commit, remote.file);
    return m;
}

bool hub_answer_resumes(const HttpResponse& head, uint64_t from, const HubRemoteFile& remote) {
    if (head.status != 206) return false;
    const std::string expected = fmt::format("bytes {}-", from);
    LTX2_CHECK(head.header("content-range").rfind(expected, 0) == 0,
               "{}: asked {} for bytes from {} of {}, the server answered Content-Range '{}'", remote.repo,
               remote.url(), from, remote.file, head.header("content-range"));
    return true;
}

bool is_sha256_hex(const std::string& s) {
    return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

}  // namespace ltx2::app
