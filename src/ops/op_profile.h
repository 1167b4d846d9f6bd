#pragma once
// Where a run's time goes, op by op. With profiling on (set_op_profiling, or $LTX2_PROFILE_OPS=1
// when the process starts), every call of the op API (ops/*.h, through call_backend) adds its wall
// time to the total of its op, named by the op's function. Calls made while another op of the same
// thread runs count in that op only. Off, an op call costs one relaxed atomic load more.
#include <cstdint>
#include <string>
#include <vector>

namespace ltx2 {

struct OpTime {
    std::string op;  // the op's function, e.g. "linear_into"
    int64_t calls = 0;
    double seconds = 0;
};

void set_op_profiling(bool on);
bool op_profiling();
// Forgets the totals so far.
void reset_op_profile();
// The totals since the last reset, the most time first.
std::vector<OpTime> op_profile();
// The totals as a table: op, calls, seconds, share of `total_seconds` (the wall time they are
// part of; what no op took is shown as "outside the ops").
std::string describe_op_profile(const std::vector<OpTime>& times, double total_seconds);

// Times one op call for the profile (ops/backend.h's BackendCall holds one).
class OpTimer {
public:
    explicit OpTimer(const char* function);
    ~OpTimer();
    OpTimer(const OpTimer&) = delete;
    OpTimer& operator=(const OpTimer&) = delete;

private:
    const char* function_ = nullptr;  // null: not timed
    int64_t start_ns_ = 0;
};

}  // namespace ltx2
