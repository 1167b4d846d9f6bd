// The ltx2 program: version, inspect, and its errors on bad checkpoints.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include <fmt/format.h>
#include <string>

#include "app/demo_model.h"
#include "core/random_tensor.h"
#include "io/media/audio_reader.h"
#include "io/media/image_io.h"
#include "io/media/mp4_writer.h"
#include "io/safetensors.h"
#include "io/wav.h"
#include "io/weight_store.h"
#include "models/upsampler/model.h"
#include "ltx2/version.h"
#include "test_util.h"

namespace fs = std::filesystem;
using ltx2::test::run_command;
using ltx2::test::TempDir;
using ltx2::test::expect_contains;

namespace {
std::string ltx2_cmd(const std::string& args) { return std::string(LTX2_BIN) + " " + args; }
const std::string kModel = std::string(LTX2_GOLDEN_DIR) + "/transformer/av_tiny.model.safetensors";
}  // namespace

TEST(Ltx2Cli, VersionPrintsTheVersion) {
    auto r = run_command(ltx2_cmd("--version"));
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find(LTX2_VERSION_STRING), std::string::npos) << r.output;
}

TEST(Ltx2Cli, InspectSummarisesACheckpoint) {
    auto r = run_command(ltx2_cmd("inspect " + kModel));
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("198 tensors"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("model.diffusion_model"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("config sections: transformer"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("model: LTX-2 (19B)"), std::string::npos) << r.output;
    const auto r23 = run_command(ltx2_cmd("inspect " + std::string(LTX2_GOLDEN_DIR) + "/ltx23/transformer/av_tiny.model.safetensors"));
    EXPECT_EQ(r23.exit_code, 0) << r23.output;
    EXPECT_NE(r23.output.find("model: LTX-2.3 (model_version 2.3.0)"), std::string::npos) << r23.output;
}

TEST(Ltx2Cli, InspectOfATruncatedFileFailsNamingIt) {
    TempDir dir("ltx2-cli");
    auto path = dir.file("cut.safetensors");
    fs::copy_file(kModel, path);
    fs::resize_file(path, 1000);
    auto r = run_command(ltx2_cmd("inspect " + path));
    EXPECT_NE(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("cut.safetensors"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("error:"), std::string::npos) << r.output;
}

TEST(Ltx2Cli, InspectOfAMissingFileFailsNamingIt) {
    auto r = run_command(ltx2_cmd("inspect /nonexistent/model.safetensors"));
    EXPECT_NE(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("/nonexistent/model.safetensors"), std::string::npos) << r.output;
}

TEST(Ltx2Cli, NoSubcommandIsAUsageError) {
    auto r = run_command(ltx2_cmd(""));
    EXPECT_NE(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("inspect"), std::string::npos) << r.output;
}

// ---- generation with the built-in demo model ---------------------------------------------

namespace {

// The demo command with a shared demo folder in the build tree (written once, by whichever
// test gets there first; concurrent writers are safe).
std::string demo_cmd(const std::string& args) {
    return "LTX2_DEMO_DIR=" + std::string(LTX2_TEST_DEMO_DIR) + " " + ltx2_cmd("--demo " + args);
}

std::string read_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

std::string ffprobe(const std::string& path, const std::string& entries) {
    return run_command("ffprobe -v error -count_frames -show_entries " + entries + " -of default=nw=1 '" + path + "'")
        .output;
}

// Runs a command that must fail, leaving no file in `dir` other than those listed.
void expect_fails_cleanly(const std::string& command, const std::vector<std::string>& fragments, const TempDir& dir) {
    const auto r = run_command(command);
    EXPECT_NE(r.exit_code, 0) << r.output;
    expect_contains(r.output, fragments);
    EXPECT_NE(r.output.find("error: "), std::string::npos) << r.output;
    for (const auto& e : fs::directory_iterator(dir.path))
        EXPECT_FALSE(e.path().extension() == ".mp4" || e.path().extension() == ".tmp") << "left behind: " << e.path();
}

}  // namespace

// A FIFO given as any input is refused at once (open() on it would wait for a writer forever);
// `timeout` turns a regression into a failure instead of a hung test.
TEST(Ltx2Cli, AFifoAsAnInputIsRefusedWithoutWaiting) {
    TempDir dir;
    const std::string fifo = dir.file("pipe.safetensors");
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    const auto inspect = run_command("timeout 60 " + ltx2_cmd("inspect " + fifo));
    EXPECT_EQ(inspect.exit_code, 1) << inspect.output;
    expect_contains(inspect.output, {fifo, "is a FIFO (named pipe), not a regular file"});
    const std::string out = " -f 9 -o " + dir.file("o.mp4");
    for (const std::string option : {"--transformer", "--image", "--lora", "--prompt-file", "--duration-head"}) {
        const std::string prompt = option == "--prompt-file" ? "" : " -p cat";
        const auto r = run_command("timeout 60 env " + demo_cmd(option + " " + fifo + prompt + out));
        EXPECT_EQ(r.exit_code, 1) << option << ": " << r.output;
        expect_contains(r.output, {option + " " + fifo + ": is a FIFO"});
    }
    const auto folder = run_command("timeout 60 env " + demo_cmd("--image " + dir.path.string() + " -p cat" + out));
    expect_contains(folder.output, {"--image " + dir.path.string() + ": is a folder, not a file"});
}

TEST(Ltx2Generate, DemoWritesAPlayableMp4WithSyncedAudio) {
    TempDir dir;
    const std::string out = dir.file("cat.mp4");
    const auto r = run_command(demo_cmd("--progress plain -p 'A cat plays the piano' --frames 17 --seed 5 -o " + out));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    // Progress: every stage, the denoising steps, the peak memory at the end.
    expect_contains(r.output, {"resolve models", "encode text", "load transformer", "denoise stage1", "step 8/8", "upsample x2",
                               "denoise stage2", "step 3/3", "decode video", "decode audio", "write outputs",
                               "peak memory"});
    const std::string v = ffprobe(out, "stream=codec_name,pix_fmt,width,height,r_frame_rate,nb_read_frames,duration");
    expect_contains(v, {"codec_name=h264", "pix_fmt=yuv420p", "width=192", "height=128", "r_frame_rate=24/1",
                        "nb_read_frames=17", "codec_name=aac"});
    const std::string a = ffprobe(out, "stream=sample_rate,duration");
    expect_contains(a, {"sample_rate=24000"});
    // Both streams last exactly 17/24 s.
    size_t count = 0;
    for (size_t at = a.find("duration=0.708333"); at != std::string::npos; at = a.find("duration=0.708333", at + 1))
        ++count;
    EXPECT_EQ(count, 2u) << a;
    expect_contains(ffprobe(out, "format_tags"), {"prompt=A cat plays the piano", "seed=5", "pipeline=distilled"});
}

// The file carries the rate the user meant (the reference would write int(29.97) = 29 fps, a
// longer clip out of sync with its audio), and the name must promise MP4.
TEST(Ltx2Generate, NtscRatesAreExactAndTheNameMustBeMp4) {
    TempDir dir;
    const std::string out = dir.file("ntsc.mp4");
    const auto r = run_command(demo_cmd("--progress none -p 'a tram' --frames 9 --fps 29.97 -o " + out));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const std::string v = ffprobe(out, "stream=r_frame_rate,nb_read_frames,duration");
    expect_contains(v, {"r_frame_rate=30000/1001", "nb_read_frames=9"});
    size_t count = 0;  // both streams last 9 · 1001 / 30000 s (the audio to the nearest of its samples)
    for (size_t at = v.find("duration=0.300"); at != std::string::npos; at = v.find("duration=0.300", at + 1)) ++count;
    EXPECT_EQ(count, 2u) << v;
    for (const std::string name : {"clip.mkv", "clip", "clip.MOV"}) {
        const auto bad = run_command(demo_cmd("--progress plain -p cat --frames 9 -o " + dir.file(name)));
        EXPECT_EQ(bad.exit_code, 1) << bad.output;
        expect_contains(bad.output, {"--output " + dir.file(name), "written as MP4", "ending in .mp4"});
        EXPECT_EQ(bad.output.find("encode text"), std::string::npos) << bad.output;
        EXPECT_FALSE(fs::exists(dir.file(name)));
    }
    ASSERT_EQ(run_command(demo_cmd("--progress none -p cat --frames 9 -o " + dir.file("upper.MP4"))).exit_code, 0);
}

TEST(Ltx2Generate, SameSeedSameBytesDifferentSeedDifferentBytes) {
    TempDir dir;
    for (const auto& [name, seed] : {std::pair{"a", 7}, std::pair{"b", 7}, std::pair{"c", 8}}) {
        const auto r = run_command(demo_cmd(fmt::format("-p 'waves at night' --frames 9 --seed {} -o {} --progress none",
                                                        seed, dir.file(std::string(name) + ".mp4"))));
        ASSERT_EQ(r.exit_code, 0) << r.output;
    }
    const std::string a = read_bytes(dir.file("a.mp4")), b = read_bytes(dir.file("b.mp4")),
                      c = read_bytes(dir.file("c.mp4"));
    EXPECT_GT(a.size(), 1000u);
    EXPECT_EQ(a, b);
    EXPECT_NE(a, c);
}

TEST(Ltx2Generate, FramesDirAudioOutAndJsonProgress) {
    TempDir dir;
    const auto r = run_command(demo_cmd("-p 'rain' --frames 9 --frames-dir " + dir.file("frames") + " --audio-out " +
                                        dir.file("a.wav") + " --progress json"));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    size_t pngs = 0;
    for (const auto& e : fs::directory_iterator(dir.file("frames"))) pngs += e.path().extension() == ".png";
    EXPECT_EQ(pngs, 9u);
    expect_contains(ffprobe(dir.file("a.wav"), "stream=sample_rate,duration"), {"sample_rate=24000", "duration=0.375"});
    // One JSON object per line, with step events.
    size_t steps = 0;
    std::istringstream lines(r.output);
    for (std::string line; std::getline(lines, line);) {
        const auto j = nlohmann::json::parse(line, nullptr, false);
        ASSERT_FALSE(j.is_discarded()) << line;
        steps += j.value("event", "") == "step";
    }
    EXPECT_EQ(steps, 11u);
}

TEST(Ltx2Generate, GuidedPipelinesRunOnTheDemo) {
    TempDir dir;
    for (const char* pipeline : {"one-stage", "two-stage"}) {
        const auto r = run_command(demo_cmd(fmt::format("-p 'a dog' --pipeline {} --frames 9 --steps 2 -o {}",
                                                        pipeline, dir.file(std::string(pipeline) + ".mp4"))));
        ASSERT_EQ(r.exit_code, 0) << pipeline << "\n" << r.output;
        expect_contains(ffprobe(dir.file(std::string(pipeline) + ".mp4"), "stream=nb_read_frames"),
                        {"nb_read_frames=9"});
    }
}

TEST(Ltx2Generate, ErrorsAreClearAndLeaveNoOutput) {
    TempDir dir;
    const std::string out = " -o " + dir.file("o.mp4");
    expect_fails_cleanly(ltx2_cmd("-p cat --model-dir " + dir.path.string() + out),
                         {"ltx-2-19b-distilled.safetensors", dir.path.string(), "gemma", "ltx2 download"}, dir);
    expect_fails_cleanly(demo_cmd("-p cat --width 100" + out), {"--width", "100"}, dir);
    expect_fails_cleanly(demo_cmd("-p cat --frames 10" + out), {"frames", "10", "8k + 1"}, dir);
    expect_fails_cleanly(demo_cmd("-p cat --image /no/such/image.png" + out), {"--image", "/no/such/image.png"}, dir);
    std::ofstream(dir.file("junk.png")) << "not an image";
    expect_fails_cleanly(demo_cmd("-p cat --image " + dir.file("junk.png") + out), {dir.file("junk.png")}, dir);
    expect_fails_cleanly(demo_cmd("-p cat -o /no/such/folder/o.mp4"), {"/no/such/folder"}, dir);
    expect_fails_cleanly(demo_cmd("-p '   '" + out), {"prompt is empty"}, dir);
    expect_fails_cleanly(demo_cmd("--frames 9" + out), {"no prompt"}, dir);
    expect_fails_cleanly(demo_cmd("-p cat --pipeline three-stage" + out), {"three-stage", "distilled"}, dir);
    expect_fails_cleanly(demo_cmd("-p cat --lora " + dir.file("none.safetensors") + out), {"--lora", "none.safetensors"},
                         dir);
    // Refused before any model work: the output names the option, and no denoising ran.
    const auto small = run_command(demo_cmd("--progress plain -p cat --memory-budget 0.004" + out));
    EXPECT_NE(small.exit_code, 0);
    expect_contains(small.output, {"--memory-budget 0.004 GiB is too small", "choose_tiling"});
    EXPECT_EQ(small.output.find("denoise"), std::string::npos) << small.output;
}

TEST(Ltx2Generate, DiskFullLeavesNoPartialFile) {
    TempDir dir;
    // Make sure the demo model exists first: the file-size limit would stop it being written.
    ASSERT_EQ(run_command(demo_cmd("-p warmup --frames 9 --progress none -o " + dir.file("w.mp4"))).exit_code, 0);
    fs::remove(dir.file("w.mp4"));
    // A file-size limit makes every write past 8 KiB fail (EFBIG), as a full disk would.
    const auto r = run_command("bash -c \"trap '' XFSZ; ulimit -f 8; LTX2_DEMO_DIR=" + std::string(LTX2_TEST_DEMO_DIR) +
                               " exec " + std::string(LTX2_BIN) + " --demo --progress none -p cat --frames 17 --crf 1 -o " +
                               dir.file("big.mp4") + "\"");
    EXPECT_NE(r.exit_code, 0) << r.output;
    expect_contains(r.output, {"big.mp4", "File too large"});
    EXPECT_FALSE(fs::exists(dir.file("big.mp4")));
    EXPECT_EQ(ltx2::test::temps_beside(dir.file("big.mp4")), std::vector<std::string>{});
}

TEST(Ltx2Generate, ImageConditioningKeyframesAndIcLoraRunOnTheDemo) {
    TempDir dir;
    // Two small pictures (a gradient and its inverse) to condition on.
    ltx2::Tensor a = ltx2::Tensor::zeros({80, 120, 3}, ltx2::DType::U8), b = a.clone();
    for (int64_t i = 0; i < a.numel(); ++i) {
        a.data<uint8_t>()[i] = uint8_t(i * 7 % 251);
        b.data<uint8_t>()[i] = uint8_t(255 - i * 7 % 251);
    }
    ltx2::write_png(dir.file("a.png"), a);
    ltx2::write_png(dir.file("b.png"), b);
    // A reference video for the IC-LoRA pipeline (made by the demo itself), and an IC-LoRA: the
    // demo's distilled LoRA file has the official LoRA layout.
    ASSERT_EQ(run_command(demo_cmd("-p ref --frames 9 --progress none -o " + dir.file("ref.mp4"))).exit_code, 0);
    const std::string lora = std::string(LTX2_TEST_DEMO_DIR) + "/ltx-2-19b-distilled-lora-384.safetensors";
    const std::vector<std::pair<std::string, std::string>> runs = {
        {"i2v", "--image " + dir.file("a.png") + ":0:1"},
        {"keyframes", "--pipeline keyframes --steps 2 --image " + dir.file("a.png") + ":0:1 --image " +
                          dir.file("b.png") + ":8:0.8"},
        {"iclora", "--pipeline ic-lora --ic-lora " + lora + " --video-conditioning " + dir.file("ref.mp4") + ":1 --image " +
                       dir.file("a.png")},
    };
    for (const auto& [name, args] : runs) {
        const auto r = run_command(demo_cmd("-p 'a dog' --frames 9 --progress plain " + args + " -o " +
                                            dir.file(name + ".mp4")));
        ASSERT_EQ(r.exit_code, 0) << name << "\n" << r.output;
        expect_contains(r.output, {"encode image"});
        expect_contains(ffprobe(dir.file(name + ".mp4"), "stream=nb_read_frames"), {"nb_read_frames=9"});
    }
}

// ---- LTX-2.3: the same generation with the 2.3 demo model ------------------------------------

TEST(Ltx2Generate23, DemoWritesH264And48kHzAacDeterministically) {
    TempDir dir;
    for (const char* name : {"a", "b"}) {
        const std::string out = dir.file(std::string(name) + ".mp4");
        const auto r = run_command(demo_cmd("2.3 --progress plain -p 'A cat plays the piano' -f 17 --seed 5 -o " + out));
        ASSERT_EQ(r.exit_code, 0) << r.output;
        expect_contains(r.output, {"LTX-2.3 (model_version 2.3.0)", "denoise stage1", "step 8/8", "denoise stage2",
                                   "decode video", "decode audio", "write outputs"});
    }
    const std::string out = dir.file("a.mp4");
    expect_contains(ffprobe(out, "stream=codec_name,pix_fmt,width,height,nb_read_frames,sample_rate,channels"),
                    {"codec_name=h264", "pix_fmt=yuv420p", "width=192", "height=128", "nb_read_frames=17",
                     "codec_name=aac", "sample_rate=48000", "channels=2"});
    const std::string a = ffprobe(out, "stream=duration");
    size_t count = 0;  // audio exactly as long as the video: 17/24 s
    for (size_t at = a.find("duration=0.708333"); at != std::string::npos; at = a.find("duration=0.708333", at + 1))
        ++count;
    EXPECT_EQ(count, 2u) << a;
    EXPECT_EQ(read_bytes(dir.file("a.mp4")), read_bytes(dir.file("b.mp4")));
    // Not the 19B demo's output under another name.
    const auto r19 = run_command(demo_cmd("--progress none -p 'A cat plays the piano' -f 17 --seed 5 -o " +
                                          dir.file("19b.mp4")));
    ASSERT_EQ(r19.exit_code, 0) << r19.output;
    EXPECT_NE(read_bytes(dir.file("a.mp4")), read_bytes(dir.file("19b.mp4")));
}

TEST(Ltx2Generate23, EveryPipelineRunsOnThe23Demo) {
    TempDir dir;
    ltx2::Tensor image = ltx2::Tensor::zeros({80, 120, 3}, ltx2::DType::U8);
    for (int64_t i = 0; i < image.numel(); ++i) image.data<uint8_t>()[i] = uint8_t(i * 7 % 251);
    ltx2::write_png(dir.file("a.png"), image);
    ASSERT_EQ(run_command(demo_cmd("2.3 -p ref --frames 9 --progress none -o " + dir.file("ref.mp4"))).exit_code, 0);
    const std::string lora = std::string(LTX2_TEST_DEMO_DIR) + "-2.3/ltx-2.3-22b-distilled-lora-384-1.1.safetensors";
    const std::vector<std::pair<std::string, std::string>> runs = {
        {"one-stage", "--pipeline one-stage --steps 2"},
        {"two-stage", "--pipeline two-stage --steps 2 --image " + dir.file("a.png") + ":0:1"},
        {"keyframes", "--pipeline keyframes --steps 2 --image " + dir.file("a.png") + ":0:1 --image " +
                          dir.file("a.png") + ":8:0.8"},
        {"ic-lora", "--pipeline ic-lora --ic-lora " + lora + " --video-conditioning " + dir.file("ref.mp4") + ":1"},
    };
    for (const auto& [name, args] : runs) {
        const auto r = run_command(demo_cmd("2.3 -p 'a dog' --frames 9 --progress plain " + args + " -o " +
                                            dir.file(name + ".mp4")));
        ASSERT_EQ(r.exit_code, 0) << name << "\n" << r.output;
        expect_contains(ffprobe(dir.file(name + ".mp4"), "stream=nb_read_frames,sample_rate"),
                        {"nb_read_frames=9", "sample_rate=48000"});
    }
}

// An x1.5 spatial upsampler (random weights, 128 channels) makes the upsampling pipelines start
// at 2/3 of the size; sizes it cannot reach are refused before any model runs.
TEST(Ltx2Generate23, X1_5SpatialUpsamplerStartsAtTwoThirds) {
    TempDir dir;
    const nlohmann::json config = {{"_class_name", "LatentUpsampler"}, {"in_channels", 128},
                                   {"mid_channels", 32},                {"num_blocks_per_stage", 1},
                                   {"dims", 3},                         {"spatial_upsample", true},
                                   {"temporal_upsample", false},        {"spatial_scale", 1.5},
                                   {"rational_resampler", true}};
    const ltx2::WeightStore store =
        ltx2::WeightStore::synthetic(config, [](const std::string& name, const ltx2::Shape& shape) {
            return ltx2::random_uniform_tensor(shape, ltx2::DType::BF16, 0.05f, std::hash<std::string>{}(name) | 1);
        });
    (void)ltx2::LatentUpsampler::load(store);
    const std::string upsampler = dir.file("ltx-2.3-spatial-upscaler-x1.5-1.0.safetensors");
    ltx2::write_safetensors(upsampler, store.synthesized(), {{"config", config.dump()}});

    const std::string args = "2.3 -p cat --frames 9 --progress plain --spatial-upsampler " + upsampler;
    const auto r = run_command(demo_cmd(args + " -W 288 -H 192 -o " + dir.file("x1.5.mp4")));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    expect_contains(r.output, {"denoise stage1", "upsample x1.5", "denoise stage2"});
    expect_contains(ffprobe(dir.file("x1.5.mp4"), "stream=width,height"), {"width=288", "height=192"});

    TempDir fails;
    expect_fails_cleanly(demo_cmd(args + " -o " + fails.file("o.mp4")),  // the demo's 192 x 128
                         {"--height", "128 is not a multiple of 96", "x1.5 spatial upsampler"}, fails);
    expect_fails_cleanly(demo_cmd(args + " -W 288 -H 192 --spatial-upscale x2 -o " + fails.file("o.mp4")),
                         {"--spatial-upsampler", "an x1.5 upsampler, but --spatial-upscale x2 was asked for"}, fails);
    expect_fails_cleanly(demo_cmd(args + " --spatial-upscale x3 -o " + fails.file("o.mp4")),
                         {"--spatial-upscale", "'x3'"}, fails);
}

TEST(Ltx2Generate23, GuidedPipelinesRefuseTheDistilledCheckpoint) {
    TempDir warmup, dir;  // the demo model is written by the first run
    ASSERT_EQ(run_command(demo_cmd("2.3 -p warmup --frames 9 --progress none -o " + warmup.file("w.mp4"))).exit_code, 0);
    const std::string demo = std::string(LTX2_TEST_DEMO_DIR) + "-2.3";
    const std::string distilled = demo + "/ltx-2.3-22b-distilled-1.1.safetensors";
    expect_fails_cleanly(ltx2_cmd("--model-dir " + demo + " --checkpoint " + distilled +
                                  " --pipeline one-stage -W 96 -H 64 -f 9 -p cat -o " + dir.file("o.mp4")),
                         {distilled, "distilled checkpoint runs only with --pipeline distilled or ic-lora",
                          "ltx-2.3-22b-dev.safetensors"},
                         dir);
    expect_fails_cleanly(demo_cmd("2.5 -p cat -o " + dir.file("o.mp4")), {"--demo 2.5", "19b", "2.3"}, dir);
}

// ---- audio-to-video on the 2.3 demo -----------------------------------------------------------

namespace {

// 1 s of stereo tones at 44.1 kHz (440 Hz left, 660 Hz right) as a PCM16 WAV.
std::string write_tone(const TempDir& dir) {
    const int64_t n = 44100;
    ltx2::Tensor t = ltx2::Tensor::zeros({2, n});
    for (int64_t i = 0; i < n; ++i) {
        t.f32()[i] = float(0.5 * std::sin(2 * M_PI * 440.0 * double(i) / 44100.0));
        t.f32()[n + i] = float(0.3 * std::sin(2 * M_PI * 660.0 * double(i) / 44100.0));
    }
    const std::string path = dir.file("tone.wav");
    ltx2::write_wav(path, t, 44100, ltx2::WavFormat::Pcm16);
    return path;
}

// max over channels of 1 − normalised correlation between the MP4's audio and the input's.
double audio_mismatch(const ltx2::DecodedAudio& got, const ltx2::DecodedAudio& want) {
    double worst = 0;
    for (int64_t c = 0; c < 2; ++c) {
        const std::vector<float> x = got.samples.select(0, c).contiguous().to_vector();
        const std::vector<float> y = want.samples.select(0, c).contiguous().to_vector();
        double xy = 0, xx = 0, yy = 0;
        for (size_t i = 0; i < std::min(x.size(), y.size()); ++i) {
            xy += double(x[i]) * y[i];
            xx += double(x[i]) * x[i];
            yy += double(y[i]) * y[i];
        }
        worst = std::max(worst, 1.0 - xy / std::sqrt(xx * yy));
    }
    return worst;
}

}  // namespace

TEST(Ltx2GenerateA2v, DemoFromWavAndMp3CarriesTheInputAudio) {
    TempDir dir;
    const std::string wav = write_tone(dir);
    const std::string mp3 = dir.file("tone.mp3");
    ASSERT_EQ(run_command("ffmpeg -v error -y -i '" + wav + "' '" + mp3 + "'").exit_code, 0);
    for (const std::string& input : {wav, mp3}) {
        const std::string out = dir.file(fs::path(input).extension().string().substr(1) + ".mp4");
        const auto r = run_command(demo_cmd("2.3 --pipeline a2v --audio-path '" + input +
                                            "' -p 'a singer' -f 17 --progress plain -o " + out));
        ASSERT_EQ(r.exit_code, 0) << r.output;
        expect_contains(r.output, {"encode audio", "denoise stage1", "upsample x2", "denoise stage2", "decode video"});
        EXPECT_EQ(r.output.find("decode audio"), std::string::npos) << r.output;  // the input itself goes out
        expect_contains(ffprobe(out, "stream=codec_name,width,height,nb_read_frames,sample_rate,channels"),
                        {"codec_name=h264", "width=192", "height=128", "nb_read_frames=17", "codec_name=aac",
                         "sample_rate=44100", "channels=2"});
        expect_contains(ffprobe(out, "format_tags"), {"pipeline=a2v"});
        // The input as the pipeline read it (an MP3's frame timestamps may end it a few ms early), in a
        // track exactly as long as the video: round(17/24 · 44100) samples.
        // Video 17/24 s; audio round(17/24 · 44100) = 31238 samples.
        expect_contains(ffprobe(out, "stream=duration"), {"duration=0.708333", "duration=0.708345"});
        const ltx2::DecodedAudio got = ltx2::read_audio(out, 0.0, 17.0 / 24.0);
        const ltx2::DecodedAudio want = ltx2::read_audio(input, 0.0, 17.0 / 24.0);
        EXPECT_GT(want.samples.size(1), 31238 - 1152);
        EXPECT_LT(audio_mismatch(got, want), 0.01) << input;  // AAC-coded copy of the input tones
    }
}

TEST(Ltx2GenerateA2v, AudioErrorsComeBeforeAnyModelRuns) {
    TempDir inputs, dir;
    const std::string wav = write_tone(inputs);
    const std::string silent = inputs.file("silent.mp4");
    ltx2::write_mp4(silent, ltx2::Tensor::zeros({2, 32, 32, 3}, ltx2::DType::U8), std::nullopt);
    const std::string odd_rate = inputs.file("odd_rate.wav");  // a rate AAC cannot carry
    ltx2::write_wav(odd_rate, ltx2::Tensor::zeros({2, 37800}), 37800, ltx2::WavFormat::Pcm16);
    const std::string a2v = "2.3 --pipeline a2v -p cat -f 17 --progress plain -o " + dir.file("o.mp4") + " ";
    const std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
        {"--audio-path " + dir.file("missing.wav"), {"--audio-path", dir.file("missing.wav"), "no such file"}},
        {"--audio-path " + silent, {"--audio-path", silent, "no audio stream"}},
        {"--audio-path " + wav + " --audio-start-time 3", {"--audio-path", wav, "--audio-start-time 3", "ends at"}},
        {"--audio-path " + wav + " --audio-start-time 0.5", {"--audio-path", wav, "needs 18", "--audio-start-time"}},
        {"--audio-path " + wav + " --audio-max-duration -1", {"--audio-max-duration -1", wav}},
        {"--audio-path " + odd_rate, {"--audio-path", odd_rate, "37800 Hz", "AAC"}},
        {"--audio-path " + wav + " --audio-start-time -2", {"--audio-start-time -2", wav}},
        {"", {"--audio-path", "a2v pipeline needs"}},
    };
    for (const auto& [args, fragments] : cases) {
        SCOPED_TRACE(args);
        const auto r = run_command(demo_cmd(a2v + args));
        EXPECT_EQ(r.exit_code, 1) << r.output;
        expect_contains(r.output, fragments);
        EXPECT_EQ(r.output.find("encode text"), std::string::npos) << r.output;
        EXPECT_FALSE(fs::exists(dir.file("o.mp4")));
    }
    expect_fails_cleanly(demo_cmd("--pipeline a2v --audio-path " + wav + " -p cat -f 17 -o " + dir.file("o.mp4")),
                         {"--pipeline a2v", "LTX-2 (19B)", "no audio-to-video pipeline", "LTX-2.3"}, dir);
    expect_fails_cleanly(demo_cmd("2.3 --audio-path " + wav + " -p cat -f 17 -o " + dir.file("o.mp4")),
                         {"--audio-path " + wav, "only the a2v pipeline"}, dir);
}

// ---- retake -------------------------------------------------------------------------------------

namespace {

// A clip made by the 2.3 demo (17 frames, 192x128, 24 fps, with audio), once per test.
std::string demo_clip(const TempDir& dir) {
    const std::string clip = dir.file("source.mp4");
    const auto r = run_command(demo_cmd("2.3 -p 'a cat' -f 17 -o " + clip));
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return clip;
}

std::string retake_cmd(const std::string& source, const std::string& args) {
    return demo_cmd("2.3 --pipeline retake --video-path '" + source + "' --progress plain " + args);
}

}  // namespace

TEST(Ltx2GenerateRetake, DemoRetakesASpanOfAClipItGenerated) {
    TempDir dir;
    const std::string source = demo_clip(dir);
    const std::string out = dir.file("retake.mp4");
    const auto r = run_command(retake_cmd(source, "--start-time 0.2 --end-time 0.5 -p 'a dog' -o " + out));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    expect_contains(r.output, {"encode video", "encode audio", "denoise stage1", "8 steps", "decode video",
                               "decode audio"});
    expect_contains(ffprobe(out, "stream=codec_name,width,height,nb_read_frames,r_frame_rate"),
                    {"codec_name=h264", "width=192", "height=128", "nb_read_frames=17", "r_frame_rate=24/1",
                     "codec_name=aac"});
    // The source by name (no path of this machine in the tags).
    expect_contains(ffprobe(out, "format_tags"),
                    {"pipeline=retake", "retake=" + fs::path(source).filename().string() + " [0.2, 0.5) s"});
    // Same seed, same bytes; the retaken span is new content.
    const std::string again = dir.file("again.mp4");
    ASSERT_EQ(run_command(retake_cmd(source, "--start-time 0.2 --end-time 0.5 -p 'a dog' -o " + again)).exit_code, 0);
    EXPECT_EQ(read_bytes(out), read_bytes(again));

    // The guided mode (the dev checkpoint, CFG with the negative prompt) runs too.
    const std::string guided = dir.file("guided.mp4");
    const auto g = run_command(
        demo_cmd("2.3 --pipeline retake-guided --video-path '" + source +
                 "' --progress plain --start-time 0 --end-time 0.3 --steps 2 -p 'a dog' -o " + guided));
    ASSERT_EQ(g.exit_code, 0) << g.output;
    expect_contains(g.output, {"dev", "denoise stage1", "2 steps"});
    expect_contains(ffprobe(guided, "stream=width,height,nb_read_frames"),
                    {"width=192", "height=128", "nb_read_frames=17"});
}

// A kept stream ends exactly on the source latent, whatever the prompt: two retakes with
// different prompts decode it to the same frames (--keep-video) or the same waveform
// (--keep-audio), while the regenerated stream differs.
TEST(Ltx2GenerateRetake, AKeptStreamIsTheSourceWhateverThePrompt) {
    TempDir dir;
    const std::string source = demo_clip(dir);
    auto retake = [&](const std::string& keep, const std::string& prompt, const std::string& name) {
        const auto r = run_command(retake_cmd(source, "--start-time 0.1 --end-time 0.6 " + keep + " -p '" + prompt +
                                                          "' --frames-dir " + dir.file(name + "_frames") +
                                                          " --audio-out " + dir.file(name + ".wav") + " -o " +
                                                          dir.file(name + ".mp4")));
        EXPECT_EQ(r.exit_code, 0) << r.output;
    };
    auto same_frames = [&](const std::string& a, const std::string& b) {
        for (int f = 0; f < 17; ++f) {
            const std::string name = fmt::format("frame_{:05d}.png", f);
            if (read_bytes(dir.file(a + "_frames/" + name)) != read_bytes(dir.file(b + "_frames/" + name)))
                return false;
        }
        return true;
    };
    retake("--keep-video", "a dog", "kv_dog");
    retake("--keep-video", "a storm at sea", "kv_storm");
    EXPECT_TRUE(same_frames("kv_dog", "kv_storm"));
    EXPECT_NE(read_bytes(dir.file("kv_dog.wav")), read_bytes(dir.file("kv_storm.wav")));
    retake("--keep-audio", "a dog", "ka_dog");
    retake("--keep-audio", "a storm at sea", "ka_storm");
    EXPECT_EQ(read_bytes(dir.file("ka_dog.wav")), read_bytes(dir.file("ka_storm.wav")));
    EXPECT_FALSE(same_frames("ka_dog", "ka_storm"));
}

TEST(Ltx2GenerateRetake, ASilentClipGetsItsAudioGenerated) {
    TempDir dir;
    const std::string silent = dir.file("silent.mp4");
    ltx2::Tensor frames = ltx2::Tensor::zeros({17, 64, 96, 3}, ltx2::DType::U8);
    for (int64_t i = 0; i < frames.numel(); ++i) frames.data<uint8_t>()[i] = uint8_t((i * 37) % 251);
    ltx2::write_mp4(silent, frames, std::nullopt);
    const std::string out = dir.file("o.mp4");
    const auto r = run_command(retake_cmd(silent, "--start-time 0.3 --end-time 0.6 -p 'a dog' -o " + out));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    expect_contains(r.output, {"has no audio track", "generates the whole audio"});
    EXPECT_EQ(r.output.find("encode audio"), std::string::npos) << r.output;
    expect_contains(ffprobe(out, "stream=codec_name,width,height,nb_read_frames"),
                    {"width=96", "height=64", "nb_read_frames=17", "codec_name=aac"});
}

TEST(Ltx2GenerateRetake, ErrorsComeBeforeAnyModelRunsAndNothingIsOverwritten) {
    TempDir inputs, dir;
    const std::string source = demo_clip(inputs);
    const std::string wav = write_tone(inputs);
    const std::string silent = inputs.file("silent.mp4");
    ltx2::write_mp4(silent, ltx2::Tensor::zeros({17, 64, 64, 3}, ltx2::DType::U8), std::nullopt);
    const std::string ten_frames = inputs.file("ten.mp4");
    ltx2::write_mp4(ten_frames, ltx2::Tensor::zeros({10, 64, 64, 3}, ltx2::DType::U8), std::nullopt);
    const std::string odd_size = inputs.file("odd.mp4");
    ltx2::write_mp4(odd_size, ltx2::Tensor::zeros({9, 48, 64, 3}, ltx2::DType::U8), std::nullopt);
    const std::string o = " -p cat -o " + dir.file("o.mp4");
    const std::vector<std::pair<std::string, std::vector<std::string>>> cases = {
        {retake_cmd(source, "--start-time 0.5 --end-time 0.2" + o), {"--start-time 0.5 / --end-time 0.2", "before"}},
        {retake_cmd(source, "--start-time 0.2 --end-time 5" + o),
         {"--end-time 5", "outside the clip", source, "0.7083 s", "17 frames"}},
        {retake_cmd(source, "--start-time 0.9 --end-time 1" + o), {"--start-time 0.9", "outside the clip"}},
        {retake_cmd(source, "--start-time 0.2" + o), {"--start-time S and --end-time S"}},
        {retake_cmd(source, "--start-time 0 --end-time 0.3 --keep-video --keep-audio" + o),
         {"--keep-video with --keep-audio", "nothing would change"}},
        {retake_cmd(source, "--start-time 0 --end-time 0.3 -W 64" + o), {"--width", "takes the size"}},
        {retake_cmd(dir.file("missing.mp4"), "--start-time 0 --end-time 0.3" + o),
         {"--video-path", dir.file("missing.mp4"), "no such file"}},
        {retake_cmd(wav, "--start-time 0 --end-time 0.3" + o), {"--video-path", wav, "no video stream"}},
        {retake_cmd(silent, "--start-time 0 --end-time 0.3 --keep-audio" + o),
         {"--keep-audio", silent, "no audio track to keep"}},
        {retake_cmd(ten_frames, "--start-time 0 --end-time 0.3" + o), {ten_frames, "10 frames", "8k + 1", "9 frames"}},
        {retake_cmd(odd_size, "--start-time 0 --end-time 0.3" + o), {odd_size, "64x48", "multiples of 32"}},
        {demo_cmd("2.3 --pipeline retake --start-time 0 --end-time 0.3" + o), {"--video-path", "needs the source clip"}},
        {demo_cmd("2.3 --video-path " + source + o), {"--video-path", "only the retake pipelines", "distilled"}},
        {demo_cmd("--pipeline retake --video-path " + source + " --start-time 0 --end-time 0.3" + o),
         {"--pipeline retake", "LTX-2 (19B)", "no retake pipeline", "LTX-2.3"}},
    };
    for (const auto& [command, fragments] : cases) {
        SCOPED_TRACE(command);
        const auto r = run_command(command);
        EXPECT_EQ(r.exit_code, 1) << r.output;
        expect_contains(r.output, fragments);
        EXPECT_EQ(r.output.find("encode text"), std::string::npos) << r.output;
        EXPECT_FALSE(fs::exists(dir.file("o.mp4")));
    }
    // The output may not be the source clip.
    const std::string before = read_bytes(source);
    const auto r = run_command(retake_cmd(source, "--start-time 0 --end-time 0.3 -p cat -o " + source));
    EXPECT_EQ(r.exit_code, 1) << r.output;
    expect_contains(r.output, {"--output " + source, "is the input of --video-path", "not overwritten"});
    EXPECT_EQ(read_bytes(source), before);
}

// ---- LTX-2.5 --------------------------------------------------------------------------------------

// An LTX-2.5 checkpoint stops before any model work: its Gemma 4 text encoder is not in this
// build. --frames auto needs a duration head; a bad --frames value is named.
TEST(Ltx2Generate25, StopsBeforeAnyModelWorkNamingGemma4) {
    TempDir dir;
    // The 2.3 demo's checkpoint relabelled 2.5 (only the labels matter before model work).
    const std::string demo23 =
        ltx2::ensure_demo_model(std::string(LTX2_TEST_DEMO_DIR) + "-2.3", ltx2::DemoRelease::Ltx23) +
        "/ltx-2.3-22b-distilled-1.1.safetensors";
    const std::string ckpt25 = dir.file("ltx-2.5-22b-distilled.safetensors");
    ltx2::test::write_edited_model(
        demo23, ckpt25,
        {{"model_version", "2.5.0"},
         {"gemma_source_checkpoint", R"({"ltx_version": "2.5.0", "gemma_version": "gemma4-12b-ltx-v1"})"}},
        nlohmann::json::object());
    const std::string out = " -p cat --progress plain -o " + dir.file("o.mp4");
    // The duration head comes from its own model_patches file (this checkpoint has none).
    const std::string duration_head = std::string(LTX2_GOLDEN_DIR) + "/ltx25/duration_head/duration_head.model.safetensors";
    for (const std::string& frames : {std::string("-f 17"), "--frames auto --duration-head " + duration_head}) {
        const auto r = run_command(demo_cmd("2.3 --checkpoint " + ckpt25 + " " + frames + out));
        EXPECT_EQ(r.exit_code, 1) << r.output;
        expect_contains(r.output, {ckpt25, "LTX-2.5 (model_version 2.5.0)", "Gemma 4 (gemma4-12b-ltx-v1)",
                                   "cannot generate with LTX-2.5"});
        EXPECT_EQ(r.output.find("encode text"), std::string::npos) << r.output;
        EXPECT_FALSE(fs::exists(dir.file("o.mp4")));
    }
    // gemma_source_checkpoint must name this release.
    const std::string mislabelled = dir.file("mislabelled.safetensors");
    ltx2::test::write_edited_model(
        demo23, mislabelled,
        {{"model_version", "2.5.0"}, {"gemma_source_checkpoint", R"({"ltx_version": "2.4.0", "gemma_version": "g"})"}},
        nlohmann::json::object());
    expect_fails_cleanly(demo_cmd("2.3 --checkpoint " + mislabelled + " -f 17" + out),
                         {mislabelled, "gemma_source_checkpoint", "\"2.4.0\"", "\"2.5.0\""}, dir);
    expect_fails_cleanly(demo_cmd("2.3 --checkpoint " + ckpt25 + " --frames auto" + out),
                         {"--frames auto", "no model file holds the duration head of LTX-2.5",
                          "--duration-head model_patches/ltx-2.5-duration-head-bf16.safetensors", "--frames 121"},
                         dir);
    // Without --frames the length is predicted, as in the official CLI: the duration head is needed.
    expect_fails_cleanly(demo_cmd("2.3 --checkpoint " + ckpt25 + out),
                         {"--frames auto (the default for a model with a duration head)",
                          "no model file holds the duration head of LTX-2.5", "--frames 121"},
                         dir);
    expect_fails_cleanly(demo_cmd("2.3 --checkpoint " + ckpt25 + " --duration-head " + duration_head + out),
                         {"Gemma 4 (gemma4-12b-ltx-v1)", "cannot generate with LTX-2.5"}, dir);
    expect_fails_cleanly(demo_cmd("2.3 --frames auto" + out),
                         {"--frames auto", "LTX-2.3", "no duration head", "--frames 121"}, dir);
    // A 2.5 duration head beside a 2.3 model, and a file that holds none.
    expect_fails_cleanly(demo_cmd("2.3 -f 17 --duration-head " + duration_head + out),
                         {"mix LTX releases", "the duration head in --duration-head " + duration_head + " is LTX-2.5"},
                         dir);
    expect_fails_cleanly(demo_cmd("2.3 --checkpoint " + ckpt25 + " --frames auto --duration-head " + demo23 + out),
                         {"--duration-head " + demo23 + ": holds no duration head", "'duration_head.*'"}, dir);
    // The output may not be a model file.
    const std::string upsampler = dir.file("upsampler.safetensors");
    fs::copy_file(fs::path(demo23).parent_path() / "ltx-2.3-spatial-upscaler-x2-1.1.safetensors", upsampler);
    const std::string before = read_bytes(upsampler);
    expect_fails_cleanly(demo_cmd("2.3 -f 17 -p cat --spatial-upsampler " + upsampler + " -o " + upsampler),
                         {"--output " + upsampler, "is the input of --spatial-upsampler", "not overwritten"}, dir);
    EXPECT_EQ(read_bytes(upsampler), before);
    expect_fails_cleanly(demo_cmd("2.3 --frames 12x" + out), {"--frames 12x", "whole number", "auto"}, dir);
}

// ---- prompt enhancement ----------------------------------------------------------------------

TEST(Ltx2Enhance, DemoEnhancesThePromptAndRecordsBoth) {
    TempDir dir;
    const std::string out = dir.file("enhanced.mp4");
    // The demo's random Gemma writes nonsense, but must stop within the limit and be used.
    const auto r = run_command(
        demo_cmd("2.3 --enhance-prompt --enhance-max-tokens 24 --progress plain -p 'a cat' -f 17 -o " + out));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    expect_contains(r.output, {"enhance prompt", "sampled: temperature 0.7, top-k 64, top-p 0.95, seed 10"});
    const size_t note = r.output.find("enhanced prompt: ");
    const size_t fallback = r.output.find("generating from the original prompt");
    ASSERT_TRUE(note != std::string::npos || fallback != std::string::npos) << r.output;
    std::smatch tokens;
    ASSERT_TRUE(std::regex_search(r.output, tokens, std::regex(R"((\d+) tokens in )"))) << r.output;
    EXPECT_LE(std::stoi(tokens[1].str()), 24) << r.output;
    const std::string tags = ffprobe(out, "format_tags");
    expect_contains(tags, {"prompt=a cat", "enhanced_prompt="});
    expect_contains(ffprobe(out, "stream=nb_read_frames"), {"nb_read_frames=17"});

    // Greedy enhancement is the same on every run; the full 512-token default also stops in time.
    std::string previous;
    for (int run = 0; run < 2; ++run) {
        const auto g = run_command(demo_cmd("2.3 --enhance-prompt --enhance-greedy --progress plain -p 'a cat' -f 9 -o " +
                                            dir.file("greedy.mp4")));
        ASSERT_EQ(g.exit_code, 0) << g.output;
        expect_contains(g.output, {"greedy"});
        const std::string tag = ffprobe(dir.file("greedy.mp4"), "format_tags=enhanced_prompt");
        if (run == 1) {
            EXPECT_EQ(tag, previous);
        }
        previous = tag;
    }
}

TEST(Ltx2Enhance, ImageToVideoWarnsThatTheImageIsNotSeen) {
    TempDir dir;
    ltx2::Tensor image = ltx2::Tensor::zeros({64, 96, 3}, ltx2::DType::U8);
    for (int64_t i = 0; i < image.numel(); ++i) image.data<uint8_t>()[i] = uint8_t(i * 5 % 251);
    ltx2::write_png(dir.file("a.png"), image);
    const auto r = run_command(demo_cmd("2.3 --enhance-prompt --enhance-max-tokens 8 --progress plain -p 'a dog' "
                                        "--frames 9 --image " + dir.file("a.png") + " -o " + dir.file("i2v.mp4")));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    expect_contains(r.output, {"warning: ", "does not see the image"});
    expect_contains(ffprobe(dir.file("i2v.mp4"), "format_tags"), {"prompt=a dog", "enhanced_prompt="});
}

TEST(Ltx2Enhance, ErrorsAreClearAndLeaveNoOutput) {
    TempDir dir;
    const std::string out = " -o " + dir.file("o.mp4");
    std::ofstream(dir.file("notes.txt")) << "not a model";
    expect_fails_cleanly(demo_cmd("2.3 --enhance-prompt -p '  '" + out), {"--enhance-prompt", "nothing to enhance"}, dir);
    expect_fails_cleanly(demo_cmd("2.3 --enhance-prompt --prompt-enhancer-gemma " + dir.file("notes.txt") + " -p cat" + out),
                         {"--prompt-enhancer-gemma", dir.file("notes.txt"), "Gemma 3 instruct"}, dir);
    expect_fails_cleanly(demo_cmd("2.3 --enhance-prompt --prompt-enhancer-gemma " + dir.path.string() + " -p cat" + out),
                         {"--prompt-enhancer-gemma", dir.path.string(), "no Gemma config.json"}, dir);
    expect_fails_cleanly(demo_cmd("2.3 --prompt-enhancer-gemma " + dir.file("notes.txt") + " -p cat" + out),
                         {"--prompt-enhancer-gemma", "only used with --enhance-prompt"}, dir);
    expect_fails_cleanly(demo_cmd("2.3 --enhance-prompt --enhance-max-tokens 0 -p cat" + out),
                         {"--enhance-max-tokens 0"}, dir);
}
