// The denoising pipelines: golden parity of the five pipelines (tests/golden/pipeline), the
// text K/V cache shortcut (bitwise equal to recomputing it), LoRAs reaching only their stage,
// model residency and progress, and the parameter checks with their messages.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/random_tensor.h"
#include "diffusion/conditioning.h"
#include "diffusion/diffusion_steps.h"
#include "diffusion/patchifiers.h"
#include "diffusion/sigmas.h"
#include "io/safetensors.h"
#include "io/weight_store.h"
#include "parity/kinds.h"
#include "parity/parity.h"
#include "parity/pipeline_fixture.h"
#include "pipelines/model_loading.h"
#include "pipelines/pipelines.h"
#include "test_util.h"

using namespace ltx2;
using ltx2::test::expect_error;
using ltx2::test::TempDir;

namespace {

const std::string kDir = std::string(LTX2_GOLDEN_DIR) + "/pipeline/";

ParityRun fixture_run(const std::string& name) { return ParityRun(kDir + name + ".io.safetensors", std::nullopt, ""); }

bool bitwise_equal(const Tensor& a, const Tensor& b) {
    if (a.shape() != b.shape() || a.dtype() != b.dtype()) return false;
    const Tensor ac = a.contiguous(), bc = b.contiguous();
    return std::memcmp(ac.raw(), bc.raw(), ac.nbytes()) == 0;
}

// max |a − b| / max |ref|, the measure of the parity checks.
double relative_error(const Tensor& got, const Tensor& ref) { return compare_tensors("", got, ref, 0.0).rel_err; }

GenerationParams valid_params(PipelineKind kind) {
    GenerationParams p = default_generation_params(kind);
    p.height = 128;
    p.width = 192;
    p.num_frames = 17;
    if (kind == PipelineKind::TwoStage || kind == PipelineKind::KeyframeInterpolation)
        p.distilled_loras = {{"distilled_lora.safetensors", 1.0}};
    if (kind == PipelineKind::ICLora) p.video_conditioning = {{"reference.mp4", 1.0}};
    return p;
}

void expect_invalid(PipelineKind kind, const GenerationParams& p, const std::vector<std::string>& fragments) {
    expect_error([&] { validate_generation_params(kind, p, ModelSemantics{}); }, fragments);
}

// A LoRA file in the official key format whose single module names `module`, with metadata.
std::string write_lora(const TempDir& dir, const std::string& name, const std::string& module,
                       const std::map<std::string, std::string>& metadata = {}) {
    const std::string path = dir.file(name);
    write_safetensors(path,
                      {{"diffusion_model." + module + ".lora_A.weight", Tensor::zeros({2, 64}, DType::BF16)},
                       {"diffusion_model." + module + ".lora_B.weight", Tensor::zeros({64, 2}, DType::BF16)}},
                      metadata);
    return path;
}

}  // namespace

// --- golden parity: every out.*, dbg.* and noise tensor of each fixture -----------------------

TEST(PipelineGolden, Distilled) {
    test::expect_fixture_passes("pipeline", "distilled.io.safetensors", parity_pipeline_distilled, 34);
}

TEST(PipelineGolden, OneStageCfg) {
    test::expect_fixture_passes("pipeline", "one_stage_cfg.io.safetensors", parity_pipeline_one_stage_cfg, 26);
}

TEST(PipelineGolden, TwoStage) {
    test::expect_fixture_passes("pipeline", "two_stage.io.safetensors", parity_pipeline_two_stage, 34);
}

TEST(PipelineGolden, KeyframeInterpolation) {
    test::expect_fixture_passes("pipeline", "keyframe_interpolation.io.safetensors",
                                parity_pipeline_keyframe_interpolation, 32);
}

TEST(PipelineGolden, ICLora) {
    test::expect_fixture_passes("pipeline", "ic_lora.io.safetensors", parity_pipeline_ic_lora, 32);
}

// LTX-2.5: stage 1 samples with ancestral Euler from a second generator (seed + 10000), whose
// every draw is compared bit for bit; stage 2 plain Euler.
TEST(PipelineGolden, DistilledLtx25AncestralStage1) {
    test::expect_fixture_passes("ltx25/pipeline", "distilled.io.safetensors", parity_ltx25_pipeline_distilled, 46);
}

TEST(PipelineLtx25, OnlyLtx25ModelsSampleStage1Ancestrally) {
    const GenerationParams p = valid_params(PipelineKind::Distilled);
    const ModelSemantics v25 = model_semantics(std::string("2.5.0"), nlohmann::json::object(), "f");
    const std::vector<StagePlan> plans = distilled_plan(p, v25);
    ASSERT_TRUE(plans[0].ancestral.has_value());
    EXPECT_EQ(plans[0].ancestral->noise_seed, p.seed + 10000);
    EXPECT_EQ(plans[0].ancestral->step.eta, 1.0f);
    EXPECT_FALSE(plans[1].ancestral.has_value());
    const ModelSemantics v23 = model_semantics(std::string("2.3.0"), nlohmann::json::object(), "f");
    EXPECT_FALSE(distilled_plan(p, v23)[0].ancestral.has_value());
    EXPECT_FALSE(distilled_plan(p, ModelSemantics{})[0].ancestral.has_value());
    // The 2.5 kind refuses a fixture whose model samples stage 1 plainly.
    test::expect_error(
        [] {
            ParityRun run(std::string(LTX2_GOLDEN_DIR) + "/pipeline/distilled.io.safetensors", std::nullopt, "");
            parity_ltx25_pipeline_distilled(run);
        },
        {"ltx25.pipeline.distilled", "ancestral", "LTX-2 (19B)"});
}

// eta 0 is plain Euler (no noise); eta 1 against the formula worked by hand for one value.
TEST(PipelineLtx25, AncestralStepArithmetic) {
    const std::vector<float> sigmas = {0.8f, 0.5f, 0.0f};
    const Tensor x = Tensor::from_f32({1, 2, 1}, {0.3f, -1.2f}), d = Tensor::from_f32({1, 2, 1}, {0.1f, 0.4f});
    const Tensor noise = Tensor::from_f32({1, 2, 1}, {2.0f, -1.0f});
    EXPECT_LT(test::max_abs_diff(euler_ancestral_step(x, d, sigmas, 0, noise, {0.0f, 1.0f}), euler_step(x, d, sigmas, 0)),
              1e-6);
    // eta 1: σd = 0.5²/0.8 = 0.3125; x' = 0.390625·0.3 + 0.609375·0.1 = 0.178125;
    // αn = 0.5, αd = 0.6875; c = sqrt(0.25 − 0.3125²·0.25/0.6875²) = 0.4453618; x = (0.5/0.6875)·x' + 2·c.
    const Tensor out = euler_ancestral_step(x, d, sigmas, 0, noise);
    EXPECT_NEAR(out.at({0, 0, 0}), 0.5 / 0.6875 * 0.178125 + 2.0 * 0.44536177, 1e-6);
    // The last step returns the denoised sample, noise unused.
    EXPECT_EQ(test::max_abs_diff(euler_ancestral_step(x, d, sigmas, 1, Tensor()), d), 0.0);
}

// LTX-2.3 at 400fd31: LTX_2_3_PARAMS guidance with the audio STG in the perturbed pass, the
// distilled LoRA's stage 2, the stage-1 audio decoded.
TEST(PipelineGolden, TwoStageLtx23) {
    test::expect_fixture_passes("ltx23_pipelines/two_stage", "two_stage.io.safetensors", parity_pipeline_two_stage,
                                34);
}

// Retake (400fd31) from the fixtures' source latents: distilled with both streams regenerated in a
// window; guided with the audio kept (frozen).
TEST(PipelineGolden, RetakeDistilled) {
    test::expect_fixture_passes("ltx23_pipelines/retake", "retake.io.safetensors", parity_pipeline_retake, 25);
}

TEST(PipelineGolden, RetakeGuidedWithTheAudioKept) {
    test::expect_fixture_passes("ltx23_pipelines/retake", "retake_guided.io.safetensors", parity_pipeline_retake,
                                15);
}

// README example: [0.4 s, 0.9 s) of 33 frames at 24 fps regenerates latent frames 2 and 3 (pixel
// frames 9-24) and audio tokens 10..23; a token that only touches the start at its end is kept.
TEST(PipelineRetake, TemporalRegionMaskSelectsTheTokensOfTheWindow) {
    VideoLatentTools video;
    video.target_shape = video_latent_shape_from_pixels(1, 33, 64, 96);
    video.fps = 24.0;
    const Tensor vmask = TemporalRegionMask{0.4, 0.9}.apply_to(video.create_initial_state()).denoise_mask;
    ASSERT_EQ(vmask.shape(), (Shape{1, 30, 1}));
    for (int64_t n = 0; n < 30; ++n) EXPECT_EQ(vmask.at({0, n, 0}), n / 6 == 2 || n / 6 == 3 ? 1.0 : 0.0) << n;

    AudioLatentTools audio;
    audio.target_shape = audio_latent_shape_from_video(1, 33, 24.0);
    const Tensor amask = TemporalRegionMask{0.4, 0.9}.apply_to(audio.create_initial_state()).denoise_mask;
    ASSERT_EQ(amask.size(1), 34);
    for (int64_t t = 0; t < 34; ++t) EXPECT_EQ(amask.at({0, t, 0}), t >= 10 && t <= 23 ? 1.0 : 0.0) << t;
    // Audio token 10 spans [0.37 s, 0.41 s): a window starting at 0.41 s leaves it out.
    const Tensor later = TemporalRegionMask{0.41, 0.9}.apply_to(audio.create_initial_state()).denoise_mask;
    EXPECT_EQ(later.at({0, 10, 0}), 0.0);
    EXPECT_EQ(later.at({0, 11, 0}), 1.0);
}

TEST(PipelineRetake, PlanAndWindowChecks) {
    GenerationParams p = default_generation_params(PipelineKind::Retake);
    p.height = 64;
    p.width = 96;
    p.num_frames = 33;  // 1.375 s at 24 fps
    p.retake = {"clip.mp4", 0.4, 0.9, true, false};
    EXPECT_NO_THROW(validate_generation_params(PipelineKind::Retake, p, ModelSemantics{}));
    const std::vector<StagePlan> plans = pipeline_plan(PipelineKind::Retake, p, ModelSemantics{});
    ASSERT_EQ(plans.size(), 1u);
    EXPECT_EQ(plans[0].height, 64);
    EXPECT_EQ(plans[0].sigmas, distilled_sigmas());
    EXPECT_FALSE(plans[0].guidance.has_value());
    EXPECT_FALSE(plans[0].keep_video);
    EXPECT_TRUE(plans[0].keep_audio);
    ASSERT_TRUE(plans[0].regenerate_window.has_value());
    EXPECT_EQ(plans[0].regenerate_window->end, 0.9);
    p.num_inference_steps = 3;
    EXPECT_EQ(pipeline_plan(PipelineKind::RetakeGuided, p, ModelSemantics{})[0].sigmas.size(), 4u);
    EXPECT_TRUE(pipeline_plan(PipelineKind::RetakeGuided, p, ModelSemantics{})[0].guidance.has_value());
    EXPECT_FALSE(upsamples(PipelineKind::Retake));
    EXPECT_FALSE(is_guided(PipelineKind::Retake));
    EXPECT_TRUE(is_guided(PipelineKind::RetakeGuided));
    EXPECT_EQ(parse_pipeline_kind("retake-guided"), PipelineKind::RetakeGuided);

    auto with_span = [&](double start, double end, bool video = true, bool audio = true) {
        GenerationParams q = p;
        q.retake = {"clip.mp4", start, end, video, audio};
        return q;
    };
    auto check = [](const GenerationParams& q) { validate_generation_params(PipelineKind::Retake, q, ModelSemantics{}); };
    expect_error([&] { check(with_span(0.9, 0.4)); }, {"--start-time 0.9", "--end-time 0.4"});
    expect_error([&] { check(with_span(0.5, 0.5)); }, {"before the end"});
    expect_error([&] { check(with_span(-0.1, 0.5)); }, {"--start-time -0.1", "outside the clip clip.mp4"});
    expect_error([&] { check(with_span(0.4, 1.5)); }, {"--end-time 1.5", "outside the clip", "1.375 s", "33 frames"});
    expect_error([&] { check(with_span(0.4, 0.9, false, false)); }, {"--keep-video with --keep-audio", "nothing"});
    EXPECT_NO_THROW(check(with_span(0.0, 1.375)));
    GenerationParams no_source = with_span(0.4, 0.9);
    no_source.retake.video_path.clear();
    expect_error([&] { check(no_source); }, {"--video-path", "needs the source clip"});
    GenerationParams with_image = with_span(0.4, 0.9);
    with_image.images.push_back({"a.png", 0, 1.0});
    expect_error([&] { check(with_image); }, {"--image a.png", "take no images"});
    // The source-clip options belong to the retake pipelines only.
    GenerationParams one_stage = valid_params(PipelineKind::OneStage);
    one_stage.retake.video_path = "clip.mp4";
    expect_error([&] { validate_generation_params(PipelineKind::OneStage, one_stage, ModelSemantics{}); },
                 {"--video-path", "only the retake pipelines", "one-stage"});
}

// --- version semantics of the plans ------------------------------------------------------------

TEST(PipelineVersions, TwoStageOfLtx23ReturnsTheStage1Audio) {
    const ModelSemantics v23 = model_semantics(std::string("2.3.0"), nlohmann::json::object(), "f");
    EXPECT_FALSE(two_stage_plan(valid_params(PipelineKind::TwoStage), v23).back().returns_audio);
    EXPECT_TRUE(two_stage_plan(valid_params(PipelineKind::TwoStage), ModelSemantics{}).back().returns_audio);
    // Only ti2vid_two_stages discards it; the other pipelines return their last stage's audio.
    for (PipelineKind k : {PipelineKind::KeyframeInterpolation, PipelineKind::Distilled})
        for (const StagePlan& s : pipeline_plan(k, valid_params(k), v23))
            EXPECT_TRUE(s.returns_audio) << pipeline_name(k) << " " << s.name;

    // The fixture's stage-2 audio is far from the stage-1 audio it decodes (README: discarded).
    ParityRun run(std::string(LTX2_GOLDEN_DIR) + "/ltx23_pipelines/two_stage/two_stage.io.safetensors", std::nullopt,
                  "");
    PipelineFixture f = load_pipeline_fixture(run, PipelineKind::TwoStage);
    ASSERT_TRUE(f.model.two_stage_keeps_stage1_audio);
    const PipelineResult r = generate_latents(f.kind, f.params, f.model, f.inputs);
    EXPECT_TRUE(bitwise_equal(r.audio_latent, r.stages[0].audio_latent));
    EXPECT_LE(relative_error(r.audio_latent, run.input("out.final_audio_latent")), 1e-4);
    EXPECT_GT(relative_error(r.stages[1].audio_latent, run.input("out.final_audio_latent")), 1e-1);
}

// --- the text K/V cache is exact --------------------------------------------------------------

TEST(PipelineTextCache, SameResultsBitwiseAndBothPassTheGoldens) {
    // two_stage: a guided stage (positive and negative caches) and a plain one.
    PipelineResult results[2];
    for (int cached = 0; cached < 2; ++cached) {
        ParityRun run = fixture_run("two_stage");
        results[cached] = check_pipeline_fixture(run, load_pipeline_fixture(run, PipelineKind::TwoStage), cached == 1);
        EXPECT_TRUE(run.all_passed()) << "cache_text " << cached;
        EXPECT_GE(run.checks().size(), 34u);
    }
    EXPECT_TRUE(bitwise_equal(results[0].video_latent, results[1].video_latent));
    EXPECT_TRUE(bitwise_equal(results[0].audio_latent, results[1].audio_latent));
    EXPECT_TRUE(bitwise_equal(results[0].stages[0].video_latent, results[1].stages[0].video_latent));
    EXPECT_TRUE(bitwise_equal(results[0].stages[0].audio_latent, results[1].stages[0].audio_latent));
    EXPECT_TRUE(bitwise_equal(results[0].upsampled_video_latent, results[1].upsampled_video_latent));
}

// --- LoRAs reach only their stage's transformer ------------------------------------------------

TEST(PipelineLoras, PlansPutEachLoraInItsStage) {
    GenerationParams p = valid_params(PipelineKind::TwoStage);
    p.loras = {{"user.safetensors", 0.7}};
    const std::vector<StagePlan> two = two_stage_plan(p, ModelSemantics{});
    ASSERT_EQ(two.size(), 2u);
    EXPECT_EQ(two[0].transformer.loras, (std::vector<LoraSpec>{{"user.safetensors", 0.7}}));
    EXPECT_EQ(two[1].transformer.loras,
              (std::vector<LoraSpec>{{"user.safetensors", 0.7}, {"distilled_lora.safetensors", 1.0}}));

    GenerationParams d = valid_params(PipelineKind::Distilled);
    d.loras = {{"user.safetensors", 0.7}};
    const std::vector<StagePlan> distilled = distilled_plan(d, ModelSemantics{});
    EXPECT_EQ(distilled[0].transformer.loras, distilled[1].transformer.loras);

    GenerationParams ic = valid_params(PipelineKind::ICLora);
    ic.loras = {{kDir + "ic_lora.lora.safetensors", 1.0}};
    const std::vector<StagePlan> icp = ic_lora_plan(ic, ModelSemantics{});
    EXPECT_EQ(icp[0].transformer.loras.size(), 1u);
    EXPECT_TRUE(icp[1].transformer.loras.empty());
}

TEST(PipelineLoras, DroppingTheDistilledLoraChangesOnlyStage2) {
    ParityRun run = fixture_run("two_stage");
    PipelineFixture f = load_pipeline_fixture(run, PipelineKind::TwoStage);
    const TransformerProvider with_lora = f.inputs.transformer;
    f.inputs.transformer = [&](const TransformerRequest& r) {
        if (r.stage == "stage1") return with_lora(r);
        return load_transformer(run.model_path(), {}, Precision::F32);
    };
    const PipelineResult without = generate_latents(f.kind, f.params, f.model, f.inputs);
    // Stage 1 never had the LoRA: still the golden.
    EXPECT_LE(relative_error(without.stages[0].video_latent, run.input("out.stage1.video_latent")), 5e-4);
    EXPECT_LE(relative_error(without.stages[0].audio_latent, run.input("out.stage1.audio_latent")), 5e-4);
    // Stage 2 without its LoRA is far off (README: 4e-2 … 9e-2 for a dropped LoRA).
    EXPECT_GT(relative_error(without.video_latent, run.input("out.stage2.video_latent")), 1e-2);
}

TEST(PipelineLoras, DroppingTheICLoraChangesStage1) {
    ParityRun run = fixture_run("ic_lora");
    PipelineFixture f = load_pipeline_fixture(run, PipelineKind::ICLora);
    f.inputs.transformer = [&](const TransformerRequest&) {
        return load_transformer(run.model_path(), {}, Precision::F32);
    };
    const PipelineResult without = generate_latents(f.kind, f.params, f.model, f.inputs);
    EXPECT_GT(relative_error(without.stages[0].video_latent, run.input("out.stage1.video_latent")), 1e-2);
}

// --- model residency and progress ---------------------------------------------------------------

TEST(PipelineModels, OneTransformerResidentAtATimeAndReusedForEqualRequests) {
    for (const auto& [name, kind, loads] :
         {std::tuple{"two_stage", PipelineKind::TwoStage, 2}, std::tuple{"distilled", PipelineKind::Distilled, 1}}) {
        ParityRun run = fixture_run(name);
        PipelineFixture f = load_pipeline_fixture(run, kind);
        const TransformerProvider provider = f.inputs.transformer;
        std::vector<std::weak_ptr<const LTXModel>> handed_out;
        f.inputs.transformer = [&](const TransformerRequest& r) {
            for (const auto& w : handed_out)
                EXPECT_TRUE(w.expired()) << name << ": " << r.stage << " loaded while another model is held";
            auto m = provider(r);
            handed_out.push_back(m);
            return m;
        };
        std::vector<std::string> progress;
        PipelineHooks hooks;
        hooks.progress = [&](const std::string& stage, int step, int steps) {
            progress.push_back(stage + " " + std::to_string(step) + "/" + std::to_string(steps));
        };
        generate_latents(f.kind, f.params, f.model, f.inputs, hooks);
        EXPECT_EQ(int(handed_out.size()), loads) << name;
        if (kind == PipelineKind::Distilled) {
            ASSERT_EQ(progress.size(), 9u + 4u);
            EXPECT_EQ(progress.front(), "stage1 0/8");
            EXPECT_EQ(progress[8], "stage1 8/8");
            EXPECT_EQ(progress[9], "stage2 0/3");
            EXPECT_EQ(progress.back(), "stage2 3/3");
        }
    }
}

// --- parameter validation --------------------------------------------------------------------------

TEST(PipelineValidation, DefaultsAndFixtureSettingsAreValid) {
    for (PipelineKind k : {PipelineKind::Distilled, PipelineKind::OneStage, PipelineKind::TwoStage,
                           PipelineKind::KeyframeInterpolation, PipelineKind::ICLora})
        EXPECT_NO_THROW(validate_generation_params(k, valid_params(k), ModelSemantics{})) << pipeline_name(k);
    GenerationParams one = valid_params(PipelineKind::OneStage);
    one.height = 96;  // a multiple of 32 is enough for one stage
    EXPECT_NO_THROW(validate_generation_params(PipelineKind::OneStage, one, ModelSemantics{}));
    EXPECT_EQ(default_generation_params(PipelineKind::OneStage).width, 768);
    EXPECT_EQ(default_generation_params(PipelineKind::TwoStage).width, 1536);
    EXPECT_EQ(default_generation_params(PipelineKind::TwoStage).video_guider.stg_blocks, std::vector<int>{29});
    EXPECT_EQ(default_generation_params(PipelineKind::TwoStage).audio_guider.cfg_scale, 7.0);
}

// detect_params: LTX-2.3 checkpoints default to 30 guided steps and STG on block 28; what the
// user set stays.
TEST(PipelineValidation, ModelVersionDefaultsFillOnlyWhatWasNotGiven) {
    const ModelSemantics v23 = model_semantics(std::string("2.3.0"), nlohmann::json::object(), "f");
    GenerationParams p = default_generation_params(PipelineKind::TwoStage);
    apply_model_defaults(p, v23, {});
    EXPECT_EQ(p.num_inference_steps, 30);
    EXPECT_EQ(p.video_guider.stg_blocks, std::vector<int>{28});
    EXPECT_EQ(p.audio_guider.stg_blocks, std::vector<int>{28});
    GenerationParams q = default_generation_params(PipelineKind::TwoStage);
    q.num_inference_steps = 12;
    q.video_guider.stg_blocks = {3, 4};
    apply_model_defaults(q, v23, ExplicitParams{true, true, false});
    EXPECT_EQ(q.num_inference_steps, 12);
    EXPECT_EQ(q.video_guider.stg_blocks, (std::vector<int>{3, 4}));
    EXPECT_EQ(q.audio_guider.stg_blocks, std::vector<int>{28});
    GenerationParams r = default_generation_params(PipelineKind::OneStage);
    apply_model_defaults(r, ModelSemantics{}, {});  // 19B
    EXPECT_EQ(r.num_inference_steps, 40);
    EXPECT_EQ(r.video_guider.stg_blocks, std::vector<int>{29});
}

TEST(PipelineValidation, PipelineNames) {
    EXPECT_EQ(parse_pipeline_kind("keyframe-interpolation"), PipelineKind::KeyframeInterpolation);
    EXPECT_EQ(parse_pipeline_kind("keyframes"), PipelineKind::KeyframeInterpolation);
    EXPECT_STREQ(pipeline_name(PipelineKind::KeyframeInterpolation), "keyframes");
    expect_error([] { parse_pipeline_kind("three-stage"); }, {"--pipeline", "three-stage", "distilled", "ic-lora"});
}

TEST(PipelineValidation, Resolution) {
    GenerationParams p = valid_params(PipelineKind::TwoStage);
    p.height = 96;
    expect_invalid(PipelineKind::TwoStage, p, {"--height", "96", "multiple of 64", "half resolution"});
    p = valid_params(PipelineKind::Distilled);
    p.width = 160;
    expect_invalid(PipelineKind::Distilled, p, {"--width", "160", "multiple of 64"});
    p = valid_params(PipelineKind::OneStage);
    p.width = 100;
    expect_invalid(PipelineKind::OneStage, p, {"--width", "100", "multiple of 32"});
    p.width = 0;
    expect_invalid(PipelineKind::OneStage, p, {"--width", "positive"});
}

TEST(PipelineValidation, FramesRateAndSteps) {
    GenerationParams p = valid_params(PipelineKind::OneStage);
    p.num_frames = 10;
    expect_invalid(PipelineKind::OneStage, p, {"--num-frames", "10", "8k + 1"});
    p = valid_params(PipelineKind::OneStage);
    p.frame_rate = 0;
    expect_invalid(PipelineKind::OneStage, p, {"--frame-rate", "> 0"});
    p.frame_rate = NAN;
    expect_invalid(PipelineKind::OneStage, p, {"--frame-rate"});
    p = valid_params(PipelineKind::TwoStage);
    p.num_inference_steps = 0;
    expect_invalid(PipelineKind::TwoStage, p, {"--num-inference-steps", ">= 1"});
    p = valid_params(PipelineKind::Distilled);
    p.num_inference_steps = 0;  // the distilled pipelines ignore it
    EXPECT_NO_THROW(validate_generation_params(PipelineKind::Distilled, p, ModelSemantics{}));
}

TEST(PipelineValidation, ImageFrameIndexAndStrength) {
    GenerationParams p = valid_params(PipelineKind::TwoStage);  // 17 frames = 3 latent frames
    p.images = {{"a.png", 2, 1.0}};
    EXPECT_NO_THROW(validate_generation_params(PipelineKind::TwoStage, p, ModelSemantics{}));
    p.images = {{"a.png", 3, 1.0}};
    expect_invalid(PipelineKind::TwoStage, p, {"--image a.png", "frame index 3", "latent frame", "0..2"});
    p.images = {{"a.png", -1, 1.0}};
    expect_invalid(PipelineKind::Distilled, p, {"--image a.png", "frame index -1"});

    GenerationParams k = valid_params(PipelineKind::KeyframeInterpolation);
    k.images = {{"first.png", 0, 1.0}, {"last.png", 16, 0.5}};  // pixel frames
    EXPECT_NO_THROW(validate_generation_params(PipelineKind::KeyframeInterpolation, k, ModelSemantics{}));
    k.images = {{"last.png", 17, 1.0}};
    expect_invalid(PipelineKind::KeyframeInterpolation, k,
                   {"--image last.png", "frame index 17", "pixel frame", "0..16"});

    p.images = {{"a.png", 0, 1.5}};
    expect_invalid(PipelineKind::OneStage, p, {"--image a.png", "strength 1.5", "[0, 1]"});
    p.images = {{"", 0, 1.0}};
    expect_invalid(PipelineKind::OneStage, p, {"--image", "path is empty"});
}

TEST(PipelineValidation, ReferenceVideos) {
    GenerationParams p = valid_params(PipelineKind::ICLora);
    p.video_conditioning = {};
    expect_invalid(PipelineKind::ICLora, p, {"--video-conditioning", "at least one"});
    p.video_conditioning = {{"ref.mp4", -0.5}};
    expect_invalid(PipelineKind::ICLora, p, {"--video-conditioning ref.mp4", "strength -0.5"});
    GenerationParams d = valid_params(PipelineKind::Distilled);
    d.video_conditioning = {{"ref.mp4", 1.0}};
    expect_invalid(PipelineKind::Distilled, d, {"--video-conditioning", "only the ic-lora pipeline"});
}

TEST(PipelineValidation, Loras) {
    GenerationParams p = valid_params(PipelineKind::TwoStage);
    p.loras = {{"style.safetensors", 2.5}};
    expect_invalid(PipelineKind::TwoStage, p, {"--lora style.safetensors", "strength 2.5", "[-2, 2]"});
    p = valid_params(PipelineKind::TwoStage);
    p.distilled_loras = {{"d.safetensors", INFINITY}};
    expect_invalid(PipelineKind::TwoStage, p, {"--distilled-lora d.safetensors", "strength inf"});
    p.distilled_loras = {};  // the pipeline classes take an empty list
    EXPECT_NO_THROW(validate_generation_params(PipelineKind::KeyframeInterpolation, p, ModelSemantics{}));
    GenerationParams d = valid_params(PipelineKind::Distilled);
    d.distilled_loras = {{"d.safetensors", 1.0}};
    expect_invalid(PipelineKind::Distilled, d, {"--distilled-lora", "only the two-stage"});
}

TEST(PipelineValidation, LoraMatchingNoWeightNamesTheFile) {
    TempDir dir;
    const std::string lora = write_lora(dir, "wrong.safetensors", "not_a_module");
    expect_error(
        [&] {
            load_transformer(kDir + "two_stage.model.safetensors", {{lora, 1.0}}, Precision::F32);
        },
        {"wrong.safetensors", "no LoRA module of this file matches"});
    expect_error(
        [&] {
            load_transformer(kDir + "two_stage.model.safetensors", {{dir.file("absent.safetensors"), 1.0}},
                             Precision::F32);
        },
        {"absent.safetensors"});
}

TEST(PipelineValidation, GuiderParameters) {
    GenerationParams p = valid_params(PipelineKind::OneStage);
    p.video_guider.rescale_scale = 1.5;
    expect_invalid(PipelineKind::OneStage, p, {"--video-rescale-scale", "[0, 1]", "1.5"});
    p = valid_params(PipelineKind::OneStage);
    p.audio_guider.cfg_scale = NAN;
    expect_invalid(PipelineKind::OneStage, p, {"--audio-cfg-guidance-scale", "finite"});
    p = valid_params(PipelineKind::TwoStage);
    p.video_guider.skip_step = -1;
    expect_invalid(PipelineKind::TwoStage, p, {"--video-skip-step", ">= 0"});
    p = valid_params(PipelineKind::KeyframeInterpolation);
    p.audio_guider.stg_blocks = {-3};
    expect_invalid(PipelineKind::KeyframeInterpolation, p, {"--audio-stg-blocks", "-3"});
    p = valid_params(PipelineKind::OneStage);
    p.audio_guider.modality_scale = -1;
    expect_invalid(PipelineKind::OneStage, p, {"--v2a-guidance-scale"});
    p = valid_params(PipelineKind::Distilled);
    p.video_guider.cfg_scale = NAN;  // unguided pipelines ignore guidance
    EXPECT_NO_THROW(validate_generation_params(PipelineKind::Distilled, p, ModelSemantics{}));
    expect_error([] { validate_guider_blocks(default_video_guider_params(), 2, "--video-stg-blocks"); },
                 {"--video-stg-blocks", "block 29 does not exist", "2 blocks"});
}

TEST(PipelineValidation, GuidanceAgainstTheModelAndTheNegativePrompt) {
    ParityRun run = fixture_run("one_stage_cfg");
    PipelineFixture f = load_pipeline_fixture(run, PipelineKind::OneStage);
    GenerationParams blocks = f.params;
    blocks.video_guider.stg_blocks = {29};  // the official default; the tiny model has 2 blocks
    expect_error([&] { generate_latents(f.kind, blocks, f.model, f.inputs); }, {"--video-stg-blocks", "block 29"});
    f.inputs.text.video_negative = Tensor();
    expect_error([&] { generate_latents(f.kind, f.params, f.model, f.inputs); },
                 {"--video-cfg-guidance-scale", "negative prompt"});
}

TEST(PipelineValidation, ICLoraReferenceDownscaleFactor) {
    TempDir dir;
    EXPECT_EQ(lora_reference_downscale_factor(kDir + "ic_lora.lora.safetensors"), 2);
    EXPECT_EQ(lora_reference_downscale_factor(kDir + "two_stage.lora.safetensors"), 1);  // absent
    const std::string bad = write_lora(dir, "bad.safetensors", "patchify_proj", {{"reference_downscale_factor", "x2"}});
    expect_error([&] { lora_reference_downscale_factor(bad); }, {"bad.safetensors", "'x2'", "positive integer"});

    GenerationParams p = valid_params(PipelineKind::ICLora);
    const std::string three =
        write_lora(dir, "three.safetensors", "patchify_proj", {{"reference_downscale_factor", "3"}});
    p.loras = {{three, 1.0}};
    expect_error([&] { pipeline_plan(PipelineKind::ICLora, p, ModelSemantics{}); },
                 {"--video-conditioning", "64x96", "reference_downscale_factor 3"});
    p.loras = {{three, 1.0}, {kDir + "ic_lora.lora.safetensors", 1.0}};
    expect_error([&] { pipeline_plan(PipelineKind::ICLora, p, ModelSemantics{}); },
                 {"ic_lora.lora.safetensors", "conflicts", "3"});
}

// combined_image_conditionings (400fd31): an image at frame 0 replaces latent frame 0, any other is
// a guiding keyframe at that pixel frame; 28c3c73 replaces the latent frame the index names.
TEST(PipelineVersions, Ltx23ImagesAfterFrame0AreKeyframesAtTheirPixelFrame) {
    const ModelSemantics v23 = model_semantics(std::string("2.3.0"), nlohmann::json::object(), "f");
    for (PipelineKind k : {PipelineKind::Distilled, PipelineKind::OneStage, PipelineKind::TwoStage,
                           PipelineKind::ICLora}) {
        GenerationParams p = valid_params(k);  // 17 frames = 3 latent frames
        p.images = {{"a.png", 0, 1.0}, {"b.png", 16, 0.5}};
        expect_error([&] { validate_generation_params(k, p, ModelSemantics{}); },
                     {"--image b.png", "frame index 16", "latent frame"});
        const std::vector<StagePlan> plans = pipeline_plan(k, p, v23);
        for (const StagePlan& s : plans) {
            ASSERT_GE(s.conditionings.size(), 2u) << pipeline_name(k);  // ic-lora: + the reference video
            EXPECT_EQ(s.conditionings[0].kind, ConditioningKind::ReplaceLatent) << pipeline_name(k);
            EXPECT_EQ(s.conditionings[0].frame_idx, 0);
            EXPECT_EQ(s.conditionings[1].kind, ConditioningKind::Keyframe) << pipeline_name(k);
            EXPECT_EQ(s.conditionings[1].frame_idx, 16);
            EXPECT_EQ(s.conditionings[1].strength, 0.5);
            EXPECT_EQ(s.conditionings[1].media.height, s.height);
        }
        p.images = {{"b.png", 17, 1.0}};
        expect_error([&] { validate_generation_params(k, p, v23); },
                     {"--image b.png", "frame index 17", "LTX-2.3", "pixel frame index", "0..16"});
        p.images = {{"c.png", 2, 1.0}};
        const StagePlan first = pipeline_plan(k, p, ModelSemantics{}).front();
        EXPECT_EQ(first.conditionings.at(0).kind, ConditioningKind::ReplaceLatent) << pipeline_name(k);
        EXPECT_EQ(first.conditionings.at(0).frame_idx, 2);
    }
}

// --- the x1.5 spatial upsampler: stage 1 at 2/3 of the size (our extension) --------------------

namespace {

const std::string kUpsamplerDir = std::string(LTX2_GOLDEN_DIR) + "/upsampler/";

// A random-weight spatial upsampler of the pipelines' latent width (the tiny x2 one's layout).
LatentUpsampler random_upsampler(double spatial_scale) {
    const nlohmann::json config = {{"_class_name", "LatentUpsampler"}, {"in_channels", 128},
                                   {"mid_channels", 32},                {"num_blocks_per_stage", 1},
                                   {"dims", 3},                         {"spatial_upsample", true},
                                   {"temporal_upsample", false},        {"spatial_scale", spatial_scale},
                                   {"rational_resampler", true}};
    return LatentUpsampler::load(WeightStore::synthetic(config, [](const std::string& name, const Shape& shape) {
        return random_uniform_tensor(shape, DType::F32, 0.05f, std::hash<std::string>{}(name) | 1);
    }));
}

}  // namespace

TEST(PipelineUpscale, EveryUpsamplingPipelineStartsWhereTheUpsamplerReachesTheRequestedSize) {
    for (PipelineKind k : {PipelineKind::Distilled, PipelineKind::TwoStage, PipelineKind::KeyframeInterpolation,
                           PipelineKind::ICLora}) {
        GenerationParams p = valid_params(k);  // 128 x 192, x2 by default
        std::vector<StagePlan> plans = pipeline_plan(k, p, ModelSemantics{});
        EXPECT_EQ(plans.front().height, 64) << pipeline_name(k);
        EXPECT_EQ(plans.front().width, 96) << pipeline_name(k);
        p.height = 192;
        p.width = 288;
        p.spatial_upscale = kUpscaleX1_5;
        plans = pipeline_plan(k, p, ModelSemantics{});
        EXPECT_EQ(plans.front().height, 128) << pipeline_name(k);
        EXPECT_EQ(plans.front().width, 192) << pipeline_name(k);
        EXPECT_EQ(plans.back().height, 192) << pipeline_name(k);
        EXPECT_EQ(plans.back().width, 288) << pipeline_name(k);
    }
}

TEST(PipelineUpscale, X1_5NeedsMultiplesOf96) {
    GenerationParams p = valid_params(PipelineKind::TwoStage);
    p.spatial_upscale = kUpscaleX1_5;
    expect_invalid(PipelineKind::TwoStage, p,
                   {"--height", "128", "multiple of 96", "2/3", "x1.5 spatial upsampler (--spatial-upsampler)"});
    p.height = 192;
    p.width = 240;
    expect_invalid(PipelineKind::KeyframeInterpolation, p, {"--width", "240", "multiple of 96"});
    p.width = 288;
    EXPECT_NO_THROW(validate_generation_params(PipelineKind::TwoStage, p, ModelSemantics{}));
    p.spatial_upscale = {3, 4};
    expect_invalid(PipelineKind::ICLora, p, {"--spatial-upsampler", "enlarges", "3/4"});
    GenerationParams one = valid_params(PipelineKind::OneStage);  // no upsampler: no constraint
    one.height = 64;
    one.spatial_upscale = kUpscaleX1_5;
    EXPECT_NO_THROW(validate_generation_params(PipelineKind::OneStage, one, ModelSemantics{}));

    EXPECT_EQ(kUpscaleX2.label(), "x2");
    EXPECT_EQ(kUpscaleX1_5.label(), "x1.5");
    EXPECT_EQ(parse_spatial_upscale("x1.5", "--spatial-upscale"), kUpscaleX1_5);
    expect_error([] { parse_spatial_upscale("x3", "--spatial-upscale"); }, {"--spatial-upscale", "'x3'", "x2, x1.5"});
}

TEST(PipelineUpscale, TheUpsamplerFileSaysItsScale) {
    EXPECT_EQ(spatial_upsampler_scale(kUpsamplerDir + "spatial_x1p5.model.safetensors"), kUpscaleX1_5);
    EXPECT_EQ(spatial_upsampler_scale(kUpsamplerDir + "spatial_x2.model.safetensors"), kUpscaleX2);
    expect_error([] { spatial_upsampler_scale(kUpsamplerDir + "temporal_x2.model.safetensors"); },
                 {"--spatial-upsampler", "temporal_x2.model.safetensors", "temporal upsampler"});
}

// The LTX-2.3 fixture's models at 192 x 288 with a 128-channel x1.5 upsampler: stage 1 at 128 x 192.
TEST(PipelineUpscale, X1_5RunsEndToEndAndAMismatchedUpsamplerIsNamed) {
    ParityRun run(std::string(LTX2_GOLDEN_DIR) + "/ltx23_pipelines/two_stage/two_stage.io.safetensors", std::nullopt,
                  "");
    PipelineFixture f = load_pipeline_fixture(run, PipelineKind::TwoStage);
    const LatentUpsampler x1_5 = random_upsampler(1.5);
    const WeightStore vae = WeightStore::open(run.sibling("two_stage.video_vae.safetensors"), "vae.");
    const Tensor mean = vae.get("per_channel_statistics.mean-of-means");
    const Tensor std_ = vae.get("per_channel_statistics.std-of-means");
    f.inputs.upsample = [&](const Tensor& latent) { return upsample_video(x1_5, latent, mean, std_); };
    f.params.num_inference_steps = 2;

    GenerationParams p = f.params;
    p.height = 192;
    p.width = 288;
    p.spatial_upscale = kUpscaleX1_5;
    const PipelineResult r = generate_latents(f.kind, p, f.model, f.inputs);
    EXPECT_EQ(r.stages[0].video_latent.shape(), (Shape{1, 128, 3, 4, 6}));
    EXPECT_EQ(r.upsampled_video_latent.shape(), (Shape{1, 128, 3, 6, 9}));
    EXPECT_EQ(r.video_latent.shape(), (Shape{1, 128, 3, 6, 9}));
    EXPECT_TRUE(bitwise_equal(r.upsampled_video_latent, upsample_video(x1_5, r.stages[0].video_latent, mean, std_)));

    // The fixture's size planned for x2 but upsampled x1.5: named before stage 2 runs.
    expect_error([&] { generate_latents(f.kind, f.params, f.model, f.inputs); },
                 {"--spatial-upsampler", "stage2 needs (1, 128, 3, 4, 6)", "128x192 pixels"});
}

// --- the bf16 production path -----------------------------------------------------------------------

TEST(PipelineBf16, VideoPositionsAsTheShippedPipelineHasThem) {
    const float third = 1.0f / 3.0f;
    const Tensor positions = Tensor::from_f32({1, 1, 3, 2}, {third, 1.0f, 2 * third, 2.0f, third, 3.0f});
    const Tensor grid_only = bf16_pipeline_video_positions(positions, 3);
    EXPECT_EQ(grid_only.dtype(), DType::BF16);
    EXPECT_EQ(grid_only.at({0, 0, 0, 0}), double(round_to_bf16(third)));
    const Tensor appended = bf16_pipeline_video_positions(positions, 2);  // token 2 appended by conditioning
    EXPECT_EQ(appended.dtype(), DType::F32);
    EXPECT_EQ(appended.at({0, 0, 1, 0}), double(round_to_bf16(2 * third)));
    EXPECT_NE(round_to_bf16(third), third);
    EXPECT_EQ(appended.at({0, 0, 2, 0}), double(third));
}

// bf16 weights and the shipped pipeline's bf16 video positions against the float32 goldens.
// Measured: keyframe_interpolation final 3.1e-3 (video) / 2.5e-3 (audio), stage 1 9.7e-3 / 1.2e-2;
// ic_lora stage 1 1.4e-2 / 6.5e-3. ic_lora's stage 2 appends nothing, so its positions stay bf16
// and RoPE runs on bf16 midpoints (tests/golden/rope README: the high-frequency phases change
// entirely): its final latents move by 5.9e-2 (video) / 2.7e-2 (audio); with float32 positions
// they would be 2.3e-3.
TEST(PipelineBf16, FixturesWithinBf16ToleranceOfTheFloat32Goldens) {
    constexpr double kBf16 = 2e-2;  // DESIGN.md: the bf16 production path
    for (const auto& [name, kind] : {std::pair{"keyframe_interpolation", PipelineKind::KeyframeInterpolation},
                                     std::pair{"ic_lora", PipelineKind::ICLora}}) {
        ParityRun run = fixture_run(name);
        PipelineFixture f = load_pipeline_fixture(run, kind);
        f.inputs.transformer = [&](const TransformerRequest& r) {
            return load_transformer(run.model_path(), r.loras, Precision::BF16);
        };
        const PipelineResult r = generate_latents(f.kind, f.params, f.model, f.inputs);
        EXPECT_LE(relative_error(r.stages[0].video_latent, run.input("out.stage1.video_latent")), kBf16) << name;
        EXPECT_LE(relative_error(r.stages[0].audio_latent, run.input("out.stage1.audio_latent")), kBf16) << name;
        const double final_tolerance = kind == PipelineKind::ICLora ? 1e-1 : kBf16;
        EXPECT_LE(relative_error(r.video_latent, run.input("out.stage2.video_latent")), final_tolerance) << name;
        EXPECT_LE(relative_error(r.audio_latent, run.input("out.stage2.audio_latent")), final_tolerance) << name;
    }
}

TEST(PipelineValidation, EncoderAnswerOfTheWrongShape) {
    ParityRun run = fixture_run("two_stage");
    PipelineFixture f = load_pipeline_fixture(run, PipelineKind::TwoStage);
    f.inputs.encode = [](const EncodeRequest&) { return Tensor::zeros({1, 128, 1, 3, 3}); };
    expect_error([&] { generate_latents(f.kind, f.params, f.model, f.inputs); },
                 {"--image image0.png", "(1, 128, 1, 3, 3)", "64x96", "expected (1, 128, 1, 2, 3)"});
}
