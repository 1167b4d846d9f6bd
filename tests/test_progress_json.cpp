// The machine-readable side of a run (docs/PROGRESS.md): the JSON progress stream on any file
// descriptor, its start / done / error events, the --sidecar record that repeats a run, and the
// generation parameters in the MP4's tags.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/sha256.h"
#include "core/tensor.h"
#include "io/media/image_io.h"
#include "ltx2/version.h"
#include "test_util.h"

namespace fs = std::filesystem;
using nlohmann::json;
using ltx2::test::expect_contains;
using ltx2::test::run_command;
using ltx2::test::TempDir;

namespace {

std::string demo_cmd(const std::string& args) {
    return fmt::format("LTX2_DEMO_DIR='{}' '{}' --demo {}", LTX2_TEST_DEMO_DIR, LTX2_BIN, args);
}

// Runs `command` with its own redirections (run_command adds 2>&1 after the whole).
ltx2::test::CommandResult run_redirected(const std::string& command, const std::string& redirections) {
    return run_command(fmt::format("({} {})", command, redirections));
}

std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

// Every line of `text` as a JSON object (a line that is not one fails the test).
std::vector<json> events_of(const std::string& text) {
    std::vector<json> events;
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        json j = json::parse(line, nullptr, false);
        EXPECT_TRUE(j.is_object()) << "not a JSON event: " << line;
        if (j.is_object()) events.push_back(std::move(j));
    }
    return events;
}

std::string quoted(const std::string& arg) {
    std::string out = "'";
    for (char c : arg) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

// The value of an MP4 tag as ffprobe lists it.
std::string mp4_tag(const std::string& path, const std::string& key) {
    const std::string tags =
        run_command("ffprobe -v error -show_entries format_tags -of default=nw=1 " + quoted(path)).output;
    const std::string prefix = "TAG:" + key + "=";
    std::istringstream lines(tags);
    for (std::string line; std::getline(lines, line);)
        if (line.rfind(prefix, 0) == 0) return line.substr(prefix.size());
    ADD_FAILURE() << "no tag " << key << " in " << tags;
    return "";
}

}  // namespace

// Progress on stdout only (stderr discarded): every line is an event, the first says the
// schema, the last carries the run's values.
TEST(ProgressJson, DoneEventCarriesTheRunsValuesOnStdout) {
    TempDir dir;
    const std::string out = dir.file("tram.mp4"), wav = dir.file("tram.wav");
    const auto r = run_redirected(demo_cmd("-p 'a tram' -W 192 -H 128 --frames 9 --fps 29.97 --seed 77 --progress json "
                                           "--progress-fd 1 --audio-out " + wav + " -o " + out),
                                  "2>/dev/null");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const std::vector<json> events = events_of(r.output);
    ASSERT_GE(events.size(), 3u) << r.output;
    for (const json& e : events) {
        EXPECT_TRUE(e.contains("event") && e["event"].is_string()) << e.dump();
        EXPECT_TRUE(e.contains("elapsed_s") && e["elapsed_s"].is_number()) << e.dump();
    }
    const json& start = events.front();
    EXPECT_EQ(start["event"], "start");
    EXPECT_EQ(start["schema_version"], 1);
    EXPECT_EQ(start["version"], LTX2_VERSION_STRING);
    const json& done = events.back();
    ASSERT_EQ(done["event"], "done") << done.dump();
    EXPECT_EQ(done["frames"], 9);
    EXPECT_EQ(done["width"], 192);
    EXPECT_EQ(done["height"], 128);
    EXPECT_EQ(done["fps_num"], 30000);
    EXPECT_EQ(done["fps_den"], 1001);
    EXPECT_DOUBLE_EQ(done["fps"].get<double>(), 30000.0 / 1001.0);
    EXPECT_DOUBLE_EQ(done["duration_s"].get<double>(), 9 * 1001.0 / 30000.0);
    EXPECT_EQ(done["seed"], 77);
    EXPECT_EQ(done["seed_drawn"], false);
    EXPECT_EQ(done["pipeline"], "distilled");
    EXPECT_EQ(done["model"], "LTX-2 (19B)");
    EXPECT_EQ(done["outputs"]["mp4"], out);
    EXPECT_EQ(done["outputs"]["audio"], wav);
    EXPECT_FALSE(done["outputs"].contains("sidecar"));
    EXPECT_EQ(done["audio_sample_rate"], 24000);
    EXPECT_GT(done["peak_rss_bytes"].get<uint64_t>(), 1u << 20);
    EXPECT_GT(done["seconds"].get<double>(), 0.0);
    std::vector<std::string> stages;
    for (const json& s : done["stages"]) stages.push_back(s["stage"]);
    for (const std::string stage : {"resolve models", "encode text", "denoise stage1", "denoise stage2", "decode video",
                                    "write outputs"})
        EXPECT_NE(std::find(stages.begin(), stages.end(), stage), stages.end()) << stage << " in " << done["stages"];
    EXPECT_TRUE(fs::exists(out));
}

// --seed -1 draws a seed; the done event reports the one used, which the MP4 says too.
TEST(ProgressJson, DrawnSeedIsReported) {
    TempDir dir;
    const std::string out = dir.file("r.mp4");
    const auto r =
        run_redirected(demo_cmd("-p rain --frames 9 --seed -1 --progress json --progress-fd 1 -o " + out), "2>/dev/null");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const json done = events_of(r.output).back();
    ASSERT_EQ(done["event"], "done") << r.output;
    EXPECT_EQ(done["seed_drawn"], true);
    EXPECT_EQ(std::to_string(done["seed"].get<uint64_t>()), mp4_tag(out, "seed"));
}

// A failing run ends the stream with an error event (its exit code), and still tells people on stderr.
TEST(ProgressJson, ErrorsAreEventsWithTheExitCode) {
    TempDir dir;
    const std::string err = dir.file("err.txt");
    const auto r = run_redirected(demo_cmd("-p cat --frames 10 --progress json --progress-fd 1 -o " + dir.file("o.mp4")),
                                  "2>" + err);
    EXPECT_EQ(r.exit_code, 1) << r.output;
    const std::vector<json> events = events_of(r.output);
    ASSERT_GE(events.size(), 2u) << r.output;
    EXPECT_EQ(events.front()["event"], "start");
    const json& error = events.back();
    ASSERT_EQ(error["event"], "error") << r.output;
    EXPECT_EQ(error["exit_code"], 1);
    expect_contains(error["message"].get<std::string>(), {"frames: 10", "8k + 1"});
    expect_contains(read_text(err), {"error: ", "frames: 10"});
    EXPECT_FALSE(fs::exists(dir.file("o.mp4")));

    // A usage error (exit 2) in json mode too.
    const auto usage =
        run_redirected(demo_cmd("-p cat --progress json --progress-fd 1 --no-such-option"), "2>/dev/null");
    EXPECT_EQ(usage.exit_code, 2) << usage.output;
    const std::vector<json> usage_events = events_of(usage.output);
    ASSERT_FALSE(usage_events.empty()) << usage.output;
    EXPECT_EQ(usage_events.back()["event"], "error");
    EXPECT_EQ(usage_events.back()["exit_code"], 2);
    expect_contains(usage_events.back()["message"].get<std::string>(), {"--no-such-option"});
}

// Any inherited descriptor: a pipe (fd 3 onto the test's pipe, stdout and stderr discarded) and a file.
TEST(ProgressJson, ProgressFdToAPipeOrAFile) {
    TempDir dir;
    const auto piped = run_redirected(demo_cmd("-p boat --frames 9 --progress json --progress-fd 3 -o " + dir.file("a.mp4")),
                                      "3>&1 1>/dev/null 2>/dev/null");
    ASSERT_EQ(piped.exit_code, 0) << piped.output;
    const std::vector<json> events = events_of(piped.output);
    ASSERT_FALSE(events.empty());
    EXPECT_EQ(events.front()["event"], "start");
    EXPECT_EQ(events.back()["event"], "done");

    const std::string log = dir.file("progress.jsonl");
    const auto filed = run_command(demo_cmd("-p boat --frames 9 --progress json --progress-fd 3 -o " + dir.file("b.mp4")) +
                                   " 3>" + log);
    ASSERT_EQ(filed.exit_code, 0) << filed.output;
    EXPECT_EQ(filed.output.find("\"event\""), std::string::npos) << "the stream went elsewhere too:\n" << filed.output;
    const std::vector<json> logged = events_of(read_text(log));
    ASSERT_FALSE(logged.empty());
    EXPECT_EQ(logged.back()["event"], "done");
    EXPECT_EQ(logged.back()["outputs"]["mp4"], dir.file("b.mp4"));
}

TEST(ProgressJson, ABadFdIsRefusedBeforeAnyWork) {
    TempDir dir;
    const auto closed = run_command(demo_cmd("-p cat --frames 9 --progress json --progress-fd 9 -o " + dir.file("o.mp4")));
    EXPECT_EQ(closed.exit_code, 1) << closed.output;
    expect_contains(closed.output, {"--progress-fd 9: not an open file descriptor", "3>progress.jsonl"});
    const auto negative = run_command(demo_cmd("-p cat --frames 9 --progress-fd -4 -o " + dir.file("o.mp4")));
    EXPECT_EQ(negative.exit_code, 1) << negative.output;
    expect_contains(negative.output, {"--progress-fd -4: not an open file descriptor"});
    const auto reading = run_command(demo_cmd("-p cat --frames 9 --progress json --progress-fd 3 -o " + dir.file("o.mp4")) +
                                     " 3</dev/null");
    EXPECT_EQ(reading.exit_code, 1) << reading.output;
    expect_contains(reading.output, {"--progress-fd 3: the descriptor is open for reading only"});
    for (const auto* r : {&closed, &negative, &reading})
        EXPECT_EQ(r->output.find("encode text"), std::string::npos) << r->output;
    EXPECT_FALSE(fs::exists(dir.file("o.mp4")));
}

// The sidecar holds every parameter, the inputs and model files with their identities, and the
// arguments that repeat the run: running them again gives the same MP4, byte for byte. The MP4's
// tags hold the same parameters, without paths.
TEST(Sidecar, RecordsTheRunAndItsArgumentsRepeatIt) {
    TempDir dir;
    ltx2::Tensor picture = ltx2::Tensor::zeros({64, 96, 3}, ltx2::DType::U8);
    for (int64_t i = 0; i < picture.numel(); ++i) picture.data<uint8_t>()[i] = uint8_t(i * 13 % 251);
    const std::string image = dir.file("start.png"), out = dir.file("first.mp4");
    ltx2::write_png(image, picture);
    const auto r = run_redirected(demo_cmd("--pipeline one-stage --steps 2 -p 'a red kite' -n 'fog' -W 96 -H 64 --frames 9 "
                                           "--fps 29.97 --seed 123 --video-cfg-guidance-scale 2.5 --image " + image +
                                           " 0 0.75 --sidecar --progress json --progress-fd 1 -o " + out),
                                  "2>/dev/null");
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const std::string sidecar = out + ".json";
    ASSERT_TRUE(fs::exists(sidecar));
    EXPECT_EQ(events_of(r.output).back()["outputs"]["sidecar"], sidecar);
    const json s = json::parse(read_text(sidecar));
    EXPECT_EQ(s["engine"]["version"], LTX2_VERSION_STRING);
    EXPECT_EQ(s["reference"], "Lightricks/LTX-2@28c3c73");
    const json& p = s["parameters"];
    EXPECT_EQ(p["pipeline"], "one-stage");
    EXPECT_EQ(p["prompt"], "a red kite");
    EXPECT_EQ(p["negative_prompt"], "fog");
    EXPECT_EQ(p["seed"], 123);
    EXPECT_EQ(p["width"], 96);
    EXPECT_EQ(p["height"], 64);
    EXPECT_EQ(p["num_frames"], 9);
    EXPECT_EQ(p["fps_rational"], "30000/1001");
    EXPECT_EQ(p["steps"], 2);
    EXPECT_EQ(p["video_guidance"]["cfg_scale"], 2.5);
    EXPECT_EQ(p["video_guidance"]["stg_blocks"], json::array({1}));
    ASSERT_EQ(p["images"].size(), 1u);
    EXPECT_EQ(p["images"][0]["path"], image);
    EXPECT_EQ(p["images"][0]["strength"], 0.75);
    const std::string image_sha = ltx2::sha256_hex(read_text(image));
    ASSERT_EQ(s["inputs"].size(), 1u);
    EXPECT_EQ(s["inputs"][0]["role"], "--image");
    EXPECT_EQ(s["inputs"][0]["sha256"], image_sha);
    EXPECT_EQ(s["inputs"][0]["size"], fs::file_size(image));
    std::vector<std::string> roles;
    for (const json& f : s["model_files"]) {
        roles.push_back(f["role"]);
        const json& file = f.contains("files") ? f["files"][0] : f;
        EXPECT_TRUE(file.contains("size") && file.contains("mtime")) << f.dump();
        EXPECT_TRUE(file.contains("sha256") || file.contains("header_sha256") || file.contains("head_sha256")) << f.dump();
    }
    expect_contains(fmt::format("{}", fmt::join(roles, " ")), {"checkpoint", "gemma"});
    EXPECT_EQ(s["result"]["frames"], 9);
    EXPECT_EQ(s["outputs"]["mp4"], out);

    // The MP4's tags: the same parameters, inputs by name and digest, no path of this machine.
    const json tagged = json::parse(mp4_tag(out, "ltx2_parameters"));
    EXPECT_EQ(tagged["seed"], 123);
    EXPECT_EQ(tagged["fps_rational"], "30000/1001");
    EXPECT_EQ(tagged["images"][0]["path"]["file"], "start.png");
    EXPECT_EQ(tagged["images"][0]["path"]["digest"], "sha256:" + image_sha);
    EXPECT_EQ(mp4_tag(out, "negative_prompt"), "fog");
    EXPECT_EQ(mp4_tag(out, "model"), "LTX-2 (19B)");
    const std::string all_tags = run_command("ffprobe -v error -show_entries format_tags -of default=nw=1 " + out).output;
    EXPECT_EQ(all_tags.find(dir.path.string()), std::string::npos) << all_tags;

    // The recorded arguments repeat the run.
    std::string args;
    for (const json& a : s["arguments"]) args += fmt::format(" {}", quoted(a.get<std::string>()));
    const std::string again = dir.file("again.mp4");
    const auto rerun = run_command(demo_cmd("--progress none" + args + " -o " + again));
    ASSERT_EQ(rerun.exit_code, 0) << args << "\n" << rerun.output;
    EXPECT_TRUE(read_text(again) == read_text(out)) << "the recorded arguments gave other bytes:" << args;
}

TEST(Sidecar, NeverReplacesAnInputAndNeedsAnMp4) {
    TempDir dir;
    const std::string out = dir.file("o.mp4"), prompt = out + ".json";
    { std::ofstream(prompt) << "a prompt kept in a file"; }
    const auto r = run_command(demo_cmd("--prompt-file " + prompt + " --frames 9 --sidecar --progress plain -o " + out));
    EXPECT_EQ(r.exit_code, 1) << r.output;
    expect_contains(r.output, {"--sidecar " + prompt, "--prompt-file"});
    EXPECT_EQ(r.output.find("encode text"), std::string::npos) << r.output;
    EXPECT_EQ(read_text(prompt), "a prompt kept in a file");
    EXPECT_FALSE(fs::exists(out));

    const auto no_mp4 = run_command(demo_cmd("-p cat --frames 9 --sidecar --audio-out " + dir.file("a.wav")));
    EXPECT_EQ(no_mp4.exit_code, 1) << no_mp4.output;
    expect_contains(no_mp4.output, {"--sidecar", "give -o/--output FILE.mp4"});
    EXPECT_FALSE(fs::exists(dir.file("a.wav")));
}
