// The ltx2-parity command-line contract: exit codes, messages, and that a wrong result fails.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "io/safetensors.h"
#include "test_util.h"

namespace fs = std::filesystem;
using ltx2::test::run_command;

namespace {

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

TEST_F(ParityToolTest, WeightsWithAMissingTensorNameItAndExitTwo) {
    // The av_tiny fixture run against a copy of its model with one tensor removed.
    const std::string golden = std::string(LTX2_GOLDEN_DIR) + "/transformer/av_tiny";
    auto model = ltx2::SafetensorsFile::open(golden + ".model.safetensors");
    std::vector<std::pair<std::string, ltx2::Tensor>> tensors;
    const std::string dropped = "model.diffusion_model.transformer_blocks.1.ff.net.2.weight";
    for (const auto& e : model->entries())
        if (e.name != dropped) tensors.emplace_back(e.name, model->tensor(e.name));
    auto path = (dir_.path / "broken.model.safetensors").string();
    ltx2::write_safetensors(path, tensors, model->metadata());
    auto r = run_command(parity(golden + ".io.safetensors --weights " + path));
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_NE(r.output.find("transformer_blocks.1.ff.net.2.weight"), std::string::npos) << r.output;
    EXPECT_NE(r.output.find("broken.model.safetensors"), std::string::npos) << r.output;
}

TEST_F(ParityToolTest, TruncatedWeightsAreRejectedNotCrashed) {
    const std::string golden = std::string(LTX2_GOLDEN_DIR) + "/transformer/video_only_tiny";
    auto path = (dir_.path / "truncated.model.safetensors").string();
    fs::copy_file(golden + ".model.safetensors", path);
    fs::resize_file(path, fs::file_size(path) / 2);
    auto r = run_command(parity(golden + ".io.safetensors --weights " + path));
    EXPECT_EQ(r.exit_code, 2) << r.output;
    EXPECT_NE(r.output.find("truncated.model.safetensors"), std::string::npos) << r.output;
}
