// Rotary embeddings: ladder, angles, tables, application, and the golden fixtures.
#include <gtest/gtest.h>

#include <filesystem>
#include <numbers>

#include "kernels/cpu/rope.h"
#include "parity/parity.h"
#include "test_kernels_util.h"

using namespace ltx2;
using namespace ltx2::cpu;
using namespace ltx2::ktest;

namespace {

// Positions [B, n_axes, T, 2] with start/end bounds like the pipelines (end = start + width).
Tensor make_positions(int64_t B, int64_t n_axes, int64_t T, uint32_t seed) {
    std::mt19937 g(seed);
    std::uniform_real_distribution<float> u(0.f, 50.f);
    Tensor p = Tensor::zeros({B, n_axes, T, 2});
    for (int64_t i = 0; i < B * n_axes * T; ++i) {
        float s = u(g);
        p.f32()[2 * i] = s;
        p.f32()[2 * i + 1] = s + (i % 2 ? 1.0f : 0.32f);
    }
    return p;
}

RopeSpec spec_of(int dim, int heads, std::vector<double> max_pos, RopeLayout layout) {
    RopeSpec s;
    s.dim = dim;
    s.heads = heads;
    s.max_pos = std::move(max_pos);
    s.layout = layout;
    return s;
}

}  // namespace

TEST(RopeKernels, FrequencyLadders) {
    RopeSpec s = spec_of(4096, 32, {20, 2048, 2048}, RopeLayout::Split);
    auto g = rope_frequency_grid(s, 3);
    ASSERT_EQ(g.size(), 682u);
    for (size_t j = 0; j < g.size(); ++j) {
        double e = j + 1 == g.size() ? 1.0 : double(j) * (1.0 / 681.0);
        EXPECT_EQ(g[j], float(std::pow(10000.0, e) * std::numbers::pi / 2.0)) << j;
    }
    EXPECT_EQ(g[0], float(std::numbers::pi / 2));
    s.float64_frequencies = false;
    auto g32 = rope_frequency_grid(s, 3);
    for (size_t j = 0; j < g.size(); ++j) EXPECT_NEAR(g32[j], g[j], 2e-6 * g[j]);
    RopeSpec a = spec_of(2048, 32, {20}, RopeLayout::Split);
    EXPECT_EQ(rope_frequency_grid(a, 1).size(), 1024u);
}

TEST(RopeKernels, AnglesUseFloat32Operations) {
    RopeSpec s = spec_of(96, 2, {20, 2048, 2048}, RopeLayout::Split);
    Tensor pos = make_positions(2, 3, 5, 1);
    Tensor ang = rope_angles(pos, s);
    auto g = rope_frequency_grid(s, 3);
    ASSERT_EQ(ang.shape(), (Shape{2, 5, int64_t(g.size()) * 3}));
    for (int64_t b = 0; b < 2; ++b)
        for (int64_t t = 0; t < 5; ++t)
            for (size_t j = 0; j < g.size(); ++j)
                for (int64_t a = 0; a < 3; ++a) {
                    float mid = (float(pos.at({b, a, t, 0})) + float(pos.at({b, a, t, 1}))) / 2.0f;
                    float x = mid / float(s.max_pos[size_t(a)]);
                    x = x * 2.0f;
                    x = x - 1.0f;
                    ASSERT_EQ(float(ang.at({b, t, int64_t(j) * 3 + a})), g[j] * x);
                }
    // bf16 positions: each step rounded to bf16.
    Tensor pb = pos.to(DType::BF16);
    Tensor angb = rope_angles(pb, s);
    float mid = round_to_bf16(round_to_bf16(float(pb.at({1, 2, 4, 0})) + float(pb.at({1, 2, 4, 1}))) / 2.0f);
    float x = round_to_bf16(round_to_bf16(round_to_bf16(mid / 2048.0f) * 2.0f) - 1.0f);
    EXPECT_EQ(float(angb.at({1, 4, 3 * 5 + 2})), g[5] * x);
}

TEST(RopeKernels, SplitTableAndApply) {
    // dim 100, 2 heads, 3 axes: 16 freqs × 3 = 48 angles, pad 2 in front; head_dim 50.
    RopeSpec s = spec_of(100, 2, {20, 2048, 2048}, RopeLayout::Split);
    Tensor pos = make_positions(2, 3, 7, 2);
    RopeTable tab = rope_table(pos, s);
    Tensor ang = rope_angles(pos, s);
    ASSERT_EQ(tab.cos.shape(), (Shape{2, 7, 50}));
    for (int64_t b = 0; b < 2; ++b)
        for (int64_t t = 0; t < 7; ++t) {
            EXPECT_EQ(tab.cos.at({b, t, 0}), 1.0);
            EXPECT_EQ(tab.sin.at({b, t, 1}), 0.0);
            for (int64_t i = 0; i < 48; ++i) {
                ASSERT_NEAR(tab.cos.at({b, t, 2 + i}), std::cos(ang.at({b, t, i})), 1e-7);
                ASSERT_NEAR(tab.sin.at({b, t, 2 + i}), std::sin(ang.at({b, t, i})), 1e-7);
            }
        }
    Tensor x = random_tensor({2, 7, 100}, 3);
    Tensor y = x.clone();
    rope_apply_inplace(y, tab);
    std::vector<double> ref;
    for (int64_t b = 0; b < 2; ++b)
        for (int64_t t = 0; t < 7; ++t)
            for (int64_t h = 0; h < 2; ++h)
                for (int64_t half = 0; half < 2; ++half)
                    for (int64_t i = 0; i < 25; ++i) {
                        double c = tab.cos.at({b, t, h * 25 + i}), sn = tab.sin.at({b, t, h * 25 + i});
                        double u = x.at({b, t, h * 50 + i}), w = x.at({b, t, h * 50 + 25 + i});
                        ref.push_back(half == 0 ? u * c - w * sn : w * c + u * sn);
                    }
    EXPECT_LT(rel_error(y.to_vector(), ref), 1e-6);
}

TEST(RopeKernels, InterleavedTableAndApply) {
    // dim 40, 3 axes: 6 freqs, 36 entries, pad 40 mod 6 = 4 in front.
    RopeSpec s = spec_of(40, 1, {20, 2048, 2048}, RopeLayout::Interleaved);
    Tensor pos = make_positions(1, 3, 6, 4);
    RopeTable tab = rope_table(pos, s);
    ASSERT_EQ(tab.cos.shape(), (Shape{1, 6, 40}));
    Tensor ang = rope_angles(pos, s);
    for (int64_t t = 0; t < 6; ++t) {
        for (int64_t i = 0; i < 4; ++i) EXPECT_EQ(tab.cos.at({0, t, i}), 1.0);
        for (int64_t i = 0; i < 18; ++i) {
            EXPECT_EQ(tab.cos.at({0, t, 4 + 2 * i}), tab.cos.at({0, t, 5 + 2 * i}));
            EXPECT_NEAR(tab.sin.at({0, t, 4 + 2 * i}), std::sin(ang.at({0, t, i})), 1e-7);
        }
    }
    Tensor x = random_tensor({1, 6, 40}, 5);
    Tensor y = x.clone();
    rope_apply_inplace(y, tab);
    std::vector<double> ref;
    for (int64_t t = 0; t < 6; ++t)
        for (int64_t p = 0; p < 40; p += 2) {
            double x0 = x.at({0, t, p}), x1 = x.at({0, t, p + 1});
            ref.push_back(x0 * tab.cos.at({0, t, p}) - x1 * tab.sin.at({0, t, p}));
            ref.push_back(x1 * tab.cos.at({0, t, p + 1}) + x0 * tab.sin.at({0, t, p + 1}));
        }
    EXPECT_LT(rel_error(y.to_vector(), ref), 1e-6);
}

TEST(RopeGolden, FixturesPass) {
    namespace fs = std::filesystem;
    const fs::path dir = fs::path(LTX2_GOLDEN_DIR) / "rope";
    ASSERT_TRUE(fs::exists(dir)) << "no rope fixtures in " << dir;
    int n = 0;
    for (const auto& e : fs::directory_iterator(dir)) {
        const std::string p = e.path().string();
        if (!p.ends_with(".io.safetensors")) continue;
        ParityRun run(p, std::nullopt, "");
        auto fn = find_parity_kind(run.kind());
        ASSERT_NE(fn, nullptr) << run.kind();
        fn(run);
        EXPECT_TRUE(run.all_passed()) << p;
        for (const auto& c : run.checks()) EXPECT_TRUE(c.pass) << p << " " << c.name << " rel " << c.rel_err;
        ++n;
    }
    EXPECT_GE(n, 4);
}
