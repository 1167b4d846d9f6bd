#include "ops/op_profile.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>

namespace ltx2 {

namespace {

bool profiling_from_environment() {
    const char* v = std::getenv("LTX2_PROFILE_OPS");
    return v != nullptr && std::strcmp(v, "1") == 0;
}

std::atomic<bool> g_profiling{profiling_from_environment()};
thread_local int t_depth = 0;  // op calls of this thread under way

struct Totals {
    std::mutex mutex;
    std::map<const char*, OpTime> by_function;  // keyed by source_location's function name
};
Totals& totals() {
    static Totals t;
    return t;
}

int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

// "ltx2::Tensor ltx2::rms_norm(const ltx2::Tensor&, ...)" -> "rms_norm".
std::string op_name(const char* function) {
    std::string name = function;
    if (const size_t paren = name.find('('); paren != std::string::npos) name.resize(paren);
    if (const size_t space = name.rfind(' '); space != std::string::npos) name.erase(0, space + 1);
    if (const size_t scope = name.rfind("::"); scope != std::string::npos) name.erase(0, scope + 2);
    return name;
}

}  // namespace

void set_op_profiling(bool on) { g_profiling.store(on, std::memory_order_relaxed); }
bool op_profiling() { return g_profiling.load(std::memory_order_relaxed); }

void reset_op_profile() {
    Totals& t = totals();
    const std::lock_guard lock(t.mutex);
    t.by_function.clear();
}

std::vector<OpTime> op_profile() {
    Totals& t = totals();
    std::map<std::string, OpTime> by_name;  // overloads of one op add up
    {
        const std::lock_guard lock(t.mutex);
        for (const auto& [function, time] : t.by_function) {
            OpTime& entry = by_name[op_name(function)];
            entry.calls += time.calls;
            entry.seconds += time.seconds;
        }
    }
    std::vector<OpTime> out;
    for (auto& [name, time] : by_name) {
        time.op = name;
        out.push_back(time);
    }
    std::sort(out.begin(), out.end(), [](const OpTime& a, const OpTime& b) { return a.seconds > b.seconds; });
    return out;
}

std::string describe_op_profile(const std::vector<OpTime>& times, double total_seconds) {
    std::string out = fmt::format("{:<32} {:>8} {:>10} {:>7}\n", "op", "calls", "ms", "share");
    double in_ops = 0;
    auto share = [&](double s) { return total_seconds > 0 ? 100.0 * s / total_seconds : 0.0; };
    for (const OpTime& t : times) {
        out += fmt::format("{:<32} {:>8} {:>10.1f} {:>6.1f}%\n", t.op, t.calls, 1e3 * t.seconds, share(t.seconds));
        in_ops += t.seconds;
    }
    out += fmt::format("{:<32} {:>8} {:>10.1f} {:>6.1f}%\n", "(outside the ops)", "", 1e3 * (total_seconds - in_ops),
                       share(total_seconds - in_ops));
    return out;
}

OpTimer::OpTimer(const char* function) {
    const bool outermost = t_depth++ == 0;
    if (!outermost || !op_profiling()) return;
    function_ = function;
    start_ns_ = now_ns();
}

OpTimer::~OpTimer() {
    --t_depth;
    if (function_ == nullptr) return;
    const double seconds = double(now_ns() - start_ns_) * 1e-9;
    Totals& t = totals();
    const std::lock_guard lock(t.mutex);
    OpTime& entry = t.by_function[function_];
    entry.calls += 1;
    entry.seconds += seconds;
}

}  // namespace ltx2
