// The ltx2 program: version, inspect, and its errors on bad checkpoints.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "ltx2/version.h"
#include "test_util.h"

namespace fs = std::filesystem;
using ltx2::test::run_command;
using ltx2::test::TempDir;

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
