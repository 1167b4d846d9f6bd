// The newcomer's path through the ltx2 program: $LTX2_MODEL_DIR, the guide printed when no
// weights are found, the per-pipeline defaults in --help, `inspect` of GGUF files, Gemma folders
// and safetensors metadata, `locate` with the generator's model options and --demo, and the
// demo's IC-LoRA.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include <fmt/format.h>

#include "core/tensor.h"
#include "io/gguf_writer.h"
#include "io/safetensors.h"
#include "app_test_util.h"
#include "test_util.h"

namespace fs = std::filesystem;
using ltx2::test::expect_contains;
using ltx2::test::run_command;
using ltx2::test::TempDir;

namespace {

const std::string kDemoDir = LTX2_TEST_DEMO_DIR;

// The program with the shared test demo folder, no model directory from the caller's
// environment and an empty Hugging Face cache of its own (so real weights never interfere).
std::string ltx2_in(const TempDir& dir, const std::string& args, const std::string& env = "") {
    return fmt::format("env -u LTX2_MODEL_DIR LTX2_DEMO_DIR='{}' HF_HUB_CACHE='{}' {} '{}' {}", kDemoDir,
                       (dir.path / "hf-cache").string(), env, LTX2_BIN, args);
}

// The demo folder, written if this test runs first.
void ensure_demo(const TempDir& dir) {
    const auto r = run_command(ltx2_in(dir, "locate --demo"));
    ASSERT_EQ(r.exit_code, 0) << r.output;
}

std::string ffprobe_frames(const std::string& path) {
    return run_command("ffprobe -v error -count_frames -show_entries stream=nb_read_frames -of default=nw=1 '" + path +
                       "'")
        .output;
}

}  // namespace

TEST(Ltx2Newcomer, HelpShowsTheDefaultsOfEveryPipelineAndRelease) {
    TempDir dir;
    const auto r = run_command(ltx2_in(dir, "--help"));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    expect_contains(r.output,
                    {"Defaults per pipeline (A / B: LTX-2 / LTX-2.3 where they differ",
                     "every pipeline: 121 frames at 24 fps, seed 10",
                     "  distilled      1536x1024    8 (fixed) + 3 refine   none (distilled)",
                     "  one-stage      768x512      40 / 30                video and audio",
                     "  two-stage      1536x1024    40 / 30 + 3 refine     video and audio",
                     "  keyframes      1536x1024    40 / 30 + 3 refine     video and audio",
                     "  ic-lora        1536x1024    8 (fixed) + 3 refine   none (distilled)",
                     "  a2v            1536x1024    40 / 30 + 3 refine     video only (the audio is given)",
                     "  retake         the clip's   8 (fixed)              none (distilled)",
                     "  retake-guided  the clip's   40 / 30                video and audio",
                     "guidance: video CFG 3, STG 1 (block 29 / 28), rescale 0.7, modality 3",
                     "audio CFG 7, STG 1 (block 29 / 28), rescale 0.7, modality 3",
                     "--demo: 192x128 (96x64 one-stage), 25 frames, 8 guided steps, STG block 1",
                     "$LTX2_MODEL_DIR when set"});
}

TEST(Ltx2Newcomer, ModelDirComesFromTheEnvironmentUnlessAFlagIsGiven) {
    TempDir dir;
    ensure_demo(dir);
    const std::string env = "LTX2_MODEL_DIR='" + kDemoDir + "'";
    auto r = run_command(ltx2_in(dir, "locate", env));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    expect_contains(r.output, {kDemoDir + "/ltx-2-19b-distilled.safetensors  (from LTX2_MODEL_DIR " + kDemoDir + ")",
                               kDemoDir + "/gemma-3-12b-it  (from LTX2_MODEL_DIR " + kDemoDir + ")"});

    // A file flag wins for its file, --model-dir for all of them.
    const std::string mine = dir.file("mine.safetensors");
    fs::copy_file(kDemoDir + "/ltx-2-19b-distilled.safetensors", mine);
    r = run_command(ltx2_in(dir, "locate --checkpoint " + mine, env));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    expect_contains(r.output, {mine + "  (from --checkpoint)", "gemma-3-12b-it  (from LTX2_MODEL_DIR"});
    fs::create_directories(dir.path / "empty");
    r = run_command(ltx2_in(dir, "locate --model-dir " + (dir.path / "empty").string(), env));
    EXPECT_EQ(r.exit_code, 3) << r.output;
    expect_contains(r.output, {(dir.path / "empty" / "ltx-2-19b-distilled.safetensors").string() + " (missing)"});
    EXPECT_EQ(r.output.find("LTX2_MODEL_DIR " + kDemoDir), std::string::npos) << r.output;

    // A generation finds its files there too.
    const std::string out = dir.file("env.mp4");
    r = run_command(ltx2_in(dir, "-p cat -W 192 -H 128 -f 9 --progress plain -o " + out, env));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    expect_contains(r.output, {"(from LTX2_MODEL_DIR " + kDemoDir + ")"});
    expect_contains(ffprobe_frames(out), {"nb_read_frames=9"});

    // A variable naming no folder is an error naming it.
    r = run_command(ltx2_in(dir, "locate", "LTX2_MODEL_DIR=/nonexistent/models"));
    EXPECT_EQ(r.exit_code, 3) << r.output;
    expect_contains(r.output, {"LTX2_MODEL_DIR /nonexistent/models: no such folder"});
}

TEST(Ltx2Newcomer, NoWeightsSuggestsTheDemoTheDownloadsAndSmallerFiles) {
    TempDir dir;
    const std::vector<std::string> guide = {
        "No weights yet? (all sizes approximate)",
        "ltx2 --demo -p \"a cat playing the piano\" -o demo.mp4",
        "ltx2 download Lightricks/LTX-2.3 ltx-2.3-22b-distilled-1.1.safetensors",
        "(~46 GB + ~1 GB)",
        "ltx2 download google/gemma-3-12b-it   (~24 GB",
        "fp8 checkpoint:",
        "GGUF transformer: --transformer FILE.gguf",
        "GGUF Gemma:       --gemma gemma-3-12b-it-Q4_K_M.gguf",
        "LTX2_MODEL_DIR=DIR"};
    const auto locate = run_command(ltx2_in(dir, "locate"));
    EXPECT_EQ(locate.exit_code, 3) << locate.output;
    expect_contains(locate.output, guide);
    const auto generate = run_command(ltx2_in(dir, "-p cat -o " + dir.file("x.mp4")));
    EXPECT_EQ(generate.exit_code, 1) << generate.output;
    expect_contains(generate.output, guide);
    EXPECT_FALSE(fs::exists(dir.file("x.mp4")));
}

TEST(Ltx2Newcomer, LocateTakesTheGeneratorsModelOptions) {
    TempDir dir;
    ensure_demo(dir);
    const std::string d = kDemoDir + "/";
    auto r = run_command(ltx2_in(
        dir, "locate --pipeline two-stage --checkpoint " + d + "ltx-2-19b-dev.safetensors --gemma " + d +
                 "gemma-3-12b-it --spatial-upsampler " + d + "ltx-2-spatial-upscaler-x2-1.0.safetensors " +
                 "--distilled-lora " + d + "ltx-2-19b-distilled-lora-384.safetensors:0.5"));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    expect_contains(r.output, {d + "ltx-2-19b-dev.safetensors  (from --checkpoint)",
                               d + "gemma-3-12b-it  (from --gemma)",
                               d + "ltx-2-spatial-upscaler-x2-1.0.safetensors  (from --spatial-upsampler)",
                               d + "ltx-2-19b-distilled-lora-384.safetensors  (from --distilled-lora)"});

    // A GGUF Gemma, the split-bundle parts (no checkpoint then), --ic-lora.
    const std::string gguf = std::string(LTX2_GOLDEN_DIR) + "/gguf/quant_vectors.gguf";
    const std::string ckpt = d + "ltx-2-19b-distilled.safetensors";
    r = run_command(ltx2_in(dir, "locate --pipeline ic-lora --gemma " + gguf + " --transformer " + ckpt +
                                     " --text-projection " + ckpt + " --video-vae " + ckpt + " --audio-vae " + ckpt +
                                     " --spatial-upsampler " + d + "ltx-2-spatial-upscaler-x2-1.0.safetensors" +
                                     " --ic-lora " + d + "ltx-2-19b-ic-lora-demo.safetensors"));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    expect_contains(r.output, {gguf + "  (from --gemma)", d + "ltx-2-19b-ic-lora-demo.safetensors  (from --ic-lora)"});
    EXPECT_EQ(r.output.find("checkpoint"), std::string::npos) << r.output;

    // A file flag naming nothing fails naming it; an option locate does not know is refused.
    r = run_command(ltx2_in(dir, "locate --gemma /nonexistent/gemma"));
    EXPECT_EQ(r.exit_code, 3) << r.output;
    expect_contains(r.output, {"--gemma /nonexistent/gemma: no such file or folder"});
    r = run_command(ltx2_in(dir, "locate --frames 9"));
    EXPECT_EQ(r.exit_code, 2) << r.output;
}

TEST(Ltx2Newcomer, LocateDemoPrintsTheDemoModelsFiles) {
    TempDir dir;
    auto r = run_command(ltx2_in(dir, "locate --demo --pipeline ic-lora"));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    expect_contains(r.output, {kDemoDir + "/ltx-2-19b-distilled.safetensors  (from --model-dir " + kDemoDir + ")",
                               "IC-LoRA            " + kDemoDir +
                                   "/ltx-2-19b-ic-lora-demo.safetensors  (from the demo model)",
                               "demo model files in " + kDemoDir + ":", "  gemma-3-12b-it/tokenizer.json",
                               "  ltx-2-19b-ic-lora-demo.safetensors", "  COMPLETE"});
    r = run_command(ltx2_in(dir, "locate --demo 2.3"));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    expect_contains(r.output, {kDemoDir + "-2.3/ltx-2.3-22b-distilled-1.1.safetensors",
                               "  ltx-2.3-22b-ic-lora-demo.safetensors"});
    r = run_command(ltx2_in(dir, "locate --demo --model-dir " + dir.path.string()));
    EXPECT_NE(r.exit_code, 0) << r.output;
    expect_contains(r.output, {"give either --demo or --model-dir, not both"});
}

TEST(Ltx2Newcomer, InspectReadsAGgufWithItsMetadataTensorsAndConfig) {
    TempDir dir;
    const std::string golden = std::string(LTX2_GOLDEN_DIR) + "/gguf/quant_vectors.gguf";
    auto r = run_command(ltx2_in(dir, "inspect --tensors " + golden));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    expect_contains(r.output, {"GGUF v3, architecture 'ltx2-test'", "general.architecture (string): ltx2-test",
                               "test.nrows (u32): 4", "test.ncols (u32): 512",
                               "tokenizer.ggml.tokens (array of 5 string): [\"<pad>\", \"<eos>\", \"<bos>\"",
                               "tokenizer.ggml.scores (array of 5 f32): [", "x.q8_0 q8_0 (4, 512)",
                               "x.f32 f32 (4, 512)", "no config metadata"});

    // A GGUF as ltx2-quantize writes one: the embedded ltx2.config and model version.
    ltx2::GgufWriter w;
    w.set_string("general.architecture", "ltx2");
    w.set_string("ltx2.config", R"({"transformer": {"num_layers": 1}, "vae": {"dims": 3}})");
    w.set_string("ltx2.model_version", "2.3.0");
    w.set_i32_array("test.ints", {1, -1, 3, 4, 5, 6, 7, 8, 9, 10});
    std::vector<float> values(64, 0.5f);
    w.add_tensor("model.diffusion_model.proj_out.weight", ltx2::GgmlType::F32, {8, 8}, values.data());
    const std::string path = dir.file("small.gguf");
    w.write(path);
    r = run_command(ltx2_in(dir, "inspect --tensors " + path));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    expect_contains(r.output, {"1 tensors (GGUF v3, architecture 'ltx2'", "metadata (4 keys):",
                               "ltx2.config (string): {\"transformer\": {\"num_layers\": 1}, \"vae\": {\"dims\": 3}}",
                               "ltx2.model_version (string): 2.3.0",
                               "test.ints (array of 10 i32): [1, -1, 3, 4, 5, 6, 7, 8, ... 2 more]",
                               "config sections: transformer vae", "model_version: 2.3.0",
                               "model.diffusion_model.proj_out.weight f32 (8, 8)"});
    r = run_command(ltx2_in(dir, "inspect --full-metadata " + path));
    expect_contains(r.output, {"test.ints (array of 10 i32): [1, -1, 3, 4, 5, 6, 7, 8, 9, 10]"});
}

TEST(Ltx2Newcomer, InspectPrintsEverySafetensorsMetadataKey) {
    TempDir dir;
    const std::string path = dir.file("meta.safetensors");
    const std::string long_value(300, 'x');
    ltx2::write_safetensors(path, {{"w", ltx2::Tensor::zeros({2, 3}, ltx2::DType::F32)}},
                            {{"format", "pt"}, {"modelspec.title", "my LoRA"}, {"ss_network_dim", "16"},
                             {"long", long_value}});
    auto r = run_command(ltx2_in(dir, "inspect " + path));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    expect_contains(r.output, {"metadata (4 keys):", "    format: pt", "    modelspec.title: my LoRA",
                               "    ss_network_dim: 16", "    long: " + std::string(160, 'x') + "... (300 bytes in all",
                               "(--tensors lists all 1 with type and shape)"});
    r = run_command(ltx2_in(dir, "inspect --full-metadata " + path));
    expect_contains(r.output, {"    long: " + long_value + "\n"});
}

TEST(Ltx2Newcomer, InspectSummarisesAGemmaFolder) {
    TempDir dir;
    ensure_demo(dir);
    const std::string gemma = kDemoDir + "/gemma-3-12b-it";
    auto r = run_command(ltx2_in(dir, "inspect " + gemma));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    expect_contains(r.output, {gemma + ": Gemma 3 text encoder folder, complete (usable as --gemma)",
                               "config.json: Gemma 3, 2 layers, hidden 32", "(not the 12B:",
                               "tokenizer.json (present)", "tokenizer.model (absent)",
                               "weights: no model.safetensors.index.json; 1 of 1 present",
                               "tensors in the present files: "});

    // A folder lacking its tokenizer and a shard says so.
    const fs::path partial = dir.path / "gemma";
    fs::create_directories(partial);
    fs::copy_file(gemma + "/config.json", partial / "config.json");
    ltx2::test::write_file(partial / "model.safetensors.index.json",
                                R"({"weight_map": {"a": "model-00001-of-00002.safetensors", "b": "model-00002-of-00002.safetensors"}})");
    fs::copy_file(gemma + "/model.safetensors", partial / "model-00001-of-00002.safetensors");
    r = run_command(ltx2_in(dir, "inspect " + partial.string()));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    expect_contains(r.output, {"incomplete: missing tokenizer.json, model-00002-of-00002.safetensors",
                               "tokenizer.json (absent)",
                               "weights: model.safetensors.index.json lists 2 shards; 1 of 2 present"});
}

TEST(Ltx2Newcomer, DemoRunsTheIcLoraPipelineWithItsOwnIcLora) {
    TempDir dir;
    for (const std::string release : {"", "2.3"}) {
        const std::string ref = dir.file("ref" + release + ".mp4"), out = dir.file("ic" + release + ".mp4");
        ASSERT_EQ(run_command(ltx2_in(dir, "--demo " + release + " -p ref -f 17 --progress none -o " + ref)).exit_code,
                  0);
        const auto r = run_command(ltx2_in(dir, "--demo " + release + " --pipeline ic-lora --video-conditioning " +
                                                    ref + " -p 'a dog' -f 17 --progress plain -o " + out));
        ASSERT_EQ(r.exit_code, 0) << r.output;
        expect_contains(r.output, {release.empty() ? "ltx-2-19b-ic-lora-demo.safetensors"
                                                   : "ltx-2.3-22b-ic-lora-demo.safetensors"});
        expect_contains(ffprobe_frames(out), {"nb_read_frames=17"});
    }
}
