#pragma once
// Summaries of repeated measurements: the median, and the median with the range.
#include <algorithm>
#include <vector>

namespace ltx2::bench {

// The middle sample (the mean of the middle two for an even count); 0 for none.
inline double median(std::vector<double> samples) {
    if (samples.empty()) return 0.0;
    std::sort(samples.begin(), samples.end());
    const size_t n = samples.size();
    return n % 2 ? samples[n / 2] : 0.5 * (samples[n / 2 - 1] + samples[n / 2]);
}

struct Spread {
    double median = 0, min = 0, max = 0;
};

inline Spread spread_of(const std::vector<double>& samples) {
    if (samples.empty()) return {};
    const auto [lo, hi] = std::minmax_element(samples.begin(), samples.end());
    return {median(samples), *lo, *hi};
}

}  // namespace ltx2::bench
