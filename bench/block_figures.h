#pragma once
// The check that a benchmark's figures (bench_block, bench_attention, bench_gemma) are physically
// possible before they are reported.
#include <cmath>
#include <optional>
#include <string>

#include <fmt/format.h>

#include "sample_stats.h"

namespace ltx2::bench {

// The highest share of the matmul peak a block may reach before its figure counts as impossible.
// A block is a handful of matmuls of about the peak's shape plus attention and elementwise work,
// which all run slower, so its true rate is below 100 %. The 5 % above that absorb the peak's own
// sampling error: the peak is the best of a limited number of samples on a machine whose
// throughput varies, so it can miss the machine's true best by a few per cent, as the block's
// fastest run can catch a luckier moment. Beyond 105 % the block's time or its FLOP count is wrong.
inline constexpr double kMaxPlausiblePercentOfPeak = 105.0;

// Why a block's timings (seconds per repetition) cannot be true for `gflop` of work against a
// `peak_gflops` matmul, or nothing when they can. Every sample is checked: the fastest run, too,
// must be possible.
inline std::optional<std::string> impossible_block_timing(const std::string& what, const Spread& seconds, double gflop,
                                                          double peak_gflops) {
    if (!(seconds.min > 0) || !std::isfinite(seconds.max))
        return fmt::format("{}: a time of {:.3f} ms is not a time (the compute was not measured)", what,
                           seconds.min * 1e3);
    const double best_percent = 100.0 * gflop / seconds.min / peak_gflops;
    if (!(best_percent <= kMaxPlausiblePercentOfPeak))
        return fmt::format("{}: the fastest run ({:.1f} ms for {:.1f} GFLOP) ran at {:.0f} % of the {:.0f} GFLOP/s "
                           "matmul peak; more than {:.0f} % is impossible",
                           what, seconds.min * 1e3, gflop, best_percent, peak_gflops, kMaxPlausiblePercentOfPeak);
    return std::nullopt;
}

}  // namespace ltx2::bench
