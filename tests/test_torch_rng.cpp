// torch's CPU generator: mt19937 stream, uniform and normal draws, the golden torch.randn draws
// (both sampling paths, float32 and bf16, consecutive draws) and the Gaussian noiser.
#include <gtest/gtest.h>

#include <random>
#include <string>

#include "diffusion/noiser.h"
#include "core/torch_rng.h"
#include "parity/parity.h"
#include "parity/kinds.h"
#include "test_util.h"

using namespace ltx2;

namespace {

std::string golden(const std::string& rel) { return std::string(LTX2_GOLDEN_DIR) + "/" + rel; }

void expect_all_pass(const ParityRun& run) {
    ASSERT_FALSE(run.checks().empty());
    for (const auto& c : run.checks())
        EXPECT_TRUE(c.pass) << c.name << ": max abs err " << c.max_abs_err << " (tolerance " << c.tolerance << ")";
}

std::vector<uint32_t> bits_of(const Tensor& t) {
    Tensor f = t.to(DType::F32);
    std::vector<uint32_t> out(size_t(f.numel()));
    std::memcpy(out.data(), f.f32(), out.size() * 4);
    return out;
}

}  // namespace

TEST(TorchRng, Mt19937MatchesReferenceValues) {
    TorchGenerator g(5489);
    EXPECT_EQ(g.random(), 3499211612u);
    TorchGenerator g2(5489);
    uint32_t v = 0;
    for (int i = 0; i < 10000; ++i) v = g2.random();
    EXPECT_EQ(v, 4123659995u);
}

TEST(TorchRng, Mt19937MatchesStdForTorchStyleSeeds) {
    // torch seeds mt19937 with the low 32 bits of the 64-bit seed.
    for (uint64_t seed : {0ull, 1ull, 42ull, 2147483659ull, 0x1234567890abcdefull}) {
        TorchGenerator g(seed);
        std::mt19937 ref(uint32_t(seed & 0xffffffffu));
        for (int i = 0; i < 2000; ++i) ASSERT_EQ(g.random(), ref()) << "seed " << seed << " output " << i;
    }
}

TEST(TorchRng, Random64AndUniforms) {
    TorchGenerator a(7), b(7);
    const uint32_t hi = a.random(), lo = a.random();
    EXPECT_EQ(b.random64(), (uint64_t(hi) << 32) | lo);
    TorchGenerator c(7), d(7);
    const uint32_t r = c.random();
    EXPECT_EQ(d.uniform_float(), float(r & 0xffffffu) / 16777216.0f);
    TorchGenerator e(9), f(9);
    const uint64_t r64 = e.random64();
    EXPECT_EQ(f.uniform_double(), double(r64 & ((uint64_t(1) << 53) - 1)) / 9007199254740992.0);
}

TEST(TorchRng, NormalDoubleCachesSecondValue) {
    TorchGenerator g(3);
    g.normal_double();
    TorchGenerator h(3);
    h.normal_double();
    h.normal_double();  // the cached sine value: draws nothing
    EXPECT_EQ(g.random(), h.random());
}

TEST(TorchRng, DeterministicAndSeedDependent) {
    for (int64_t n : {5, 16, 37, 1000}) {
        for (DType dt : {DType::F32, DType::BF16}) {
            TorchGenerator a(123), b(123), c(124);
            const auto x = bits_of(a.randn({n}, dt));
            EXPECT_EQ(x, bits_of(b.randn({n}, dt))) << n;
            EXPECT_NE(x, bits_of(c.randn({n}, dt))) << n;
            // the stream moves on: a second draw differs from the first
            EXPECT_NE(x, bits_of(a.randn({n}, dt))) << n;
        }
    }
    TorchGenerator a(5), b(5);
    a.manual_seed(77);
    TorchGenerator c(77);
    EXPECT_EQ(bits_of(a.randn({40}, DType::F32)), bits_of(c.randn({40}, DType::F32)));
    EXPECT_EQ(a.initial_seed(), 77u);
}

TEST(TorchRng, ShapeAndDtypeOfDraw) {
    TorchGenerator g(1);
    Tensor t = g.randn({2, 3, 5}, DType::BF16);
    EXPECT_EQ(t.dtype(), DType::BF16);
    EXPECT_EQ(t.shape(), (Shape{2, 3, 5}));
    EXPECT_TRUE(t.is_contiguous());
}

TEST(TorchRng, UnsupportedDtypeIsAnError) {
    TorchGenerator g(1);
    test::expect_error([&] { g.randn({4}, DType::F16); }, {"unsupported dtype", "F16", "F32", "BF16"});
    test::expect_error([&] { g.randn({4}, DType::I64); }, {"unsupported dtype", "I64"});
}

TEST(TorchRng, GoldenTorchCpuRandn) {
    ParityRun run(golden("rng/torch_cpu_randn.io.safetensors"), std::nullopt, "");
    ASSERT_EQ(run.kind(), "rng.torch_cpu_randn");
    parity_rng_torch_cpu_randn(run);
    expect_all_pass(run);
    EXPECT_EQ(run.checks().size(), 16u);  // 7 cases x 2 dtypes + seq x 2
}

TEST(TorchRng, GoldenNoiser) {
    ParityRun run(golden("components/noiser.io.safetensors"), std::nullopt, "");
    ASSERT_EQ(run.kind(), "components.noiser");
    parity_components_noiser(run);
    expect_all_pass(run);
    EXPECT_EQ(run.checks().size(), 4u);
}

TEST(TorchRng, NoiserBlendsByMask) {
    Tensor latent = Tensor::from_f32({1, 2, 3}, {1, 2, 3, 4, 5, 6});
    Tensor mask = Tensor::from_f32({1, 2, 1}, {0, 1});
    TorchGenerator g(10), h(10);
    NoisedLatent r = gaussian_noise_latent_with_noise(latent, mask, 1.0, g);
    Tensor noise = h.randn({1, 2, 3}, DType::F32);
    for (int64_t c = 0; c < 3; ++c) {
        EXPECT_EQ(r.latent.at({0, 0, c}), latent.at({0, 0, c}));  // mask 0 keeps the latent
        EXPECT_EQ(r.latent.at({0, 1, c}), noise.at({0, 1, c}));   // mask 1 takes the noise
    }
    test::expect_error([&] { gaussian_noise_latent(latent, Tensor::from_f32({3}, {0, 1, 1}).reshape({1, 3, 1}), 1.0, g); },
                       {"does not broadcast"});
}
