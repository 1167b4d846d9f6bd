// The arithmetic behind the benchmarks' figures (bench/): medians and ranges of repeated
// timings, and the refusal of block figures that cannot be true. No timing is measured here.
#include <gtest/gtest.h>

#include "../bench/block_figures.h"
#include "../bench/sample_stats.h"

using namespace ltx2::bench;

TEST(BenchFigures, MedianRangeOfOddAndEvenCounts) {
    const Spread odd = spread_of({5.0, 1.0, 3.0});
    EXPECT_DOUBLE_EQ(odd.median, 3.0);
    EXPECT_DOUBLE_EQ(odd.min, 1.0);
    EXPECT_DOUBLE_EQ(odd.max, 5.0);
    EXPECT_DOUBLE_EQ(spread_of({4.0, 1.0, 2.0, 10.0}).median, 3.0);
    EXPECT_DOUBLE_EQ(median({}), 0.0);
}

TEST(BenchFigures, PossibleBlockTimingPasses) {
    // 100 GFLOP in 0.2 s against a 1000 GFLOP/s peak: 50 %; the fastest run 0.1 s: 100 %.
    EXPECT_FALSE(impossible_block_timing("block", {0.2, 0.1, 0.3}, 100.0, 1000.0));
}

TEST(BenchFigures, ZeroOrMissingBlockTimeIsImpossible) {
    const auto zero = impossible_block_timing("19b block, 384 video tokens", {0.2, 0.0, 0.3}, 100.0, 1000.0);
    ASSERT_TRUE(zero);
    EXPECT_NE(zero->find("19b block, 384 video tokens"), std::string::npos) << *zero;
    EXPECT_NE(zero->find("not a time"), std::string::npos) << *zero;
    EXPECT_TRUE(impossible_block_timing("block", {0.2, -0.1, 0.3}, 100.0, 1000.0));
    EXPECT_TRUE(impossible_block_timing("block", {NAN, NAN, NAN}, 100.0, 1000.0));
}

TEST(BenchFigures, AboveThePeakIsImpossible) {
    // The fastest run at 0.09 s is 111 % of the peak, even though the median is at 50 %.
    const auto fast = impossible_block_timing("block", {0.2, 0.09, 0.3}, 100.0, 1000.0);
    ASSERT_TRUE(fast);
    EXPECT_NE(fast->find("111 %"), std::string::npos) << *fast;
    // Within the tolerance for the peak's own noise: 104 % passes.
    EXPECT_FALSE(impossible_block_timing("block", {0.2, 100.0 / 1040.0, 0.3}, 100.0, 1000.0));
}
