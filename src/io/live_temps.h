#pragma once
// The temporary files and folders this process is writing, so that SIGINT, SIGTERM and SIGHUP
// remove them before the process dies. The handler only unlinks (async-signal-safe system calls),
// then the signal ends the process as it would have without the handler, so the exit status
// still says "killed by signal". Temps of a process killed otherwise (SIGKILL, power loss) are
// removed by the next run writing into their folder (io/sibling_temp.h).
#include <string>

namespace ltx2 {

enum class TempKind { File, Folder };  // a Folder temp holds plain files only

// Records `path` (made absolute) as live until forget_live_temp(slot). Returns the slot, or -1
// when every slot is taken (that temp is then left to the next run's clean-up).
int remember_live_temp(const std::string& path, TempKind kind);
void forget_live_temp(int slot);

// Installs the handlers for SIGINT, SIGTERM and SIGHUP (a signal the process was started with
// ignored stays ignored, as for a background job); programs call it once before they write.
void remove_live_temps_on_signals();

}  // namespace ltx2
