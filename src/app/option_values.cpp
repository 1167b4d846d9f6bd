#include "app/option_values.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <random>
#include <thread>

#include "core/error.h"

namespace ltx2::app {

SeedChoice parse_seed(const std::string& text) {
    if (text == "-1" || text == "random") {
        std::random_device source;  // the operating system's entropy, not a clock
        const uint64_t high = source(), low = source();
        return {(high << 32) ^ low, true};
    }
    uint64_t seed = 0;
    const char* end = text.data() + text.size();
    const bool digits = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
    const auto [stop, error] = std::from_chars(text.data(), end, seed);
    if (!digits || error != std::errc() || stop != end)
        fail("--seed {}: expected a whole number from 0 to 18446744073709551615, or -1 / random for a random seed",
             text);
    return {seed, false};
}

void check_number_in_range(double value, const char* option, double min, double max, const char* meaning) {
    if (std::isfinite(value) && value >= min && value <= max) return;
    fail("{} {}: expected a finite number in [{}, {}]{}{}", option, value, min, max, *meaning ? ", " : "", meaning);
}

int max_thread_count() {
    const int hardware = int(std::max(1u, std::thread::hardware_concurrency()));
    return std::min(4 * hardware, 1024);
}

}  // namespace ltx2::app
