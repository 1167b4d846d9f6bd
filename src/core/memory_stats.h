#pragma once
// Process memory and I/O figures for progress output and benchmarks.
#include <cstdint>

namespace ltx2 {

uint64_t peak_rss_bytes();     // high-water mark of resident memory (VmHWM)
uint64_t current_rss_bytes();  // resident memory now (VmRSS)
// Starts a new high-water mark at the current resident memory (Linux: /proc/self/clear_refs),
// so that peak_rss_bytes() covers one job of a long-running process; false where unsupported.
bool reset_peak_rss();
uint64_t available_memory_bytes();  // what the system could give us now (MemAvailable); 0 if unknown
uint64_t storage_read_bytes();      // bytes this process caused to be read from storage (/proc/self/io)

}  // namespace ltx2
