// Latent conditioning: the golden fixtures of golden/conditioning (through the parity functions
// directly) and the items' argument checks.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>

#include "test_util.h"
#include "core/error.h"
#include "diffusion/conditioning.h"
#include "diffusion/patchifiers.h"
#include "io/safetensors.h"
#include "parity/kinds.h"
#include "parity/parity.h"

using namespace ltx2;
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

fs::path fixture(const std::string& name) { return fs::path(LTX2_GOLDEN_DIR) / "conditioning" / name; }

void run_fixture(const std::string& file, void (*fn)(ParityRun&), size_t min_checks) {
    ltx2::test::expect_fixture_passes("conditioning", file, fn, min_checks);
}

Tensor ramp(const Shape& s, float base = 0.0f) {
    Tensor t = Tensor::zeros(s);
    for (int64_t i = 0; i < t.numel(); ++i) t.f32()[i] = base + 0.25f * float(i);
    return t;
}

// The README's setup: 33 × 64 × 96 pixels -> latent (1, 8, 5, 2, 3), fps 24.
VideoLatentTools small_tools() {
    VideoLatentTools tools;
    tools.patchifier = VideoLatentPatchifier(1);
    tools.target_shape = {1, 8, 5, 2, 3};
    tools.fps = 24.0;
    return tools;
}

template <class F>
void expect_error(F&& f, const std::string& needle) {
    try {
        f();
        ADD_FAILURE() << "no error; expected one mentioning '" << needle << "'";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
}

}  // namespace

// ---- golden fixtures --------------------------------------------------------------------------

TEST(ConditioningGolden, LatentIndex) { run_fixture("latent_index.io.safetensors", parity_conditioning_latent_index, 8); }
TEST(ConditioningGolden, Keyframe) { run_fixture("keyframe.io.safetensors", parity_conditioning_keyframe, 14); }
TEST(ConditioningGolden, ReferenceVideo) {
    run_fixture("reference_video.io.safetensors", parity_conditioning_reference_video, 8);
}
TEST(ConditioningGolden, NoisedState) { run_fixture("noised_state.io.safetensors", parity_conditioning_noised_state, 5); }

// Pixel-space (y, x) positions are exact, and time is exact before the ÷ fps: checked bit for bit
// on the appended tokens of the keyframe and reference fixtures (the parity run's positions check
// is relative 1e-7 over the whole tensor). Items from the fixtures' metadata.
static void expect_positions_exact(const Tensor& got, const Tensor& ref, double fps, const std::string& name) {
    ASSERT_EQ(got.shape(), ref.shape()) << name;
    for (int64_t n = 0; n < ref.size(2); ++n)
        for (int64_t e = 0; e < 2; ++e) {
            for (int64_t a = 1; a < 3; ++a)
                ASSERT_EQ(got.at({0, a, n, e}), ref.at({0, a, n, e})) << name << " axis " << a << " token " << n;
            ASSERT_EQ(std::nearbyint(got.at({0, 0, n, e}) * fps), std::nearbyint(ref.at({0, 0, n, e}) * fps))
                << name << " time, token " << n;
        }
}

static VideoLatentTools fixture_tools(const ParityRun& run) {
    const json px = json::parse(run.meta("pixel_shape"));
    VideoLatentTools tools;
    tools.target_shape = VideoLatentShape::from_shape(json::parse(run.meta("latent_shape")).get<Shape>());
    tools.fps = px.at("fps").get<double>();
    return tools;
}

TEST(ConditioningGolden, KeyframePositionsExact) {
    ParityRun run(fixture("keyframe.io.safetensors").string(), std::nullopt, "");
    const VideoLatentTools tools = fixture_tools(run);
    std::vector<VideoConditioning> items;
    for (const json& j : json::parse(run.meta("items")))
        items.push_back(VideoConditionByKeyframeIndex{run.input(j.at("keyframes").get<std::string>()),
                                                      j.at("frame_idx").get<int64_t>(), j.at("strength").get<double>()});
    const LatentState st =
        state_with_conditionings(tools.create_initial_state(run.input("in.initial_latent")), items, tools);
    expect_positions_exact(st.positions, run.input("out.state.positions"), tools.fps, "keyframe");
}

TEST(ConditioningGolden, ReferencePositionsExact) {
    ParityRun run(fixture("reference_video.io.safetensors").string(), std::nullopt, "");
    const VideoLatentTools tools = fixture_tools(run);
    const LatentState base = tools.create_initial_state(run.input("in.initial_latent"));
    const json calls = json::parse(run.meta("calls"));
    const std::regex re(R"(\((in\.\w+),\s*downscale_factor=(\d+),\s*strength=([0-9.]+)\))");
    int checked = 0;
    for (auto it = calls.begin(); it != calls.end(); ++it) {
        const std::string call = it.value().get<std::string>();
        std::smatch m;
        ASSERT_TRUE(std::regex_search(call, m, re)) << call;
        const LatentState st =
            VideoConditionByReferenceLatent{run.input(m[1].str()), std::stoll(m[2].str()), std::stod(m[3].str())}
                .apply_to(base, tools);
        expect_positions_exact(st.positions, run.input("out." + it.key() + ".positions"), tools.fps, it.key());
        ++checked;
    }
    EXPECT_EQ(checked, 2);
}

// ---- semantics --------------------------------------------------------------------------------

TEST(ConditioningLatentIndex, ReplacesOneFrameAndKeepsPositions) {
    const VideoLatentTools tools = small_tools();
    const LatentState base = tools.create_initial_state(ramp({1, 8, 5, 2, 3}));
    const Tensor cond = ramp({1, 8, 1, 2, 3}, 100.0f);
    const LatentState st = VideoConditionByLatentIndex{cond, 0.25, 2}.apply_to(base, tools);
    ASSERT_EQ(st.latent.shape(), base.latent.shape());
    const Tensor tokens = tools.patchifier.patchify(cond);
    for (int64_t n = 0; n < 30; ++n) {
        const bool in = n >= 12 && n < 18;
        EXPECT_EQ(st.denoise_mask.at({0, n, 0}), in ? 0.75 : 1.0) << n;
        for (int64_t d = 0; d < 8; ++d) {
            const double want = in ? tokens.at({0, n - 12, d}) : base.latent.at({0, n, d});
            EXPECT_EQ(st.latent.at({0, n, d}), want);
            EXPECT_EQ(st.clean_latent.at({0, n, d}), want);
        }
    }
    EXPECT_EQ(st.positions.to_vector(), base.positions.to_vector());
    // The input state is untouched.
    EXPECT_EQ(base.denoise_mask.at({0, 12, 0}), 1.0);
}

// LTX-2.3 (400fd31): the noisy latent is left alone; clean latent and mask change as before.
TEST(ConditioningLatentIndex, Ltx23KeepsTheNoisyLatent) {
    const VideoLatentTools tools = small_tools();
    const LatentState base = tools.create_initial_state(ramp({1, 8, 5, 2, 3}));
    const Tensor cond = ramp({1, 8, 1, 2, 3}, 100.0f);
    const LatentState st = VideoConditionByLatentIndex{cond, 0.25, 2, true}.apply_to(base, tools);
    const Tensor tokens = tools.patchifier.patchify(cond);
    for (int64_t n = 0; n < 30; ++n) {
        const bool in = n >= 12 && n < 18;
        EXPECT_EQ(st.denoise_mask.at({0, n, 0}), in ? 0.75 : 1.0) << n;
        for (int64_t d = 0; d < 8; ++d) {
            EXPECT_EQ(st.latent.at({0, n, d}), base.latent.at({0, n, d}));
            EXPECT_EQ(st.clean_latent.at({0, n, d}), in ? tokens.at({0, n - 12, d}) : base.latent.at({0, n, d}));
        }
    }
}

TEST(ConditioningKeyframe, ClearConditioningDropsAppendedTokens) {
    const VideoLatentTools tools = small_tools();
    const LatentState base = tools.create_initial_state(ramp({1, 8, 5, 2, 3}));
    const LatentState st = VideoConditionByKeyframeIndex{ramp({1, 8, 1, 2, 3}), 16, 0.5}.apply_to(base, tools);
    ASSERT_EQ(st.latent.size(1), 36);
    EXPECT_EQ(st.denoise_mask.at({0, 35, 0}), 0.5);
    // Not causal (frame_idx != 0): time bounds [16, 24) pixel frames.
    EXPECT_FLOAT_EQ(float(st.positions.at({0, 0, 30, 0})), 16.0f / 24.0f);
    EXPECT_FLOAT_EQ(float(st.positions.at({0, 0, 30, 1})), 24.0f / 24.0f);
    const LatentState cleared = tools.clear_conditioning(st);
    EXPECT_EQ(cleared.latent.shape(), base.latent.shape());
    EXPECT_EQ(cleared.latent.to_vector(), base.latent.to_vector());
    EXPECT_EQ(cleared.positions.to_vector(), base.positions.to_vector());
    for (float m : cleared.denoise_mask.to_vector()) EXPECT_EQ(m, 1.0f);
}

// ---- argument errors --------------------------------------------------------------------------

TEST(ConditioningErrors, LatentIndexOutOfRange) {
    const VideoLatentTools tools = small_tools();
    const LatentState base = tools.create_initial_state();
    const Tensor cond = ramp({1, 8, 1, 2, 3});
    expect_error([&] { VideoConditionByLatentIndex{cond, 1.0, 5}.apply_to(base, tools); }, "latent_idx 5");
    expect_error([&] { VideoConditionByLatentIndex{cond, 1.0, -1}.apply_to(base, tools); }, "out of range");
    expect_error([&] { VideoConditionByLatentIndex{ramp({1, 8, 2, 2, 3}), 1.0, 4}.apply_to(base, tools); },
                 "out of range");
    EXPECT_NO_THROW((VideoConditionByLatentIndex{cond, 1.0, 4}.apply_to(base, tools)));
}

TEST(ConditioningErrors, LatentIndexWrongShape) {
    const VideoLatentTools tools = small_tools();
    const LatentState base = tools.create_initial_state();
    for (const Shape& bad : {Shape{1, 4, 1, 2, 3}, Shape{1, 8, 1, 3, 3}, Shape{1, 8, 1, 2, 2}, Shape{2, 8, 1, 2, 3}})
        expect_error([&] { VideoConditionByLatentIndex{Tensor::zeros(bad), 1.0, 0}.apply_to(base, tools); },
                     "batch, channels, height and width must match");
    expect_error([&] { VideoConditionByLatentIndex{Tensor::zeros({1, 8, 2, 3}), 1.0, 0}.apply_to(base, tools); },
                 "[B, C, F, H, W]");
}

TEST(ConditioningErrors, StrengthOutsideUnitInterval) {
    const VideoLatentTools tools = small_tools();
    const LatentState base = tools.create_initial_state();
    const Tensor cond = ramp({1, 8, 1, 2, 3});
    for (double s : {-0.1, 1.5, std::nan("")}) {
        expect_error([&] { VideoConditionByLatentIndex{cond, s, 0}.apply_to(base, tools); }, "strength must be in [0, 1]");
        expect_error([&] { VideoConditionByKeyframeIndex{cond, 0, s}.apply_to(base, tools); },
                     "strength must be in [0, 1]");
        expect_error([&] { VideoConditionByReferenceLatent{cond, 1, s}.apply_to(base, tools); },
                     "strength must be in [0, 1]");
    }
}

TEST(ConditioningErrors, KeyframeBeyondVideo) {
    const VideoLatentTools tools = small_tools();  // 33 pixel frames
    const LatentState base = tools.create_initial_state();
    const Tensor kf = ramp({1, 8, 1, 2, 3});
    expect_error([&] { VideoConditionByKeyframeIndex{kf, 33, 1.0}.apply_to(base, tools); }, "frame_idx 33");
    expect_error([&] { VideoConditionByKeyframeIndex{kf, -1, 1.0}.apply_to(base, tools); }, "outside the video");
    EXPECT_NO_THROW((VideoConditionByKeyframeIndex{kf, 32, 1.0}.apply_to(base, tools)));
}

TEST(ConditioningErrors, AppendedLatentWrongBatchOrChannels) {
    const VideoLatentTools tools = small_tools();
    const LatentState base = tools.create_initial_state();
    expect_error([&] { VideoConditionByKeyframeIndex{Tensor::zeros({1, 4, 1, 2, 3}), 0, 1.0}.apply_to(base, tools); },
                 "channels");
    expect_error([&] { VideoConditionByReferenceLatent{Tensor::zeros({2, 8, 1, 2, 3}), 1, 1.0}.apply_to(base, tools); },
                 "batch");
    expect_error([&] { VideoConditionByReferenceLatent{Tensor::zeros({1, 8, 1, 2, 3}), 0, 1.0}.apply_to(base, tools); },
                 "downscale_factor");
}

TEST(ConditioningErrors, ClearConditioningNeedsTargetTokens) {
    VideoLatentTools tools = small_tools();
    const LatentState base = tools.create_initial_state();
    tools.target_shape.frames = 6;
    expect_error([&] { tools.clear_conditioning(base); }, "fewer than the target's");
}
