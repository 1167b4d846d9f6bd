// The registry of live temps and the signal handler that removes them (see live_temps.h).
#include "io/live_temps.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <climits>
#include <csignal>
#include <cstring>
#include <filesystem>

namespace ltx2 {

namespace {

enum SlotState : int { kFree = 0, kFilling = 1, kLive = 2 };

struct Slot {
    std::atomic<int> state{kFree};
    TempKind kind = TempKind::File;
    char path[PATH_MAX] = {};
};

// Fixed storage: the handler may not allocate. Each writer holds one slot while it writes.
constexpr int kSlots = 64;
Slot g_slots[kSlots];

// Removes the plain files in `path`, then the folder, with system calls only. Entries unlinked
// while the listing is read may shift it, so the listing is read again until nothing is left.
void remove_folder_in_handler(const char* path) {
    const int fd = ::open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return;
    alignas(8) char buffer[4096];
    for (int round = 0; round < 16; ++round) {
        bool removed = false;
        ::lseek(fd, 0, SEEK_SET);
        for (ssize_t n; (n = ::getdents64(fd, buffer, sizeof buffer)) > 0;) {
            for (ssize_t offset = 0; offset < n;) {
                const auto* entry = reinterpret_cast<const dirent64*>(buffer + offset);
                offset += entry->d_reclen;
                const char* name = entry->d_name;
                if (std::strcmp(name, ".") == 0 || std::strcmp(name, "..") == 0) continue;
                removed |= ::unlinkat(fd, name, 0) == 0;
            }
        }
        if (!removed) break;
    }
    ::close(fd);
    ::rmdir(path);
}

void remove_live_temps(int signal_number) {
    const int saved_errno = errno;
    for (Slot& slot : g_slots) {
        if (slot.state.load(std::memory_order_acquire) != kLive) continue;
        if (slot.kind == TempKind::Folder) remove_folder_in_handler(slot.path);
        else ::unlink(slot.path);
    }
    errno = saved_errno;
    // SA_RESETHAND restored the default action; the signal, blocked while the handler runs, ends
    // the process once it returns.
    ::raise(signal_number);
}

}  // namespace

int remember_live_temp(const std::string& path, TempKind kind) {
    std::error_code ec;
    const std::string absolute = std::filesystem::absolute(path, ec).string();
    if (ec || absolute.size() >= PATH_MAX) return -1;
    for (int i = 0; i < kSlots; ++i) {
        int expected = kFree;
        if (!g_slots[i].state.compare_exchange_strong(expected, kFilling, std::memory_order_acq_rel)) continue;
        g_slots[i].kind = kind;
        std::memcpy(g_slots[i].path, absolute.c_str(), absolute.size() + 1);
        g_slots[i].state.store(kLive, std::memory_order_release);
        return i;
    }
    return -1;
}

void forget_live_temp(int slot) {
    if (slot >= 0 && slot < kSlots) g_slots[slot].state.store(kFree, std::memory_order_release);
}

void remove_live_temps_on_signals() {
    static_assert(std::atomic<int>::is_always_lock_free, "the signal handler reads the slot states");
    struct sigaction action {};
    action.sa_handler = remove_live_temps;
    action.sa_flags = SA_RESETHAND;
    sigemptyset(&action.sa_mask);
    for (const int signal_number : {SIGINT, SIGTERM, SIGHUP}) {
        struct sigaction previous {};
        if (::sigaction(signal_number, nullptr, &previous) == 0 && previous.sa_handler == SIG_IGN) continue;
        ::sigaction(signal_number, &action, nullptr);
    }
}

}  // namespace ltx2
