// The ltx2-parity command-line contract: exit codes, messages, and that a wrong result fails.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <string>

#include "io/safetensors.h"
#include "test_util.h"

namespace fs = std::filesystem;

namespace {

struct CommandResult {
    int exit_code = -1;
    std::string output;  // stdout and stderr together
};

CommandResult run_command(const std::string& command) {
    CommandResult r;
    FILE* pipe = popen((command + " 2>&1").c_str(), "r");
    if (!pipe) return r;
    std::array<char, 4096> buf{};
    size_t n;
    while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) r.output.append(buf.data(), n);
    int status = pclose(pipe);
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

std::string parity(const std::string& args) { return std::string(LTX2_PARITY_BIN) + " " + args; }

class ParityToolTest : public ::testing::Test {
protected:
    ltx2::test::TempDir dir_{"ltx2-parity"};
};

const std::string kRopeFixture = std::string(LTX2_GOLDEN_DIR) + "/rope/rope_apply_tiny.io.safetensors";

}  // namespace

TEST_F(ParityToolTest, UnknownKindExitsTwoAndNamesIt) {
    auto path = (dir_.path / "bogus.io.safetensors").string();
    ltx2::write_safetensors(path, {{"in.x", ltx2::Tensor::zeros({2})}}, {{"kind", "no.such_kind"}});
    auto r = run_command(parity(path));
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_NE(r.output.find("unknown kind 'no.such_kind'"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("transformer.x0"), std::string::npos) << "should list the known kinds: " << r.output;
}

TEST_F(ParityToolTest, MissingFileExitsTwoAndNamesPath) {
    auto r = run_command(parity((dir_.path / "absent.io.safetensors").string()));
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_NE(r.output.find("absent.io.safetensors"), std::string::npos) << r.output;
}

TEST_F(ParityToolTest, FileWithoutKindExitsTwo) {
    auto path = (dir_.path / "nokind.io.safetensors").string();
    ltx2::write_safetensors(path, {{"in.x", ltx2::Tensor::zeros({2})}});
    auto r = run_command(parity(path));
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_NE(r.output.find("kind"), std::string::npos) << r.output;
}

TEST_F(ParityToolTest, GoldenPassesAndPrintsOneLinePerOutput) {
    auto r = run_command(parity(kRopeFixture));
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("out.split_q"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("PASS"), std::string::npos) << r.output;
    EXPECT_EQ(r.output.find("FAIL"), std::string::npos) << r.output;
}

TEST_F(ParityToolTest, CorruptedReferenceFailsWithExitOne) {
    // Rewrite the fixture with one reference value nudged: the tool must notice.
    auto src = ltx2::SafetensorsFile::open(kRopeFixture);
    std::vector<std::pair<std::string, ltx2::Tensor>> tensors;
    for (const auto& e : src->entries()) {
        ltx2::Tensor t = src->tensor(e.name).clone();
        if (e.name == "out.split_q") t.f32()[5] += 0.01f;
        tensors.emplace_back(e.name, t);
    }
    auto path = (dir_.path / "corrupt.io.safetensors").string();
    ltx2::write_safetensors(path, tensors, src->metadata());
    auto r = run_command(parity(path));
    EXPECT_EQ(r.exit_code, 1) << r.output;
    EXPECT_NE(r.output.find("FAIL"), std::string::npos) << r.output;
}

TEST_F(ParityToolTest, NegativeToleranceIsRejected) {
    auto r = run_command(parity(kRopeFixture + " --tol=-1"));
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_NE(r.output.find("--tol"), std::string::npos) << r.output;
}

TEST_F(ParityToolTest, ToleranceOverrideIsUsed) {
    auto r = run_command(parity(kRopeFixture + " --tol=0.25"));
    EXPECT_EQ(r.exit_code, 0) << r.output;
    EXPECT_NE(r.output.find("tol 2.5e-01"), std::string::npos) << r.output;
}
