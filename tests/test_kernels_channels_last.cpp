// The convolutions' activation transposes against their index definitions, bit for bit, for
// sizes that cut the tiles unevenly, batches, and the bf16 rounding of the input side.
#include <gtest/gtest.h>

#include <array>
#include <bit>
#include <vector>

#include "core/dtype.h"
#include "kernels/cpu/channels_last.h"
#include "test_kernels_util.h"

using namespace ltx2;
using namespace ltx2::cpu;
using namespace ltx2::ktest;

TEST(KernelsChannelsLast, TransposesBothWaysAndRoundsToBf16) {
    for (const auto [B, C, S] : std::vector<std::array<int64_t, 3>>{{1, 1, 1}, {2, 3, 5}, {2, 70, 300}, {1, 129, 1025}}) {
        const Tensor x = random_tensor({B, C, S}, uint32_t(C * S), 4.0f);
        const float* in = x.f32();
        std::vector<float> last(size_t(B * C * S)), back(last.size());
        std::vector<uint16_t> last16(last.size());
        to_channels_last(in, B, C, S, last.data());
        to_channels_last_bf16(in, B, C, S, last16.data());
        for (int64_t b = 0; b < B; ++b)
            for (int64_t c = 0; c < C; ++c)
                for (int64_t s = 0; s < S; ++s) {
                    const float v = in[(b * C + c) * S + s];
                    const size_t at = size_t((b * S + s) * C + c);
                    ASSERT_EQ(std::bit_cast<uint32_t>(last[at]), std::bit_cast<uint32_t>(v)) << b << "," << c << "," << s;
                    ASSERT_EQ(last16[at], f32_to_bf16(v)) << b << "," << c << "," << s;
                }
        from_channels_last(last.data(), B, C, S, back.data());
        for (size_t i = 0; i < back.size(); ++i) ASSERT_EQ(std::bit_cast<uint32_t>(back[i]), std::bit_cast<uint32_t>(in[i])) << i;
    }
}
