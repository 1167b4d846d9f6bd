#pragma once
// Option values that must not be coerced silently: the seed (a whole number that fits 64 bits, or
// -1 / random for one drawn from the system's random source), finite numbers within bounds, the
// thread count. Every error names the option and what was expected.
#include <cstdint>
#include <string>

namespace ltx2::app {

struct SeedChoice {
    uint64_t seed = 0;
    bool drawn = false;  // -1 or random: drawn here, to be printed so the run can be repeated
};

// "0" .. "18446744073709551615", or "-1" / "random"; anything else throws naming --seed.
SeedChoice parse_seed(const std::string& text);

// A finite value within [min, max]; throws "OPTION VALUE: expected ...".
void check_number_in_range(double value, const char* option, double min, double max, const char* meaning = "");

// The most --threads accepted: 4x the hardware threads, and never more than 1024.
int max_thread_count();

}  // namespace ltx2::app
