// The built-in demo model: written in the official layouts, loadable by every model loader
// from the files, deterministic (byte-identical on every run), written only once.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>

#include "app/demo_model.h"
#include "io/safetensors.h"
#include "io/weight_store.h"
#include "models/audio_vae/model.h"
#include "models/gemma3/tokenizer.h"
#include "models/transformer/model.h"
#include "models/upsampler/model.h"
#include "models/video_vae/model.h"
#include "models/vocoder/model.h"
#include "lora/lora.h"
#include "pipelines/text_encoding.h"
#include "test_util.h"

namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

// One demo for the whole file (writing it takes a moment).
const std::string& demo_dir() {
    static ltx2::test::TempDir dir("ltx2-demo-test");
    static const std::string path = ltx2::ensure_demo_model(dir.file("demo"));
    return path;
}

TEST(DemoModel, EveryComponentLoadsFromTheOfficialLayout) {
    const fs::path d = demo_dir();
    for (const char* f : {"ltx-2-19b-distilled.safetensors", "ltx-2-19b-dev.safetensors",
                          "ltx-2-spatial-upscaler-x2-1.0.safetensors", "ltx-2-19b-distilled-lora-384.safetensors",
                          "gemma-3-12b-it/config.json", "gemma-3-12b-it/tokenizer.json",
                          "gemma-3-12b-it/model.safetensors", "ltx-2-19b-ic-lora-demo.safetensors", "COMPLETE"})
        EXPECT_TRUE(fs::exists(d / f)) << f;
    const std::string ckpt = (d / "ltx-2-19b-distilled.safetensors").string();
    const ltx2::WeightStore transformer = ltx2::WeightStore::open(ckpt, "model.diffusion_model.");
    (void)ltx2::LTXModel::load(transformer);
    const ltx2::WeightStore vae = ltx2::WeightStore::open(ckpt, "vae.");
    (void)ltx2::VideoDecoder::load(vae);
    (void)ltx2::VideoEncoder::load(vae);
    EXPECT_TRUE(vae.unused_names().empty());
    const ltx2::WeightStore audio = ltx2::WeightStore::open(ckpt, "audio_vae.");
    (void)ltx2::AudioDecoder::load(audio);
    (void)ltx2::AudioEncoder::load(audio);
    EXPECT_TRUE(audio.unused_names().empty());
    (void)ltx2::Vocoder::load(ltx2::WeightStore::open(ckpt, "vocoder."));
    (void)ltx2::LatentUpsampler::load(
        ltx2::WeightStore::open((d / "ltx-2-spatial-upscaler-x2-1.0.safetensors").string()));
    const auto lora = ltx2::LoraFile::open((d / "ltx-2-19b-distilled-lora-384.safetensors").string());
    EXPECT_GT(lora->modules().size(), 20u);
}

TEST(DemoModel, TokenizerAndTextStackProduceFiniteContexts) {
    const fs::path d = demo_dir();
    const auto tok = ltx2::GemmaTokenizer::load((d / "gemma-3-12b-it/tokenizer.json").string());
    const auto ids = tok.encode("A golden retriever runs across a meadow");
    EXPECT_LT(ids.size(), 30u);  // 39 characters: merges apply
    size_t longest = 0;
    for (int32_t id : ids) longest = std::max(longest, tok.token_text(id).size());
    EXPECT_GE(longest, 4u);
    EXPECT_EQ(tok.token_id("<bos>"), 2);
    EXPECT_EQ(tok.token_id("<pad>"), 0);
    const auto encoded = ltx2::encode_prompts(
        {(d / "gemma-3-12b-it").string(), "", (d / "ltx-2-19b-distilled.safetensors").string()},
        {"A cat plays the piano, ünïcödé too"});
    ASSERT_EQ(encoded.size(), 1u);
    EXPECT_EQ(encoded[0].video_context.shape(), (ltx2::Shape{1, 1024, 32}));
    for (float v : encoded[0].video_context.to_vector()) ASSERT_TRUE(std::isfinite(v));
}

TEST(DemoModel, IsDeterministicAndWrittenOnce) {
    ltx2::test::TempDir other("ltx2-demo-test2");
    const std::string again = ltx2::ensure_demo_model(other.file("demo"));
    for (const auto& e : fs::recursive_directory_iterator(demo_dir())) {
        if (!e.is_regular_file()) continue;
        const fs::path rel = fs::relative(e.path(), demo_dir());
        EXPECT_EQ(read_file(e.path()), read_file(fs::path(again) / rel)) << rel;
    }
    const auto stamp = fs::last_write_time(fs::path(again) / "ltx-2-19b-dev.safetensors");
    ltx2::ensure_demo_model(again);
    EXPECT_EQ(fs::last_write_time(fs::path(again) / "ltx-2-19b-dev.safetensors"), stamp);
    for (const auto& e : fs::directory_iterator(other.path))
        EXPECT_EQ(e.path().filename(), "demo") << "left behind: " << e.path();
}

// The IC-LoRA: the official LoRA layout on the video stream's attention and feed-forward
// layers only, with the metadata the ic-lora pipeline reads.
TEST(DemoModel, IcLoraAdaptsTheVideoStreamInTheOfficialLayout) {
    const fs::path file = fs::path(demo_dir()) / ltx2::demo_ic_lora_file();
    EXPECT_EQ(file.filename(), "ltx-2-19b-ic-lora-demo.safetensors");
    EXPECT_EQ(ltx2::demo_ic_lora_file(ltx2::DemoRelease::Ltx23), "ltx-2.3-22b-ic-lora-demo.safetensors");
    const auto st = ltx2::SafetensorsFile::open(file.string());
    EXPECT_EQ(st->metadata_value("reference_downscale_factor"), std::optional<std::string>("1"));
    for (const auto& e : st->entries()) {
        EXPECT_TRUE(e.name.starts_with("diffusion_model.transformer_blocks.")) << e.name;
        EXPECT_TRUE(e.name.ends_with(".lora_A.weight") || e.name.ends_with(".lora_B.weight")) << e.name;
        EXPECT_EQ(e.name.find("audio"), std::string::npos) << e.name;
    }
    const auto lora = ltx2::LoraFile::open(file.string());
    std::set<std::string> kinds;
    for (const auto& m : lora->modules()) {
        const std::string rest = m.name.substr(m.name.find('.', std::string("transformer_blocks.").size()) + 1);
        kinds.insert(rest.substr(0, rest.find('.')));
    }
    EXPECT_EQ(kinds, (std::set<std::string>{"attn1", "attn2", "ff"}));
}

// A demo folder of an older version (which lacks the IC-LoRA) is rewritten, not trusted.
TEST(DemoModel, AFolderOfAnotherVersionIsRewritten) {
    ltx2::test::TempDir dir("ltx2-demo-test3");
    const fs::path old = dir.path / "demo";
    fs::create_directories(old);
    std::ofstream(old / "COMPLETE") << "ltx2 demo model v1\n";
    std::ofstream(old / "ltx-2-19b-distilled.safetensors") << "stale";
    ltx2::ensure_demo_model(old.string());
    EXPECT_EQ(read_file(old / "COMPLETE"), "ltx2 demo model v" + std::to_string(ltx2::kDemoModelVersion) + "\n");
    EXPECT_TRUE(fs::exists(old / ltx2::demo_ic_lora_file()));
    EXPECT_EQ(read_file(old / "ltx-2-19b-distilled.safetensors"),
              read_file(fs::path(demo_dir()) / "ltx-2-19b-distilled.safetensors"));
}

TEST(DemoModel, UnwritableLocationIsAClearError) {
    ltx2::test::TempDir dir;
    std::ofstream(dir.file("file")) << "x";
    ltx2::test::expect_error([&] { (void)ltx2::ensure_demo_model(dir.file("file") + "/demo"); },
                             {dir.file("file"), "demo model"});
}

}  // namespace
