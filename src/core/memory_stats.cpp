#include "core/memory_stats.h"

#include <cstdio>
#include <cstring>

namespace ltx2 {

namespace {
// Reads a "Key:   N kB" line of /proc/self/status; 0 when unavailable.
uint64_t proc_status_kb(const char* key) {
    FILE* f = std::fopen("/proc/self/status", "r");
    if (!f) return 0;
    char line[256];
    uint64_t value = 0;
    const size_t key_len = std::strlen(key);
    while (std::fgets(line, sizeof line, f)) {
        if (std::strncmp(line, key, key_len) == 0 && line[key_len] == ':') {
            unsigned long long kb = 0;
            if (std::sscanf(line + key_len + 1, "%llu", &kb) == 1) value = kb;
            break;
        }
    }
    std::fclose(f);
    return value;
}
}  // namespace

uint64_t peak_rss_bytes() { return proc_status_kb("VmHWM") * 1024; }
uint64_t current_rss_bytes() { return proc_status_kb("VmRSS") * 1024; }

}  // namespace ltx2
