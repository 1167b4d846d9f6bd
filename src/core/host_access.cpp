#include "core/host_access.h"

#include <atomic>

namespace ltx2 {

namespace {
std::atomic<int> g_running_ops{0};
}  // namespace

OpScope::OpScope() { g_running_ops.fetch_add(1, std::memory_order_relaxed); }
OpScope::~OpScope() { g_running_ops.fetch_sub(1, std::memory_order_relaxed); }

bool op_running() { return g_running_ops.load(std::memory_order_relaxed) > 0; }

}  // namespace ltx2
