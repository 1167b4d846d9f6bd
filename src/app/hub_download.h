#pragma once
// Downloads files of a Hugging Face Hub repository into the Hugging Face cache, in the layout
// the `hf` tool uses (so each finds what the other fetched):
//   blobs/<etag>                                the file; blobs/<etag>.incomplete while downloading
//   snapshots/<commit>/<file> -> ../../blobs/<etag>   (a relative symlink)
//   refs/<revision>                             the commit, when the revision is a branch or tag
//
// What we rely on from the Hub, per file:
//   HEAD {endpoint}/{repo}/resolve/{revision}/{file}, not following the redirect to the CDN
//   (relative redirects, as for renamed repos, are followed), whose headers give
//     X-Repo-Commit                       the commit (else the revision itself is used)
//     X-Linked-Etag, else ETag            the blob name; for LFS files it is the content's SHA-256
//     X-Linked-Size, else Content-Length  the size
//   then GET of the same URL, following redirects, with `Range: bytes=N-` to resume an
//   .incomplete blob (a 200 instead of 206 restarts it from zero).
// Every file is checked against that size, and against the SHA-256 when the ETag is one
// (64 hex digits; small non-LFS files carry a git SHA-1 and are checked by size only).
// A blob already in the cache with the right size is not downloaded again.
//
// Endpoint: $LTX2_HF_ENDPOINT, else $HF_ENDPOINT, else https://huggingface.co.
// Token (sent as `Authorization: Bearer`, never to the CDN a redirect leads to): $HF_TOKEN,
// else the file $HF_HOME/token that `hf auth login` writes.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "app/hf_cache.h"

namespace ltx2::app {

struct DownloadProgress {
    std::string file;
    uint64_t bytes_done = 0;      // of this file, resumed bytes included
    uint64_t bytes_total = 0;     // 0 when the server did not say
    double bytes_per_second = 0;  // over this transfer
};
using DownloadProgressCallback = std::function<void(const DownloadProgress&)>;

struct HubDownloadRequest {
    std::string repo;                // "Lightricks/LTX-2"
    std::vector<std::string> files;  // paths inside the repository
    std::string revision = "main";
    std::optional<std::filesystem::path> cache_dir;  // default: hf_cache_root(env)
    DownloadProgressCallback progress;               // optional
    EnvLookup env = process_environment();
    int resume_attempts = 3;  // after a broken connection, within one call
};

struct DownloadedFile {
    std::string file;
    std::filesystem::path path;  // snapshots/<commit>/<file>
    std::string commit;
    bool was_cached = false;  // the blob was already there
};

// Errors name the file and repository: HTTP 401/403 (gated repository: accept the license and
// set HF_TOKEN), 404, network failures (curl's message; a partial download is kept for the
// next call to resume), size or SHA-256 mismatch (the partial file is deleted), an unwritable
// cache (the path).
std::vector<DownloadedFile> hub_download(const HubDownloadRequest& request);

std::string hub_endpoint(const EnvLookup& env);
std::optional<std::string> hub_token(const EnvLookup& env);

}  // namespace ltx2::app
