// Row-wise FIR resampling against the grouped transposed / strided convolutions it replaces
// (replicate padding, gain, crops), for odd and even tap counts, ratios 2 and 3, short rows.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <span>
#include <vector>

#include "core/error.h"
#include "kernels/cpu/conv.h"
#include "kernels/cpu/fir_resample.h"
#include "test_kernels_util.h"

using namespace ltx2;
using namespace ltx2::cpu;
using namespace ltx2::ktest;

namespace {

// The [C, 1, K] filter of a grouped convolution whose every group uses `taps`.
Tensor grouped(const Tensor& taps, int64_t channels) {
    std::vector<float> f;
    for (int64_t c = 0; c < channels; ++c)
        for (float v : taps.to_vector()) f.push_back(v);
    return Tensor::from_f32({channels, 1, taps.numel()}, f);
}

void expect_close(const Tensor& got, const Tensor& want) {
    ASSERT_EQ(got.shape(), want.shape());
    const std::vector<float> g = got.to_vector(), w = want.to_vector();
    for (size_t i = 0; i < g.size(); ++i) ASSERT_NEAR(g[i], w[i], 1e-5f * (1.0f + std::abs(w[i]))) << i;
}

TEST(KernelsFir, UpsampleMatchesTheGroupedTransposedConvolution) {
    for (const auto [ratio, k, n, pad, crop_l, crop_r] :
         std::vector<std::array<int64_t, 6>>{{2, 12, 17, 5, 15, 15}, {2, 11, 3, 4, 13, 12}, {3, 43, 20, 7, 42, 40}, {2, 12, 1, 5, 15, 15}}) {
        const Tensor x = random_tensor({2, 3, n}, uint32_t(k + n)), taps = random_tensor({k}, 7);
        ConvTransposeParams p;
        p.strides = {ratio};
        p.groups = 3;
        Tensor ref = conv_transpose_nd(pad_nd(x, {pad}, {pad}, PadMode::Replicate), grouped(taps, 3), Tensor(), p, Precision::F32);
        ref = ref.slice(2, crop_l, ref.size(2) - crop_r).contiguous();
        for (float& v : std::span(ref.f32(), size_t(ref.numel()))) v *= float(ratio);

        FirUpsample up{taps.f32(), k, int(ratio), pad, crop_l, crop_r, float(ratio)};
        const int64_t len = fir_upsampled_length(n, up);
        Tensor got = Tensor::zeros({2, 3, len});
        for (int64_t r = 0; r < 6; ++r) fir_upsample_row(x.f32() + r * n, n, up, got.f32() + r * len);
        expect_close(got, ref);
    }
}

TEST(KernelsFir, DownsampleMatchesTheGroupedStridedConvolution) {
    for (const auto [k, n, pad_l, pad_r] : std::vector<std::array<int64_t, 4>>{{12, 34, 5, 6}, {11, 9, 5, 5}, {12, 7, 5, 6}}) {
        const Tensor x = random_tensor({1, 3, n}, uint32_t(k * n)), taps = random_tensor({k}, 9);
        ConvParams d;
        d.strides = {2};
        d.groups = 3;
        const Tensor ref = conv_nd(pad_nd(x, {pad_l}, {pad_r}, PadMode::Replicate), grouped(taps, 3), Tensor(), d, Precision::F32);
        FirDownsample down{taps.f32(), k, 2, pad_l, pad_r};
        const int64_t len = fir_downsampled_length(n, down);
        Tensor got = Tensor::zeros({1, 3, len});
        for (int64_t r = 0; r < 3; ++r) fir_downsample_row(x.f32() + r * n, n, down, got.f32() + r * len);
        expect_close(got, ref);
    }
}

// The definitions, one output at a time in the order the kernels promise (taps ascending in the
// padded input, products rounded before each sum): the SIMD paths must equal them bit for bit.
float upsampled_by_definition(const float* x, int64_t n, const FirUpsample& up, int64_t t) {
    float sum = 0.0f;
    for (int64_t i = 0; i < n + 2 * up.pad; ++i) {
        const int64_t tap = t - up.ratio * i;
        if (tap >= 0 && tap < up.num_taps) sum += x[std::clamp<int64_t>(i - up.pad, 0, n - 1)] * up.taps[tap];
    }
    return up.gain * sum;
}

float downsampled_by_definition(const float* x, int64_t n, const FirDownsample& down, int64_t j) {
    float sum = 0.0f;
    for (int64_t q = 0; q < down.num_taps; ++q)
        sum += x[std::clamp<int64_t>(j * down.ratio - down.pad_left + q, 0, n - 1)] * down.taps[q];
    return sum;
}

TEST(KernelsFir, LongRowsEqualTheDefinitionBitForBit) {
    // BigVGAN's kaiser filters (12 taps), odd tap counts, odd crops, rows of every length near
    // the SIMD block edges.
    for (const auto [k, pad, crop_l, crop_r] :
         std::vector<std::array<int64_t, 4>>{{12, 5, 15, 15}, {11, 4, 13, 12}, {12, 5, 14, 16}, {2, 0, 1, 0}}) {
        const Tensor taps = random_tensor({k}, uint32_t(k));
        for (int64_t n : {int64_t(1), int64_t(15), int64_t(16), int64_t(33), int64_t(64), int64_t(1001)}) {
            const Tensor x = random_tensor({n}, uint32_t(n + k));
            FirUpsample up{taps.f32(), k, 2, pad, crop_l, crop_r, 2.0f};
            const int64_t len = fir_upsampled_length(n, up);
            std::vector<float> got(static_cast<size_t>(len));
            fir_upsample_row(x.f32(), n, up, got.data());
            for (int64_t o = 0; o < len; ++o)
                ASSERT_EQ(got[size_t(o)], upsampled_by_definition(x.f32(), n, up, o + crop_l))
                    << "upsampling, k " << k << ", n " << n << ", output " << o;

            if (n + pad + pad < k) continue;
            FirDownsample down{taps.f32(), k, 2, pad, pad + (k % 2)};
            const int64_t dlen = fir_downsampled_length(n, down);
            std::vector<float> dgot(static_cast<size_t>(dlen));
            fir_downsample_row(x.f32(), n, down, dgot.data());
            for (int64_t j = 0; j < dlen; ++j)
                ASSERT_EQ(dgot[size_t(j)], downsampled_by_definition(x.f32(), n, down, j))
                    << "downsampling, k " << k << ", n " << n << ", output " << j;
        }
    }
}

TEST(KernelsFir, RowsTooShortForTheFilterAreRefused) {
    const Tensor taps = random_tensor({12}, 1);
    EXPECT_THROW((void)fir_downsampled_length(2, FirDownsample{taps.f32(), 12, 2, 1, 1}), Error);
    EXPECT_THROW((void)fir_upsampled_length(1, FirUpsample{taps.f32(), 12, 2, 0, 20, 20, 2.0f}), Error);
}

}  // namespace
