// Diffusion components: schedulers, sigma tables, guiders, patchifiers, Euler step, and the
// golden fixtures of golden/components (run through the parity functions directly).
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "test_util.h"
#include "core/error.h"
#include "diffusion/diffusion_steps.h"
#include "diffusion/guiders.h"
#include "diffusion/patchifiers.h"
#include "diffusion/schedulers.h"
#include "diffusion/sigmas.h"
#include "parity/kinds.h"

using namespace ltx2;
namespace fs = std::filesystem;

namespace {


void run_fixture(const std::string& file, void (*fn)(ParityRun&), size_t min_checks) {
    ltx2::test::expect_fixture_passes("components", file, fn, min_checks);
}

}  // namespace

TEST(ComponentsGolden, DistilledSigmas) { run_fixture("distilled_sigmas.io.safetensors", parity_components_distilled_sigmas, 2); }
TEST(ComponentsGolden, TimestepEmbedding) {
    run_fixture("timestep_sinusoid.io.safetensors", parity_components_timestep_embedding, 3);
}
TEST(ComponentsGolden, DiffusionSteps) { run_fixture("diffusion_steps.io.safetensors", parity_components_diffusion_steps, 12); }
TEST(ComponentsGolden, Scheduler) { run_fixture("schedulers.io.safetensors", parity_components_scheduler, 21); }
TEST(ComponentsGolden, Guiders) { run_fixture("guiders.io.safetensors", parity_components_guiders, 12); }
TEST(ComponentsGolden, Patchifiers) { run_fixture("patchifiers.io.safetensors", parity_components_patchifiers, 29); }

// ---- schedulers -----------------------------------------------------------------------------

TEST(ComponentsScheduler, LTX2OneStepIsTerminal) {
    auto s = ltx2_scheduler_sigmas(1);
    ASSERT_EQ(s.size(), 2u);
    EXPECT_NEAR(s[0], 0.1f, 1e-7);
    EXPECT_EQ(s[1], 0.0f);
    LTX2SchedulerOptions o;
    o.terminal = 0.05;
    EXPECT_NEAR(ltx2_scheduler_sigmas(1, 4096, o)[0], 0.05f, 1e-7);
}

TEST(ComponentsScheduler, LTX2ShapeAndMonotone) {
    for (int steps : {2, 8, 40}) {
        auto s = ltx2_scheduler_sigmas(steps, 6144);
        ASSERT_EQ(s.size(), size_t(steps + 1));
        EXPECT_EQ(s.back(), 0.0f);
        EXPECT_NEAR(s[size_t(steps - 1)], 0.1f, 1e-6);
        for (int i = 0; i < steps; ++i) EXPECT_GT(s[size_t(i)], s[size_t(i + 1)]);
    }
    LTX2SchedulerOptions no_stretch;
    no_stretch.stretch = false;
    auto s = ltx2_scheduler_sigmas(4, 4096, no_stretch);
    EXPECT_NEAR(s[0], 1.0f, 1e-6);
}

TEST(ComponentsScheduler, TokensFromLatentShape) {
    EXPECT_EQ(scheduler_tokens({1, 128, 16, 16, 24}), 6144);
    EXPECT_EQ(scheduler_tokens({1, 8, 126, 16}), 2016);
    EXPECT_THROW(scheduler_tokens({1, 128}), Error);
}

TEST(ComponentsScheduler, BadArguments) {
    EXPECT_THROW(ltx2_scheduler_sigmas(0), Error);
    EXPECT_THROW(ltx2_scheduler_sigmas(-3), Error);
    EXPECT_THROW(ltx2_scheduler_sigmas(8, 0), Error);
    LTX2SchedulerOptions o;
    o.terminal = 1.0;
    EXPECT_THROW(ltx2_scheduler_sigmas(8, 4096, o), Error);
    EXPECT_THROW(linear_quadratic_sigmas(0), Error);
    EXPECT_THROW(linear_quadratic_sigmas(8, 0.025, 0), Error);
    EXPECT_THROW(linear_quadratic_sigmas(8, 0.025, 9), Error);
    EXPECT_THROW(beta_sigmas(0), Error);
    EXPECT_THROW(beta_sigmas(8, 0.0, 0.6), Error);
    try {
        ltx2_scheduler_sigmas(0);
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("steps must be >= 1"), std::string::npos) << e.what();
    }
}

TEST(ComponentsScheduler, LinearQuadraticMatchesDistilledTable) {
    auto s = linear_quadratic_sigmas(8);
    EXPECT_EQ(s, distilled_sigmas());
    EXPECT_EQ(linear_quadratic_sigmas(1), (std::vector<float>{1.0f, 0.0f}));
}

TEST(ComponentsScheduler, BetaInverseCdfAndDedup) {
    // Beta(1, 1) is uniform; Beta(2, 1) has CDF x².
    EXPECT_NEAR(beta_inverse_cdf(0.3, 1, 1), 0.3, 1e-14);
    EXPECT_NEAR(beta_inverse_cdf(0.25, 2, 1), 0.5, 1e-14);
    EXPECT_NEAR(regularized_incomplete_beta(0.6, 0.6, 0.5), 0.5, 1e-14);
    EXPECT_EQ(beta_inverse_cdf(1.0, 0.6, 0.6), 1.0);
    // Many steps map to repeated timesteps: fewer than steps + 1 sigmas, no repeats, ends in 0.
    auto s = beta_sigmas(20000);
    EXPECT_LT(s.size(), 20001u);
    EXPECT_EQ(s.back(), 0.0f);
    for (size_t i = 0; i + 1 < s.size(); ++i) EXPECT_GT(s[i], s[i + 1]);
    EXPECT_EQ(beta_sigmas(8).size(), 9u);
}

// ---- diffusion steps ------------------------------------------------------------------------

TEST(ComponentsSteps, EulerAndHelpers) {
    Tensor x = Tensor::from_f32({1, 2, 2}, {1, 2, 3, 4});
    Tensor d = Tensor::from_f32({1, 2, 2}, {0, 0, 1, 1});
    auto y = euler_step(x, d, {1.0f, 0.5f}, 0);
    EXPECT_FLOAT_EQ(float(y.at({0, 0, 0})), 0.5f);
    EXPECT_FLOAT_EQ(float(y.at({0, 1, 1})), 2.5f);
    EXPECT_THROW(euler_step(x, d, {1.0f, 0.5f}, 1), Error);
    EXPECT_THROW(euler_step(x, d, {1.0f, 0.5f}, -1), Error);
    EXPECT_THROW(to_velocity(x, 0.0f, d), Error);
    Tensor mask = Tensor::from_f32({1, 2, 1}, {1.0f, 0.0f});
    auto p = post_process_latent(d, mask, x);
    EXPECT_FLOAT_EQ(float(p.at({0, 0, 1})), 0.0f);
    EXPECT_FLOAT_EQ(float(p.at({0, 1, 0})), 3.0f);
    EXPECT_THROW(post_process_latent(d, Tensor::from_f32({1, 1, 1}, {1}), x), Error);
    auto t = timesteps_from_mask(mask, 0.725f);
    EXPECT_FLOAT_EQ(float(t.at({0, 0, 0})), 0.725f);
}

// ---- guiders --------------------------------------------------------------------------------

TEST(ComponentsGuiders, FlagsAndScalars) {
    MultiModalGuiderParams p;
    p.skip_step = 2;
    MultiModalGuider g(p);
    EXPECT_FALSE(g.should_skip_step(0));
    EXPECT_TRUE(g.should_skip_step(1));
    EXPECT_TRUE(g.should_skip_step(2));
    EXPECT_FALSE(g.should_skip_step(3));
    EXPECT_FALSE(g.do_unconditional_generation());
    EXPECT_FALSE(g.do_perturbed_generation());
    Tensor c = Tensor::from_f32({1, 1, 2}, {1, 2});
    // Identity params: pred = cond.
    auto pred = g.calculate(c, 0.0, 0.0, 0.0);
    EXPECT_EQ(pred.to_vector(), c.to_vector());
    EXPECT_THROW(cfg_delta(3.0, c, Tensor::from_f32({1, 2, 1}, {1, 2})), Error);
    EXPECT_THROW(apg_delta(3.0, Tensor::from_f32({2}, {1, 2}), Tensor::from_f32({2}, {1, 2}), 1.0, 2.0), Error);
}

// ---- patchifiers ----------------------------------------------------------------------------

TEST(ComponentsPatchifiers, RoundTripAndShapes) {
    std::vector<float> v(2 * 3 * 2 * 4 * 4);
    for (size_t i = 0; i < v.size(); ++i) v[i] = float(i);
    Tensor x = Tensor::from_f32({2, 3, 2, 4, 4}, v);
    VideoLatentPatchifier p2(2);
    Tensor t = p2.patchify(x);
    EXPECT_EQ(t.shape(), (Shape{2, 8, 12}));
    EXPECT_EQ(p2.unpatchify(t, VideoLatentShape::from_shape(x.shape())).to_vector(), v);
    EXPECT_THROW(p2.patchify(Tensor::zeros({1, 3, 2, 3, 4})), Error);
    EXPECT_THROW(VideoLatentPatchifier(0), Error);
    EXPECT_THROW(p2.unpatchify(t, VideoLatentShape{2, 3, 2, 4, 8}), Error);

    auto vs = video_latent_shape_from_pixels(1, 121, 512, 768);
    EXPECT_EQ(vs.shape(), (Shape{1, 128, 16, 16, 24}));
    EXPECT_EQ(audio_latent_shape_from_video(1, 121, 24.0).frames, 126);
    EXPECT_THROW(audio_latent_shape_from_video(1, 121, 0.0), Error);

    VideoLatentTools tools;
    tools.target_shape = {1, 3, 2, 4, 4};
    EXPECT_THROW(tools.create_initial_state(x), Error);  // batch 2 vs target batch 1
}
