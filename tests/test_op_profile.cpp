// The op profile (ops/op_profile.h): each op call of the op API counted once under its op's
// name, with its time, only while profiling is on.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "core/random_tensor.h"
#include "ops/elementwise.h"
#include "ops/linear.h"
#include "ops/norm.h"
#include "ops/op_profile.h"
#include "test_util.h"

using namespace ltx2;

namespace {

const OpTime* find_op(const std::vector<OpTime>& times, const std::string& op) {
    const auto it = std::find_if(times.begin(), times.end(), [&](const OpTime& t) { return t.op == op; });
    return it == times.end() ? nullptr : &*it;
}

// Profiling switched on for one scope, the totals cleared.
struct ProfilingScope {
    ProfilingScope() {
        reset_op_profile();
        set_op_profiling(true);
    }
    ~ProfilingScope() {
        set_op_profiling(false);
        reset_op_profile();
    }
};

}  // namespace

TEST(OpProfile, EachOpCallIsCountedUnderItsNameWithItsTime) {
    const Tensor x = random_uniform_tensor({64, 256}, DType::F32, 1.0f, 1);
    const Tensor w = random_uniform_tensor({512, 256}, DType::BF16, 0.1f, 2);
    const Tensor norm_weight = random_uniform_tensor({512}, DType::F32, 1.0f, 3);
    const ProfilingScope profiling;
    Tensor y;
    for (int i = 0; i < 3; ++i) y = linear(x, w, Tensor());
    rms_norm_inplace(y, norm_weight, 1e-6f);
    add_inplace(y, y);

    const std::vector<OpTime> times = op_profile();
    const OpTime* lin = find_op(times, "linear");
    const OpTime* norm = find_op(times, "rms_norm_inplace");
    const OpTime* add = find_op(times, "add_inplace");
    ASSERT_TRUE(lin && norm && add) << describe_op_profile(times, 1.0);
    EXPECT_EQ(lin->calls, 3);
    EXPECT_EQ(norm->calls, 1);
    EXPECT_EQ(add->calls, 1);
    EXPECT_GT(lin->seconds, 0.0);
    EXPECT_TRUE(std::is_sorted(times.begin(), times.end(),
                               [](const OpTime& a, const OpTime& b) { return a.seconds > b.seconds; }));
    const std::string table = describe_op_profile(times, 1.0);
    ltx2::test::expect_contains(table, {"linear", "rms_norm_inplace", "(outside the ops)"});
}

TEST(OpProfile, NothingIsRecordedWhileItIsOff) {
    reset_op_profile();
    set_op_profiling(false);
    const Tensor x = random_uniform_tensor({8, 32}, DType::F32, 1.0f, 1);
    const Tensor w = random_uniform_tensor({16, 32}, DType::F32, 0.1f, 2);
    (void)linear(x, w, Tensor());
    EXPECT_TRUE(op_profile().empty());
}
