#pragma once
// What the Hub downloader reads from the Hub's answers (see hub_download.h): a file's commit,
// blob name and size from the HEAD answer, the refusals (401/403/404/...) turned into messages,
// and the resumption check of a GET answer. Apart from the transfer, so that every check can be
// tested and fuzzed without a network.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "app/http_client.h"

namespace ltx2::app {

// What identifies one file on the Hub, for messages and requests.
struct HubRemoteFile {
    std::string endpoint;
    std::string repo;
    std::string revision;
    std::string file;
    std::vector<std::string> headers;  // sent with every request
    bool token_sent = false;
    std::string url() const;  // {endpoint}/{repo}/resolve/{revision}/{file}, escaped
};

struct HubFileMetadata {
    std::string commit;             // X-Repo-Commit, else the revision asked for
    std::string etag;               // X-Linked-Etag, else ETag, unquoted: the blob's file name
    std::optional<uint64_t> size;   // X-Linked-Size, else Content-Length; nullopt when not a number
};

// Fails with a message for people when the Hub refused the request (status 400 and above):
// 401/403 explain gated repositories and tokens, 404 names the file, repository and revision.
void check_hub_status(const HttpResponse& r, const HubRemoteFile& remote, const std::string& url);

// The HEAD answer's metadata. Both the commit and the ETag become file names in the cache, so
// each must be one plain name (no '/', not '.' or '..', no control characters, at most 255
// bytes); a size of more digits than 64 bits hold is refused. Errors name the repository, the
// file and the URL.
HubFileMetadata hub_file_metadata(const HttpResponse& head, const HubRemoteFile& remote, const std::string& url);

// The first GET answer's head when `from` bytes are already on disk: true when it continues
// them (206 whose Content-Range starts at `from`), false when it starts the file over (any
// other success); a 206 starting elsewhere fails naming what was asked and answered.
bool hub_answer_resumes(const HttpResponse& head, uint64_t from, const HubRemoteFile& remote);

// 64 lower-case hex digits: an LFS file's SHA-256 (a git blob's SHA-1 has 40).
bool is_sha256_hex(const std::string& s);

}  // namespace ltx2::app
