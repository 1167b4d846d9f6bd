// --target hub: what the Hub downloader reads from the Hub's answers, without a network. The
// input is a response head as libcurl hands it over, line by line (status lines, headers;
// several responses after redirects). Seeds: an LFS file's HEAD answer (302 with X-Linked-*), a
// small file's (200 with a git ETag), a resumed GET (206 with Content-Range), a gated 401, a 404
// and a redirected answer. Exercise: the lines parsed into a response (add_response_line), the
// refusal messages, the file's metadata and the cache paths it leads to, the resumption check;
// the input also as a cache ref file and as the token file.
#include "app/hf_cache.h"
#include "app/hub_download.h"
#include "app/hub_response.h"
#include "fuzz/target.h"

namespace ltx2::fuzz {

namespace {

namespace fs = std::filesystem;

std::vector<Seed> seeds(const fs::path&) {
    const std::string sha = "1f4a1c0b9e3a2f6c2b0d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b";
    const std::string commit = "0123456789abcdef0123456789abcdef01234567";
    std::vector<Seed> out;
    out.push_back({"lfs-head", "HTTP/1.1 302 Found\r\nContent-Type: text/plain; charset=utf-8\r\nX-Repo-Commit: " +
                                   commit + "\r\nX-Linked-Etag: \"" + sha + "\"\r\nX-Linked-Size: 43041623504\r\n"
                                   "ETag: W/\"" + sha.substr(0, 40) + "\"\r\nContent-Length: 1369\r\n"
                                   "Location: https://cdn-lfs.hf.co/repos/ab/cd/" + sha + "?x=1\r\n\r\n"});
    out.push_back({"small-head", "HTTP/2 200 \r\ncontent-length: 2453\r\netag: \"" + sha.substr(0, 40) +
                                     "\"\r\nx-repo-commit: " + commit + "\r\naccept-ranges: bytes\r\n\r\n"});
    out.push_back({"resumed-get", "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes 1000-43041623503/43041623504\r\n"
                                  "Content-Length: 43041622504\r\nETag: \"" + sha + "\"\r\n\r\n"});
    out.push_back({"gated", "HTTP/1.1 401 Unauthorized\r\nX-Error-Code: GatedRepo\r\nX-Error-Message: Access to model "
                            "Lightricks/LTX-2 is restricted. You must have access to it and be authenticated.\r\n\r\n"});
    out.push_back({"missing", "HTTP/1.1 404 Not Found\r\nX-Error-Code: EntryNotFound\r\nX-Error-Message: Entry not "
                              "found\r\nContent-Length: 15\r\n\r\n"});
    out.push_back({"redirected", "HTTP/1.1 307 Temporary Redirect\r\nLocation: /Lightricks/LTX-2/resolve/main/x\r\n\r\n"
                                 "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nX-Linked-Size: 7\r\nETag: \"" +
                                     sha + "\"\r\n\r\n"});
    return out;
}

Outcome exercise(const std::string& path, const fs::path& work) {
    Outcome o;
    const Bytes text = read_file(path);
    app::HttpResponse response;
    for (size_t begin = 0; begin < text.size();) {  // curl's lines end with their "\r\n"
        const size_t newline = text.find('\n', begin);
        const size_t end = newline == Bytes::npos ? text.size() : newline + 1;
        app::add_response_line(response, std::string_view(text).substr(begin, end - begin));
        begin = end;
    }
    app::HubRemoteFile remote{"https://huggingface.co", "Lightricks/LTX-2", "main", "ltx-2-19b-distilled.safetensors",
                              {}, false};
    const std::string url = remote.url();
    allowing_errors([&] { app::check_hub_status(response, remote, url); });
    allowing_errors([&] {
        const app::HubFileMetadata meta = app::hub_file_metadata(response, remote, url);
        o.opened = true;
        o.items += meta.size.has_value() + app::is_sha256_hex(meta.etag);
        // What hub_download does with the names: the blob, and the snapshot folder of the commit.
        const fs::path repo = work / "cache" / "models--Lightricks--LTX-2";
        o.items += fs::is_regular_file(repo / "blobs" / meta.etag);
        o.items += fs::exists(repo / "snapshots" / meta.commit / remote.file);
    });
    for (uint64_t from : {uint64_t(0), uint64_t(1000)})
        allowing_errors([&] { o.items += app::hub_answer_resumes(response, from, remote); });
    // The same bytes as a cache ref file and as the token file `hf auth login` writes.
    const fs::path home = work / "hf-home", repo = home / "hub" / "models--Lightricks--LTX-2";
    fs::create_directories(repo / "refs");
    fs::copy_file(path, repo / "refs" / "main", fs::copy_options::overwrite_existing);
    fs::copy_file(path, home / "token", fs::copy_options::overwrite_existing);
    o.items += app::hf_read_ref(repo, "main").has_value();
    const app::EnvLookup env = [&](const std::string& name) -> std::optional<std::string> {
        if (name == "HF_HOME") return home.string();
        return std::nullopt;
    };
    o.items += app::hub_token(env).has_value();
    return o;
}

}  // namespace

const Target& hub_target() {
    static const Target t{"hub", ".txt", seeds, nullptr, exercise};
    return t;
}

}  // namespace ltx2::fuzz
