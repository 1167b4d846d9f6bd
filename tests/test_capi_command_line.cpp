// The ltx2 program generates through the library (capi/generation.h): its parsed command line
// becomes the C API's options (capi::options_given_on), which must make the request the command
// line makes itself, every form of every kind of option included; and --thumbnail, the option
// the server's jobs write their thumbnail with.
#include <gtest/gtest.h>

#include <CLI/CLI.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "app/generation_options.h"
#include "capi/command_line.h"
#include "capi/options.h"
#include "test_util.h"

namespace fs = std::filesystem;
using ltx2::test::expect_contains;
using ltx2::test::run_command;
using ltx2::test::TempDir;

namespace ltx2 {
namespace {

// The settings as "name=value" ("name" for a flag), in order.
std::vector<std::string> described(const ltx2_options& options) {
    std::vector<std::string> out;
    for (const capi::OptionSetting& s : options.settings) out.push_back(s.value ? s.name + "=" + *s.value : s.name);
    return out;
}

// An app with the program's generation options (and one that is not the API's), parsed from `args`.
struct ParsedProgram {
    CLI::App app;
    GenerationCli cli;
    explicit ParsedProgram(std::vector<std::string> args) {
        add_generation_options(app, cli);
        app.set_version_flag("--version", "x");
        std::reverse(args.begin(), args.end());  // CLI11 takes the arguments last first
        app.parse(args);
    }
};

TEST(CapiCommandLine, EachFormOfEachOptionBecomesTheApisSetting) {
    const ParsedProgram program({"--demo", "2.3", "--threads", "2", "-p", "a kite", "-n", "", "--image", "a.png", "3",
                                 "0.5", "--image", "b.png:1", "--lora", "l1.safetensors", "--lora", "l2:0.5",
                                 "--video-stg-blocks", "1", "2", "--enhance-prompt", "--progress", "json",
                                 "--progress-fd", "1", "--num-frames", "17", "-W", "256", "--sidecar", "-o", "x.mp4"});
    const capi::GivenOptions given = capi::options_given_on(program.app);
    EXPECT_EQ(described(given.models), (std::vector<std::string>{"demo=2.3", "threads=2"}));
    const std::vector<std::string> params = described(given.params);
    for (const std::string& expected :
         {"prompt=a kite", "negative-prompt=", "image=a.png:3:0.5", "image=b.png:1", "lora=l1.safetensors", "lora=l2:0.5",
          "video-stg-blocks=1", "video-stg-blocks=2", "enhance-prompt", "frames=17", "width=256", "sidecar",
          "output=x.mp4"})
        EXPECT_NE(std::find(params.begin(), params.end(), expected), params.end()) << expected;
    EXPECT_EQ(params.size(), 13u) << fmt::format("{}", fmt::join(params, " | "));  // no progress stream, no --version
}

TEST(CapiCommandLine, TheOptionsMakeTheRequestTheCommandLineMakes) {
    const std::vector<std::string> args = {"-p", "a kite", "-n", "", "--image", "a.png", "3", "0.5", "--image",
                                           "b.png:1", "--lora", "l2:0.5", "--video-stg-blocks", "1", "2",
                                           "--enhance-prompt", "--num-frames", "17", "--seed", "-1", "--thumbnail",
                                           "t.png", "-o", "x.mp4", "--pipeline", "one-stage", "--demo"};
    const ParsedProgram program(args);
    const GenerateRequest direct = build_generation_request(program.app, program.cli, true);

    const capi::GivenOptions given = capi::options_given_on(program.app);
    capi::CommandLine command_line;
    std::vector<capi::OptionSetting> settings = given.models.settings;
    settings.insert(settings.end(), given.params.settings.begin(), given.params.settings.end());
    command_line.parse(settings);
    const GenerateRequest via_api = build_generation_request(command_line.app, command_line.cli, true);

    EXPECT_EQ(via_api.prompt, direct.prompt);
    ASSERT_TRUE(via_api.negative_prompt && direct.negative_prompt);
    EXPECT_EQ(*via_api.negative_prompt, "");
    EXPECT_EQ(*via_api.negative_prompt, *direct.negative_prompt);
    ASSERT_EQ(via_api.params.images.size(), 2u);
    for (size_t i = 0; i < 2; ++i) {
        EXPECT_EQ(via_api.params.images[i].path, direct.params.images[i].path);
        EXPECT_EQ(via_api.params.images[i].frame_idx, direct.params.images[i].frame_idx);
        EXPECT_EQ(via_api.params.images[i].strength, direct.params.images[i].strength);
    }
    EXPECT_EQ(via_api.params.images[0].frame_idx, 3);
    EXPECT_EQ(via_api.params.images[0].strength, 0.5);
    EXPECT_EQ(via_api.params.loras, direct.params.loras);
    EXPECT_EQ(via_api.params.video_guider.stg_blocks, (std::vector<int>{1, 2}));
    EXPECT_EQ(via_api.params.video_guider.stg_blocks, direct.params.video_guider.stg_blocks);
    EXPECT_TRUE(via_api.enhance_prompt);
    EXPECT_EQ(via_api.params.num_frames, 17);
    EXPECT_EQ(via_api.pipeline, direct.pipeline);
    EXPECT_TRUE(via_api.seed_drawn);
    EXPECT_EQ(via_api.thumbnail_out, "t.png");
    EXPECT_EQ(via_api.output, direct.output);
}

TEST(CapiCommandLine, ThumbnailIsTheFirstFrameAndNeverReplacesAnInput) {
    TempDir dir;
    const std::string program = fmt::format("LTX2_DEMO_DIR={} {} --demo --progress none -p cat -f 9", LTX2_TEST_DEMO_DIR,
                                            LTX2_BIN);
    const auto r = run_command(fmt::format("{} --thumbnail {} --frames-dir {}", program, dir.file("first.png"),
                                           dir.file("frames")));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    const auto same = run_command(fmt::format("cmp {} {}/frame_00000.png", dir.file("first.png"), dir.file("frames")));
    const auto listing = run_command(fmt::format("ls {}", dir.file("frames")));
    EXPECT_EQ(same.exit_code, 0) << same.output << listing.output;

    const auto over_input = run_command(fmt::format("{} --image {} --thumbnail {} -o {}", program, dir.file("first.png"),
                                                    dir.file("first.png"), dir.file("o.mp4")));
    EXPECT_NE(over_input.exit_code, 0) << over_input.output;
    expect_contains(over_input.output, {"--thumbnail"});
    EXPECT_FALSE(fs::exists(dir.file("o.mp4")));
}

}  // namespace
}  // namespace ltx2
