#include "core/memory_stats.h"

#include <cstdio>
#include <cstring>
#include <fstream>

namespace ltx2 {

namespace {
// The number N of a "Key:   N [kB]" line of a /proc file; 0 when unavailable.
uint64_t proc_value(const char* path, const char* key) {
    FILE* f = std::fopen(path, "r");
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

uint64_t peak_rss_bytes() { return proc_value("/proc/self/status", "VmHWM") * 1024; }
uint64_t current_rss_bytes() { return proc_value("/proc/self/status", "VmRSS") * 1024; }
bool reset_peak_rss() {
    std::ofstream clear_refs("/proc/self/clear_refs");
    clear_refs << "5";  // 5: reset the peak resident set size
    clear_refs.flush();
    return bool(clear_refs);
}

uint64_t available_memory_bytes() { return proc_value("/proc/meminfo", "MemAvailable") * 1024; }
uint64_t storage_read_bytes() { return proc_value("/proc/self/io", "read_bytes"); }

}  // namespace ltx2
