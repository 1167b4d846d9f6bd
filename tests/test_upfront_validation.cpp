// Every mistake caught before the expensive work, and no value coerced silently (issue 19): option
// values, sizes against the memory budget, encoder settings, config and image headers, options a
// pipeline would ignore, the official option names, "did you mean", Hub revisions.
#include <gtest/gtest.h>

#include <CLI/CLI.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <limits>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "app/demo_model.h"
#include "app/encoder_settings.h"
#include "app/generation_options.h"
#include "app/hub_download.h"
#include "app/memory_estimate.h"
#include "app/option_suggestions.h"
#include "app/option_values.h"
#include "io/media/image_io.h"
#include "io/safetensors.h"
#include "models/gemma3/config.h"
#include "ltx2/ltx2.h"
#include "service/job_store.h"
#include "service/server.h"
#include "service/video_request.h"
#include "app_test_util.h"
#include "test_util.h"

namespace fs = std::filesystem;
using namespace ltx2;
using ltx2::test::expect_contains;
using ltx2::test::expect_error;
using ltx2::test::run_command;
using ltx2::test::TempDir;

namespace {

// The demo model's command line; `timeout` ends a run that old code would have let go on.
std::string demo_cmd(const std::string& args) {
    return "LTX2_DEMO_DIR=" + std::string(LTX2_TEST_DEMO_DIR) + " timeout 300 " + std::string(LTX2_BIN) +
           " --demo " + args;
}

// A run that must stop with an error naming every fragment, before any model ran.
void expect_refused_early(const std::string& args, const std::vector<std::string>& fragments) {
    TempDir dir("ltx2-upfront");
    const auto r = run_command(demo_cmd("--progress plain -p cat " + args + " -o " + dir.file("o.mp4")));
    EXPECT_NE(r.exit_code, 0) << args << "\n" << r.output;
    expect_contains(r.output, fragments);
    EXPECT_EQ(r.output.find("encode text"), std::string::npos) << "model work started for: " << args << "\n" << r.output;
    EXPECT_FALSE(fs::exists(dir.file("o.mp4")));
}

// The request the generation options make of `args` (as the command line parses them).
GenerateRequest request_of(std::vector<std::string> args, bool demo = true) {
    CLI::App app;
    GenerationCli cli;
    add_generation_options(app, cli);
    std::reverse(args.begin(), args.end());  // CLI11 takes a vector in reverse order
    app.parse(args);
    GenerateRequest r = build_generation_request(app, cli, demo);
    apply_model_options(app, cli, r);
    return r;
}

// A small JPEG (made by the ffmpeg program) whose frame header then claims width x height: libjpeg
// reads the header, and a decoder that trusts it allocates width x height x 3 bytes.
void write_jpeg_claiming(const std::string& path, uint16_t width, uint16_t height) {
    ASSERT_EQ(run_command("ffmpeg -v error -y -f lavfi -i color=c=red:s=16x16 -frames:v 1 '" + path + "'").exit_code, 0);
    std::string bytes = test::read_file(path);
    const size_t sof = bytes.find("\xFF\xC0");  // baseline frame header: length, precision, height, width
    ASSERT_NE(sof, std::string::npos);
    bytes[sof + 5] = char(height >> 8);
    bytes[sof + 6] = char(height & 0xFF);
    bytes[sof + 7] = char(width >> 8);
    bytes[sof + 8] = char(width & 0xFF);
    test::write_file(path, bytes);
}

}  // namespace

// ---- 1. no silent coercion -------------------------------------------------------------------------

TEST(UpfrontValidation, SeedOutOfRangeOrNotAWholeNumberIsRefused) {
    EXPECT_EQ(app::parse_seed("0").seed, 0u);
    EXPECT_EQ(app::parse_seed("18446744073709551615").seed, 18446744073709551615ull);
    EXPECT_FALSE(app::parse_seed("42").drawn);
    for (const char* bad : {"-2", "-18446744073709551615", "18446744073709551616", "1.5", "1e3", "", " 7", "+7", "ten"})
        expect_error([&] { app::parse_seed(bad); }, {"--seed", "expected a whole number from 0 to 18446744073709551615"});
}

TEST(UpfrontValidation, SeedMinusOneOrRandomIsDrawnAndReported) {
    const app::SeedChoice a = app::parse_seed("-1"), b = app::parse_seed("random");
    EXPECT_TRUE(a.drawn);
    EXPECT_TRUE(b.drawn);
    EXPECT_NE(a.seed, b.seed);  // 2^-64 odds of a false failure
    EXPECT_NE(a.seed, 18446744073709551615ull);
    const GenerateRequest r = request_of({"-p", "cat", "--seed", "random"});
    EXPECT_TRUE(r.seed_drawn);
}

TEST(UpfrontValidation, RandomSeedIsPrintedAndStoredSoTheRunRepeats) {
    TempDir dir("ltx2-upfront");
    const auto r = run_command(demo_cmd("--progress plain -p cat -f 9 --seed -1 -o " + dir.file("o.mp4")));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    std::smatch m;
    ASSERT_TRUE(std::regex_search(r.output, m, std::regex("seed ([0-9]+) \\(drawn at random; --seed ([0-9]+) repeats")))
        << r.output;
    EXPECT_EQ(m[1].str(), m[2].str());
    const auto tags = run_command("ffprobe -v error -show_entries format_tags=seed -of default=nw=1 " + dir.file("o.mp4"));
    expect_contains(tags.output, {"seed=" + m[1].str()});
}

TEST(UpfrontValidation, SeedOutOfRangeIsRefusedOnTheCommandLine) {
    expect_refused_early("--seed -5", {"--seed -5", "whole number"});
    expect_refused_early("--seed 18446744073709551616", {"--seed 18446744073709551616"});
}

TEST(UpfrontValidation, NonFiniteOrAbsurdNumbersAreRefusedNamingTheOption) {
    for (const char* budget : {"nan", "inf", "-1", "0"})
        expect_refused_early(fmt::format("--memory-budget {}", budget), {"--memory-budget", budget});
    expect_refused_early("--fps inf", {"--frame-rate", "inf"});
    expect_refused_early("--fps 5000", {"--frame-rate", "5000"});
    expect_refused_early("--crf nan", {"--crf nan"});
    expect_refused_early("--pipeline one-stage --video-cfg-guidance-scale 1e6", {"--video-cfg-guidance-scale", "1000000"});
    expect_refused_early("--pipeline one-stage --audio-stg-guidance-scale nan", {"--audio-stg-guidance-scale", "nan"});
    expect_refused_early("--pipeline one-stage --steps 100000", {"--num-inference-steps", "100000"});
    expect_refused_early("--threads 100000", {"--threads 100000", "at most 1024"});
}

TEST(UpfrontValidation, HugeImageFrameIndexIsRefusedNotWrapped) {
    for (const char* spec : {"a.png:1e300", "a.png:-1e300:1", "a.png:inf"})
        expect_error([&] { request_of({"-p", "cat", "--image", spec}); }, {"--image", spec, "out of range"});
    const auto r = run_command(demo_cmd("-p cat --image a.png:1e300 -o /tmp/never.mp4"));
    EXPECT_EQ(r.output.find("-9223372036854775808"), std::string::npos) << r.output;
}

// ---- 2. sizes before any allocation ----------------------------------------------------------------

TEST(UpfrontValidation, HugeSizesAreRefusedBeforeAnyAllocation) {
    expect_refused_early("-W 100032", {"--width", "100032", "16384"});
    expect_refused_early("-H 100032", {"--height", "100032"});
    expect_refused_early("-W 9223372036854775744", {"--width", "9223372036854775744"});
    expect_refused_early("-f 800001", {"--num-frames", "800001"});
}

TEST(UpfrontValidation, MemoryEstimateGrowsWithTheSizes) {
    GenerationParams p = default_generation_params(PipelineKind::Distilled);  // 1536 x 1024, 121 frames
    const app::MemoryEstimate e = app::estimate_generation_memory(p);
    EXPECT_NEAR(e.decoded_video, 121.0 * 1024 * 1536 * 15, 1.0);  // float32 canvas + 8-bit frames
    EXPECT_GT(e.activations, 1e9);
    p.num_frames = 241;
    EXPECT_GT(app::estimate_generation_memory(p).total(), 1.9 * e.total());
    expect_error([&] { app::check_fits_memory_budget(p, 1.0, 0); },
                 {"--memory-budget 1 GiB is too small", "1536x1024, 241 frames", "decoded video", "GiB"});
    EXPECT_NO_THROW(app::check_fits_memory_budget(p, 64.0, 0));
}

TEST(UpfrontValidation, RequestBeyondTheBudgetIsRefusedWithTheEstimate) {
    // The decode alone could be tiled into 4 GiB; the clip's frames cannot.
    expect_refused_early("-W 4096 -H 4096 -f 257 --memory-budget 4",
                         {"--memory-budget 4 GiB is too small", "4096x4096, 257 frames", "needs at least",
                          "decoded video"});
}

// ---- 3. encoder settings ---------------------------------------------------------------------------

TEST(UpfrontValidation, EncoderPresetAndCrfAreCheckedBeforeModelWork) {
    for (const char* preset : app::kX264Presets) EXPECT_NO_THROW(app::check_encoder_settings(23, preset));
    expect_error([] { app::check_encoder_settings(23, "fastest"); }, {"--preset 'fastest'", "ultrafast", "placebo"});
    expect_error([] { app::check_encoder_settings(52, "medium"); }, {"--crf 52", "[1, 51]"});
    expect_error([] { app::check_encoder_settings(0, "medium"); }, {"--crf 0", "High 4:4:4", "1 or more"});
    app::check_encoder_settings(1, "medium");
    expect_refused_early("--preset turbo", {"--preset 'turbo'", "not a libx264 preset"});
}

// ---- 4. config and image headers ---------------------------------------------------------------------

TEST(UpfrontValidation, GemmaConfigCountsAreBoundedBeforeAllocation) {
    nlohmann::json j = {{"model_type", "gemma3_text"}};
    for (const auto& [key, value] : std::vector<std::pair<std::string, double>>{{"num_hidden_layers", 1e9},
                                                                               {"num_hidden_layers", 2147483648.0},
                                                                               {"num_attention_heads", 1e6},
                                                                               {"head_dim", 1 << 20},
                                                                               {"hidden_size", 1e12},
                                                                               {"vocab_size", 1e11}}) {
        nlohmann::json bad = j;
        bad[key] = value;
        expect_error([&] { parse_gemma3_config(bad, "gemma/config.json"); },
                     {"gemma/config.json", "'" + key + "'", "positive integer up to"});
    }
    nlohmann::json fine = j;
    fine["num_hidden_layers"] = 48;
    EXPECT_EQ(parse_gemma3_config(fine, "gemma/config.json").num_hidden_layers, 48);
}

TEST(UpfrontValidation, ImageHeaderClaimingAHugePictureIsRefusedNamingFileAndSize) {
    TempDir dir("ltx2-upfront");
    const std::string huge = dir.file("huge.jpg"), fine = dir.file("fine.jpg");
    write_jpeg_claiming(huge, 30000, 30000);
    expect_error([&] { read_image(huge); }, {huge, "30000x30000", "900 megapixels"});
    expect_error([&] { read_image_size(huge); }, {huge, "30000x30000"});
    write_jpeg_claiming(fine, 48, 32);
    EXPECT_EQ(read_image_size(fine), (std::pair<int64_t, int64_t>{48, 32}));
    expect_refused_early("--image " + huge, {"--image " + huge, "30000x30000"});
}

// ---- 5. options the pipeline would ignore ------------------------------------------------------------

TEST(UpfrontValidation, OptionsTheDistilledPipelineIgnoresAreRefused) {
    for (const char* args : {"--steps 4", "-n blurry", "--negative-prompt blurry", "--video-cfg-guidance-scale 2",
                             "--audio-stg-guidance-scale 0", "--video-stg-blocks 1"}) {
        expect_error([&] {
            std::vector<std::string> argv{"-p", "cat"};
            std::stringstream words(args);
            for (std::string w; words >> w;) argv.push_back(w);
            request_of(argv);
        }, {"the distilled pipeline", "takes no"});
    }
    expect_error([] { request_of({"-p", "cat", "--ic-lora", "/no/such/ic.safetensors"}); },
                 {"--ic-lora", "only the ic-lora pipeline", "distilled"});
    expect_error([] { request_of({"-p", "cat", "--pipeline", "one-stage", "--spatial-upscale", "x2"}); },
                 {"--spatial-upscale", "one-stage", "does not upsample"});
    EXPECT_NO_THROW(request_of({"-p", "cat", "--pipeline", "one-stage", "--steps", "4", "-n", "blurry"}));
    expect_error([] { request_of({"-p", "cat", "--pipeline", "a2v", "--audio-cfg-guidance-scale", "5"}); },
                 {"--audio-cfg-guidance-scale", "a2v", "guides only the video"});
    EXPECT_NO_THROW(request_of({"-p", "cat", "--pipeline", "a2v", "--video-cfg-guidance-scale", "5"}));
    expect_refused_early("--steps 4", {"--steps", "distilled"});
}

// ---- 6. official names and suggestions -----------------------------------------------------------------

TEST(UpfrontValidation, OfficialOptionNamesAreAliases) {
    const GenerateRequest r = request_of({"-p", "cat", "--pipeline", "one-stage", "--output-path", "x.mp4",
                                          "--frame-rate", "25", "--num-inference-steps", "7", "--checkpoint-path",
                                          "c.safetensors", "--gemma-root", "g"},
                                         false);
    EXPECT_EQ(r.output, "x.mp4");
    EXPECT_EQ(r.params.frame_rate, 25);
    EXPECT_EQ(r.params.num_inference_steps, 7);
    EXPECT_TRUE(r.explicit_params.steps);
    EXPECT_EQ(r.models.explicit_paths.checkpoint, fs::path("c.safetensors"));
    EXPECT_EQ(r.models.explicit_paths.gemma, fs::path("g"));
}

TEST(UpfrontValidation, ImageTakesTheOfficialThreeValueForm) {
    const GenerateRequest r =
        request_of({"-p", "cat", "--image", "a.png", "8", "0.5", "--image", "b:c.png:16:0.25", "--image", "d.png"});
    ASSERT_EQ(r.params.images.size(), 3u);
    EXPECT_EQ(r.params.images[0].path, "a.png");
    EXPECT_EQ(r.params.images[0].frame_idx, 8);
    EXPECT_EQ(r.params.images[0].strength, 0.5);
    EXPECT_EQ(r.params.images[1].path, "b:c.png");
    EXPECT_EQ(r.params.images[1].frame_idx, 16);
    EXPECT_EQ(r.params.images[1].strength, 0.25);
    EXPECT_EQ(r.params.images[2].path, "d.png");
    EXPECT_EQ(r.params.images[2].frame_idx, 0);
    expect_error([] { request_of({"-p", "cat", "--image", "a.png", "8", "half"}); },
                 {"--image a.png 8 half", "'half' is not a number", "PATH FRAME STRENGTH"});
}

TEST(UpfrontValidation, UnknownOptionsGetTheNearestName) {
    EXPECT_EQ(app::edit_distance("--fraems", "--frames"), 2u);
    EXPECT_EQ(app::edit_distance("", "abc"), 3u);
    CLI::App app;
    GenerationCli cli;
    add_generation_options(app, cli);
    const char* argv[] = {"ltx2", "--fraems", "9", "--negative-promt=x", "--zzzzzzzzzzzzz", "-p", "cat"};
    const std::vector<std::string> hints = app::unknown_option_hints(app, 7, argv);
    ASSERT_EQ(hints.size(), 3u);
    EXPECT_EQ(hints[0], "--fraems: unknown option; did you mean --frames?");
    EXPECT_EQ(hints[1], "--negative-promt: unknown option; did you mean --negative-prompt?");
    EXPECT_EQ(hints[2], "--zzzzzzzzzzzzz: unknown option (ltx2 --help lists them)");
    const auto r = run_command(std::string(LTX2_BIN) + " --demo -p cat --fraems 9 -o /tmp/never.mp4");
    EXPECT_EQ(r.exit_code, 2) << r.output;
    expect_contains(r.output, {"did you mean --frames?"});
}

// ---- 7. Hub revisions ----------------------------------------------------------------------------------

TEST(UpfrontValidation, DownloadRevisionThatLeavesTheCacheIsRefused) {
    TempDir dir("ltx2-upfront");
    for (const char* revision : {"/abs/path", "refs/../../../x", "..", "a//b", "main/", "./main", "a\\b"}) {
        app::HubDownloadRequest r;
        r.repo = "Lightricks/LTX-2";
        r.files = {"f.safetensors"};
        r.revision = revision;
        r.cache_dir = dir.path / "cache";
        r.env = test::env_of({{"HF_ENDPOINT", "http://127.0.0.1:9"}});
        expect_error([&] { app::hub_download(r); }, {"--revision '" + std::string(revision) + "'", "not a branch"});
    }
    EXPECT_FALSE(fs::exists(dir.path / "cache"));
    const auto cli = run_command(std::string(LTX2_BIN) + " download Lightricks/LTX-2 f.safetensors --revision /abs/path");
    EXPECT_NE(cli.exit_code, 0);
    expect_contains(cli.output, {"--revision '/abs/path'"});
}

// A budget the sizes fit but the run's weights and decoders exceed is not passed over in silence.
TEST(UpfrontValidation, ExceededBudgetIsReportedWithNumbers) {
    TempDir dir("ltx2-upfront");
    const std::string args = "--progress plain -p cat -f 9 -o ";
    const auto free_run = run_command(demo_cmd(args + dir.file("free.mp4")));
    ASSERT_EQ(free_run.exit_code, 0) << free_run.output;
    std::smatch peak;
    ASSERT_TRUE(std::regex_search(free_run.output, peak, std::regex(R"(peak memory ([0-9.]+) GiB)"))) << free_run.output;
    // 90 % of this build's own peak: above what is resident when the video decode starts (the
    // run completes), below the peak (so it is exceeded).
    const std::string budget = fmt::format("{:.3g}", 0.9 * std::stod(peak[1].str()));
    const auto r = run_command(demo_cmd("--memory-budget " + budget + " " + args + dir.file("o.mp4")));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    expect_contains(r.output, {"--memory-budget " + budget, "was exceeded: the run peaked at", "GiB resident"});
    EXPECT_EQ(free_run.output.find("was exceeded"), std::string::npos) << free_run.output;
}

// The service draws a random seed once: the job reports it and the worker generates with it.
TEST(UpfrontValidation, ServiceRandomSeedIsDrawnOnceAndKept) {
    TempDir dir("ltx2-upfront");
    const service::JobStore store(dir.path);
    service::VideoRequests::Settings settings;
    ASSERT_EQ(ltx2_options_set(&settings.model_options, "model-dir", ensure_demo_model(LTX2_TEST_DEMO_DIR).c_str()),
              LTX2_OK);
    service::open_models(settings, true);
    const service::VideoRequests requests(settings);
    service::VideoForm form;
    form.fields = {{"prompt", "cat"}, {"seed", "-1"}, {"num_frames", "9"}};
    const service::Job job = requests.new_job(form, store);
    EXPECT_EQ(job.request.at("seed"), std::to_string(job.seed));
    const GenerateRequest r = requests.generate_request(job, store);
    EXPECT_EQ(r.params.seed, job.seed);
    EXPECT_FALSE(r.seed_drawn);
}

namespace {

// A copy of the demo's distilled checkpoint with one tensor changed by `edit` (given the name and
// the tensor; returning an undefined tensor leaves it out). Returns the copy's path.
std::string demo_checkpoint_copy(const TempDir& dir, const std::string& victim,
                                 const std::function<Tensor(const Tensor&)>& edit) {
    const std::string demo = ensure_demo_model(LTX2_TEST_DEMO_DIR);
    const auto file = SafetensorsFile::open(demo + "/ltx-2-19b-distilled.safetensors");
    std::vector<std::pair<std::string, Tensor>> tensors;
    for (const auto& e : file->entries()) {
        Tensor t = file->tensor(e.name);
        if (e.name == victim) t = edit(t);
        if (t.defined()) tensors.emplace_back(e.name, t);
    }
    const std::string copy = dir.file("ltx-2-19b-distilled.safetensors");
    write_safetensors(copy, tensors, file->metadata());
    return copy;
}

// The LTX files beside the copied checkpoint: the demo's Gemma and upsampler.
std::string run_with_checkpoint(const TempDir& dir, const std::string& checkpoint) {
    const std::string demo = ensure_demo_model(LTX2_TEST_DEMO_DIR);
    return fmt::format("timeout 300 {} --checkpoint {} --gemma {}/gemma-3-12b-it --spatial-upsampler "
                       "{}/ltx-2-spatial-upscaler-x2-1.0.safetensors -p cat -W 192 -H 128 -f 9 --progress plain -o {}",
                       LTX2_BIN, checkpoint, demo, demo, dir.file("o.mp4"));
}

}  // namespace

// The vocoder, the audio and video decoders and the upsampler run only after denoising; a damaged
// one stops the run before any model work, naming the tensor.
TEST(UpfrontValidation, DamagedLateModelsAreFoundBeforeDenoising) {
    TempDir dir("ltx2-upfront");
    const std::string victim = "vocoder.conv_post.weight";
    const std::string missing = demo_checkpoint_copy(dir, victim, [](const Tensor&) { return Tensor(); });
    auto r = run_command(run_with_checkpoint(dir, missing));
    EXPECT_NE(r.exit_code, 0) << r.output;
    expect_contains(r.output, {"conv_post.weight", "missing"});
    EXPECT_EQ(r.output.find("encode text"), std::string::npos) << r.output;
    EXPECT_FALSE(fs::exists(dir.file("o.mp4")));

    const std::string decoder_tensor = "vae.decoder.conv_out.conv.weight";
    const std::string nan = demo_checkpoint_copy(dir, decoder_tensor, [](const Tensor& t) {
        Tensor bad = t.to(DType::F32);
        bad.f32()[3] = std::numeric_limits<float>::quiet_NaN();
        return bad.to(t.dtype());
    });
    r = run_command(run_with_checkpoint(dir, nan));
    EXPECT_NE(r.exit_code, 0) << r.output;
    expect_contains(r.output, {decoder_tensor, "holds NaN"});
    EXPECT_EQ(r.output.find("encode text"), std::string::npos) << r.output;
    EXPECT_FALSE(fs::exists(dir.file("o.mp4")));
}
