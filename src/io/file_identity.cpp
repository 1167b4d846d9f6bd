#include "io/file_identity.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/sha256.h"

namespace ltx2 {

namespace fs = std::filesystem;

namespace {

constexpr uint64_t kWholeHashLimit = 16ull << 20;
constexpr uint64_t kHeadBytes = 4ull << 20;
constexpr uint64_t kMaxSafetensorsHeader = 256ull << 20;

class Fd {
public:
    Fd(const std::string& path, const std::string& who) : fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {
        if (fd_ < 0) fail("{} {}: cannot open it ({})", who, path, std::strerror(errno));
    }
    ~Fd() { ::close(fd_); }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return fd_; }

private:
    int fd_;
};

// The sha256 of bytes [0, n) of the file.
std::string hash_prefix(const Fd& fd, uint64_t n, const std::string& path, const std::string& who) {
    Sha256 hash;
    std::vector<char> buffer(1 << 20);
    for (uint64_t at = 0; at < n;) {
        const size_t want = size_t(std::min<uint64_t>(buffer.size(), n - at));
        const ssize_t got = ::pread(fd.get(), buffer.data(), want, off_t(at));
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) fail("{} {}: cannot read it ({})", who, path, got < 0 ? std::strerror(errno) : "it ended early");
        hash.update(buffer.data(), size_t(got));
        at += uint64_t(got);
    }
    return hash.hex_digest();
}

// The length of a safetensors header (8 + the JSON's length) when the file starts like one.
uint64_t safetensors_header_bytes(const Fd& fd, uint64_t size) {
    unsigned char n[8];
    if (size < 8 || ::pread(fd.get(), n, 8, 0) != 8) return 0;
    uint64_t json = 0;
    for (int i = 7; i >= 0; --i) json = json << 8 | n[i];
    char first = 0;
    if (json == 0 || json > kMaxSafetensorsHeader || 8 + json > size || ::pread(fd.get(), &first, 1, 8) != 1 ||
        first != '{')
        return 0;
    return 8 + json;
}

struct Digest {
    std::string kind, hex;  // "sha256" | "header_sha256" | "head_sha256"
};

Digest content_digest(const std::string& path, uint64_t size, const std::string& who) {
    const Fd fd(path, who);
    if (size <= kWholeHashLimit) return {"sha256", hash_prefix(fd, size, path, who)};
    if (const uint64_t header = safetensors_header_bytes(fd, size); header > 0)
        return {"header_sha256", hash_prefix(fd, header, path, who)};
    return {"head_sha256", hash_prefix(fd, kHeadBytes, path, who)};
}

struct stat stat_of(const std::string& path, const std::string& who) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) fail("{} {}: cannot read it ({})", who, path, std::strerror(errno));
    return st;
}

std::string utc_text(const timespec& t) {
    std::tm tm{};
    ::gmtime_r(&t.tv_sec, &tm);
    return fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}.{:09d}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                       tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, t.tv_nsec);
}

nlohmann::json regular_file_identity(const std::string& path, const struct stat& st, const std::string& who) {
    const Digest d = content_digest(path, uint64_t(st.st_size), who);
    return {{"path", path}, {"size", uint64_t(st.st_size)}, {"mtime", utc_text(st.st_mtim)}, {d.kind, d.hex}};
}

}  // namespace

nlohmann::json file_identity_json(const std::string& path, const std::string& who) {
    const struct stat st = stat_of(path, who);
    if (!S_ISDIR(st.st_mode)) return regular_file_identity(path, st, who);
    std::vector<std::string> names;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(path, ec))
        if (entry.is_regular_file(ec)) names.push_back(entry.path().string());
    if (ec) fail("{} {}: cannot list the folder ({})", who, path, ec.message());
    std::sort(names.begin(), names.end());
    nlohmann::json files = nlohmann::json::array();
    for (const std::string& name : names) files.push_back(regular_file_identity(name, stat_of(name, who), who));
    return {{"path", path}, {"files", std::move(files)}};
}

std::string file_content_digest(const std::string& path, const std::string& who) {
    const struct stat st = stat_of(path, who);
    const Digest d = content_digest(path, uint64_t(st.st_size), who);
    std::string kind = d.kind;
    std::replace(kind.begin(), kind.end(), '_', '-');
    return kind + ":" + d.hex;
}

std::string file_stat_identity(const std::string& path) {
    std::error_code ec;
    const auto size = fs::file_size(path, ec);
    const auto time = fs::last_write_time(path, ec);
    return fmt::format("{}@{}:{}", path, ec ? 0 : size, ec ? 0 : time.time_since_epoch().count());
}

}  // namespace ltx2
