// Temps beside an output (see sibling_temp.h).
#include "io/sibling_temp.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <random>
#include <string_view>

#include "core/error.h"
#include "core/regular_file.h"

namespace ltx2 {

namespace {

namespace fs = std::filesystem;

constexpr std::string_view kMarker = ".ltx2-tmp-";
constexpr size_t kRandomDigits = 8;
constexpr int kCreateAttempts = 16;

std::string random_hex() {
    thread_local std::mt19937_64 engine{
        std::random_device{}() ^ (uint64_t(::getpid()) << 32) ^
        uint64_t(std::chrono::steady_clock::now().time_since_epoch().count())};
    return fmt::format("{:08x}", uint32_t(engine()));
}

std::string temp_name(const std::string& name, pid_t pid, const std::string& random) {
    return fmt::format(".{}{}{}-{}", name, kMarker, pid, random);
}

bool all_of(std::string_view text, bool (*accept)(char)) {
    for (const char c : text)
        if (!accept(c)) return false;
    return !text.empty();
}

// The process that made a temp of ours named `entry`; nothing for any other name.
std::optional<pid_t> temp_owner(const std::string& entry) {
    const size_t marker = entry.rfind(kMarker);
    if (entry.empty() || entry[0] != '.' || marker == std::string::npos || marker < 2) return std::nullopt;
    const std::string_view rest = std::string_view(entry).substr(marker + kMarker.size());
    const size_t dash = rest.find('-');
    if (dash == std::string_view::npos || dash > 9) return std::nullopt;
    const std::string_view pid = rest.substr(0, dash), random = rest.substr(dash + 1);
    if (!all_of(pid, [](char c) { return c >= '0' && c <= '9'; }) || random.size() != kRandomDigits ||
        !all_of(random, [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }))
        return std::nullopt;
    const long value = std::strtol(std::string(pid).c_str(), nullptr, 10);
    if (value <= 0) return std::nullopt;
    return pid_t(value);
}

// "frames/" names the folder "frames".
fs::path without_trailing_separator(const std::string& path) {
    const fs::path p(path);
    return !p.has_filename() && p.has_parent_path() ? p.parent_path() : p;
}

void pause_for_tests(const std::string& name) {
    const char* pause_name = std::getenv("LTX2_TEST_PAUSE_AFTER_TEMP");
    if (pause_name == nullptr || name != pause_name) return;
    for (int i = 0; i < 600; ++i) ::usleep(100 * 1000);
}

}  // namespace

bool process_is_gone(pid_t pid) { return pid != ::getpid() && ::kill(pid, 0) != 0 && errno == ESRCH; }

size_t sibling_temp_name_length(const std::string& name) {
    return temp_name(name, ::getpid(), std::string(kRandomDigits, '0')).size();
}

void remove_stale_sibling_temps(const std::string& folder) {
    std::error_code ec;
    for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
        const std::optional<pid_t> owner = temp_owner(it->path().filename().string());
        if (!owner || !process_is_gone(*owner)) continue;
        std::error_code remove_ec;
        fs::remove_all(it->path(), remove_ec);
    }
}

SiblingTemp::SiblingTemp(const std::string& target, TempKind kind) : kind_(kind) {
    const fs::path t = without_trailing_separator(target);
    target_ = t.string();
    const fs::path folder = t.parent_path().empty() ? fs::path(".") : t.parent_path();
    remove_stale_sibling_temps(folder.string());
    const std::string name = t.filename().string();
    for (int attempt = 1;; ++attempt) {
        path_ = (folder / temp_name(name, ::getpid(), random_hex())).string();
        slot_ = remember_live_temp(path_, kind);  // before it exists, so that a signal never misses it
        const bool created = kind == TempKind::File
                                 ? (fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) >= 0
                                 : ::mkdir(path_.c_str(), 0755) == 0;
        if (created) break;
        const int error = errno;
        forget_live_temp(slot_);
        slot_ = -1;
        if (error != EEXIST || attempt == kCreateAttempts)
            fail("{}: cannot create the temporary {} {}: {}", target_, kind == TempKind::File ? "file" : "folder",
                 path_, std::strerror(error));
    }
    pause_for_tests(name);
}

SiblingTemp::~SiblingTemp() {
    if (fd_ >= 0) ::close(fd_);
    if (!committed_) {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    forget_live_temp(slot_);
}

void SiblingTemp::close_file() {
    if (fd_ < 0) return;
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) fail("{}: close failed: {}", target_, std::strerror(errno));
}

void SiblingTemp::commit() {
    close_file();
    struct stat st {};
    const bool exists = ::lstat(target_.c_str(), &st) == 0;
    // rename() itself refuses a folder onto a file and a file onto a folder, but replaces any other node.
    if (exists && (S_ISLNK(st.st_mode) || (kind_ == TempKind::File && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))))
        fail("{}: {}; it was not replaced", target_, output_file_problem(target_).value_or("is not a regular file"));
    if (::rename(path_.c_str(), target_.c_str()) != 0)
        fail("{}: cannot rename {} onto it: {}", target_, path_, std::strerror(errno));
    committed_ = true;
    forget_live_temp(slot_);
    slot_ = -1;
}

}  // namespace ltx2
