// The file layouts users download, part by part (pipelines/model_files.h): the official single
// file, community GGUF bundles without any config (unsloth / QuantStack: a transformer GGUF of
// arch "ltxv" with the text connectors, a text projection file, a VAE-only file, an audio VAE +
// vocoder file), Kijai's split safetensors, and bundles that mix releases or name the wrong file.
// Full-size layouts come from the manifests as sparse files; small ones are split from the demo.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "app/demo_model.h"
#include "io/gguf_writer.h"
#include "io/safetensors.h"
#include "models/audio_vae/model.h"
#include "models/diffvae/decoder.h"
#include "models/duration_head/duration_head.h"
#include "models/gemma3/config.h"
#include "models/transformer/model.h"
#include "models/video_vae/model.h"
#include "models/vocoder/model.h"
#include "pipelines/model_files.h"
#include "pipelines/model_loading.h"
#include "pipelines/text_encoding.h"
#include "test_util.h"

namespace ltx2 {
namespace {

using json = nlohmann::json;
using test::expect_error;
using test::TempDir;

json manifest(const std::string& relative) {
    std::ifstream in(std::string(LTX2_GOLDEN_DIR) + "/" + relative);
    if (!in) fail("cannot open tests/golden/{}", relative);
    return json::parse(in);
}

// A manifest's tensors with `strip` removed from the front of their names (those without it kept).
std::vector<TensorEntry> entries_of(const json& m, const std::string& strip = "") {
    std::vector<TensorEntry> entries = test::manifest_entries(m.at("tensors"));
    for (TensorEntry& e : entries)
        if (!strip.empty() && e.name.starts_with(strip)) e.name = e.name.substr(strip.size());
    return entries;
}

// A sparse GGUF as ComfyUI-GGUF's convert.py writes the community files: arch "ltxv", no
// config, no model_version, BF16 tensors.
void write_sparse_ltxv_gguf(const std::string& path, const std::vector<TensorEntry>& entries) {
    GgufWriter w;
    w.set_string("general.architecture", "ltxv");
    for (const TensorEntry& e : entries) w.add_tensor(e.name, GgmlType::BF16, e.shape, GgufWriter::Fill{});
    w.write(path);
}

// The LTX-2.3 22B release as unsloth / QuantStack ship it, without a single config.
struct Community23Bundle {
    std::string transformer, text_projection, video_vae, audio_vae;
    explicit Community23Bundle(const TempDir& dir)
        : transformer(dir.file("ltx-2.3-22b-dev-Q4_K_M.gguf")),
          text_projection(dir.file("ltx-2.3-22b-dev_embeddings_connectors.safetensors")),
          video_vae(dir.file("ltx-2.3-22b-dev_video_vae.safetensors")),
          audio_vae(dir.file("ltx-2.3-22b-dev_audio_vae.safetensors")) {
        const std::string prefix = "model.diffusion_model.";
        std::vector<TensorEntry> dit = entries_of(manifest("ltx23/manifest/transformer.json"), prefix);
        for (TensorEntry& e : entries_of(manifest("ltx23/manifest/text_connectors.json"), prefix))
            dit.push_back(std::move(e));
        write_sparse_ltxv_gguf(transformer, dit);
        write_sparse_safetensors(text_projection, entries_of(manifest("ltx23/manifest/text_embedding_projection.json")));
        write_sparse_safetensors(video_vae, entries_of(manifest("ltx23/manifest/video_vae.json"), "vae."));
        std::vector<TensorEntry> audio = entries_of(manifest("ltx23/manifest/audio_vae.json"));
        for (TensorEntry& e : entries_of(manifest("ltx23/manifest/vocoder.json"))) audio.push_back(std::move(e));
        write_sparse_safetensors(audio_vae, audio);
    }
    LtxFilePaths paths() const { return {"", transformer, text_projection, video_vae, audio_vae}; }
};

TEST(ModelFiles, CommunityGgufBundleLoadsEveryPartWithTheReleased23Config) {
    TempDir dir("ltx2-bundle23");
    const Community23Bundle bundle(dir);
    const LtxModelFiles files = LtxModelFiles::resolve(bundle.paths());
    EXPECT_TRUE(files.semantics().is_ltx23());
    EXPECT_EQ(files.semantics().version, "2.3.0");
    EXPECT_EQ(files.path(LtxPart::VideoConnector), bundle.transformer) << "the GGUF holds the connectors";
    EXPECT_EQ(files.path(LtxPart::TextProjection), bundle.text_projection);
    test::expect_contains(files.describe(), {"transformer: " + bundle.transformer + " (top level, LTX-2.3",
                                             "video VAE: " + bundle.video_vae, "audio VAE: " + bundle.audio_vae,
                                             "the released LTX-2.3 config (the file has none)"});

    const WeightStore dit = files.open(LtxPart::Transformer);
    EXPECT_EQ(dit.gguf_architecture(), "ltxv");
    const LTXModel model = LTXModel::load(dit);
    EXPECT_EQ(model.config().num_layers, 48);
    EXPECT_TRUE(model.config().semantics.is_ltx23());
    EXPECT_EQ(model.weights().tensor_count, 4186u);

    check_gemma_fits_projection(gemma3_12b_config(), "gemma", files.open(LtxPart::TextProjection));
    const WeightStore vae = files.open(LtxPart::VideoVae);
    const VideoDecoder decoder = VideoDecoder::load(vae);
    const VideoEncoder encoder = VideoEncoder::load(vae);
    EXPECT_EQ(decoder.config().decoder_base_channels, 128);
    EXPECT_TRUE(vae.unused_names().empty());
    const AudioDecoder audio = AudioDecoder::load(files.open(LtxPart::AudioVae));
    const Vocoder vocoder = Vocoder::load(files.open(LtxPart::Vocoder));
    EXPECT_EQ(vocoder.output_sample_rate(), 48000);

    const std::vector<std::string> parts = describe_ltx_parts(bundle.transformer);
    ASSERT_EQ(parts.size(), 3u);
    EXPECT_EQ(parts[0], "transformer: at the top level, LTX-2.3, no config in the file: the released one applies");
    EXPECT_EQ(parts[1], "video text connector: under 'video_embeddings_connector.', LTX-2.3, no config in the file: "
                        "the released one applies");
    EXPECT_EQ(ltx_file_generation(bundle.transformer), ModelGeneration::Ltx2_3);
    EXPECT_EQ(ltx_file_generation(bundle.video_vae), ModelGeneration::Ltx2_3);
    EXPECT_EQ(ltx_file_generation(bundle.audio_vae), ModelGeneration::Ltx2_3) << "its vocoder has the BWE stage";
}

// Only what is asked for is looked up: the text parts of a bundle need no VAE file.
TEST(ModelFiles, TextPartsAloneResolve) {
    TempDir dir("ltx2-bundle23");
    const Community23Bundle bundle(dir);
    const LtxModelFiles files = LtxModelFiles::resolve({"", bundle.transformer, bundle.text_projection}, kTextParts);
    EXPECT_TRUE(files.semantics().is_ltx23());
    expect_error([&] { (void)LtxModelFiles::resolve({"", bundle.transformer, bundle.text_projection}); },
                 {"no model file given for the video VAE", "--video-vae"});
}

// A released 19B part in a 2.3 bundle: refused before anything loads, naming both files.
TEST(ModelFiles, MixedReleasesAreRefusedNamingEachFile) {
    TempDir dir("ltx2-bundle-mixed");
    const Community23Bundle bundle(dir);
    const std::string vae19 = dir.file("LTX2_video_vae_bf16.safetensors");
    write_sparse_safetensors(vae19, entries_of(manifest("manifest/video_vae.json"), "vae."));
    LtxFilePaths paths = bundle.paths();
    paths.video_vae = vae19;
    expect_error([&] { (void)LtxModelFiles::resolve(paths); },
                 {"mix LTX releases", "the transformer in --transformer " + bundle.transformer + " is LTX-2.3",
                  "the video VAE in --video-vae " + vae19 + " is LTX-2 (19B)", "files of one release"});

    const std::string vocoder19 = dir.file("LTX2_audio_vae_bf16.safetensors");
    std::vector<TensorEntry> audio = entries_of(manifest("ltx23/manifest/audio_vae.json"));
    for (TensorEntry& e : entries_of(manifest("manifest/vocoder.json"))) audio.push_back(std::move(e));
    write_sparse_safetensors(vocoder19, audio);
    paths = bundle.paths();
    paths.audio_vae = vocoder19;
    expect_error([&] { (void)LtxModelFiles::resolve(paths); },
                 {"the vocoder in --audio-vae " + vocoder19 + " is LTX-2 (19B)"});
    // The audio VAE itself is the same in both releases: that file's VAE would not be refused.
    EXPECT_EQ(describe_ltx_parts(vocoder19).front(),
              "audio VAE: under 'audio_vae.', the same in LTX-2 and LTX-2.3, no config in the file: the released one "
              "applies");
}

TEST(ModelFiles, AFileWithoutThePartItsOptionNamesIsRefused) {
    TempDir dir("ltx2-bundle-wrong");
    const Community23Bundle bundle(dir);
    LtxFilePaths paths = bundle.paths();
    paths.video_vae = bundle.text_projection;
    expect_error([&] { (void)LtxModelFiles::resolve(paths); },
                 {"--video-vae " + bundle.text_projection + ": holds no video VAE",
                  "'vae.*' or decoder.up_blocks. + per_channel_statistics. at the top level",
                  "it holds tensors under text_embedding_projection"});
    paths = bundle.paths();
    paths.text_projection = dir.file("absent.safetensors");
    expect_error([&] { (void)LtxModelFiles::resolve(paths); }, {"--text-projection", "absent.safetensors: no such file"});
    paths = bundle.paths();
    paths.text_projection.clear();
    expect_error([&] { (void)LtxModelFiles::resolve(paths); },
                 {"no model file holds the text projection", "looked at: --transformer " + bundle.transformer,
                  "--text-projection FILE"});
}

// A model_version this build does not run (e.g. a future 2.6) is refused whatever part it is on.
TEST(ModelFiles, UnsupportedVersionIsRefused) {
    TempDir dir("ltx2-bundle26");
    const Community23Bundle bundle(dir);
    const std::string vae26 = dir.file("vae26.safetensors");
    write_sparse_safetensors(vae26, entries_of(manifest("ltx23/manifest/video_vae.json"), "vae."),
                             {{"model_version", "2.6.0"}});
    LtxFilePaths paths = bundle.paths();
    paths.video_vae = vae26;
    expect_error([&] { (void)LtxModelFiles::resolve(paths); }, {vae26, "model_version \"2.6.0\" is not supported"});
}

// ---- LTX-2.5 -------------------------------------------------------------------------------

// The audio VAE and vocoder sections of a 2.5 file (the 2.3 structure).
json audio_config() {
    json config = manifest("ltx23/manifest/audio_vae.json").at("config_metadata");
    config.update(manifest("ltx23/manifest/vocoder.json").at("config_metadata"));
    return config;
}

// The 2.5 release as split files: the transformer with its connectors and config, the text
// projection, the DiffVAE file (conv encoder + diffusion decoder), the audio VAE + vocoder (2.3
// structure) and the duration head of model_patches/.
struct Split25Bundle {
    std::string transformer, text_projection, video_vae, audio_vae, duration_head;
    explicit Split25Bundle(const TempDir& dir)
        : transformer(dir.file("ltx-2.5-22b-distilled-transformer.safetensors")),
          text_projection(dir.file("ltx-2.5-text-projection.safetensors")),
          video_vae(dir.file("ltx-2.5-video-vae-bf16.safetensors")),
          audio_vae(dir.file("ltx-2.5-audio-vae.safetensors")),
          duration_head(dir.file("ltx-2.5-duration-head-bf16.safetensors")) {
        const json dit = manifest("ltx25/manifest/transformer.json");
        std::vector<TensorEntry> entries = entries_of(dit);
        for (TensorEntry& e : entries_of(manifest("ltx23/manifest/text_connectors.json"))) entries.push_back(std::move(e));
        write_sparse_safetensors(transformer, entries,
                                 {{"model_version", "2.5.0"}, {"config", dit.at("config_metadata").dump()}});
        const std::string dit_config = json{{"transformer", dit.at("config_metadata").at("transformer")}}.dump();
        write_sparse_safetensors(text_projection, entries_of(manifest("ltx23/manifest/text_embedding_projection.json")),
                                 {{"config", dit_config}});
        const json diffvae = manifest("ltx25/manifest/diffvae_decoder.json");
        entries = entries_of(diffvae);
        for (TensorEntry& e : entries_of(manifest("ltx23/manifest/video_vae.json")))
            if (e.name.starts_with("vae.encoder.")) entries.push_back(std::move(e));
        write_sparse_safetensors(video_vae, entries,
                                 {{"model_version", "2.5.0"}, {"config", diffvae.at("config_metadata").dump()}});
        entries = entries_of(manifest("ltx23/manifest/audio_vae.json"));
        for (TensorEntry& e : entries_of(manifest("ltx23/manifest/vocoder.json"))) entries.push_back(std::move(e));
        write_sparse_safetensors(audio_vae, entries, {{"config", audio_config().dump()}});
        const json head = manifest("ltx25/manifest/duration_head.json");
        write_sparse_safetensors(duration_head, entries_of(head),
                                 {{"config", json{{"transformer", head.at("config_metadata").at("transformer")}}.dump()}});
    }
    LtxFilePaths paths() const { return {"", transformer, text_projection, video_vae, audio_vae, duration_head}; }
};

TEST(ModelFiles, Ltx25SplitFilesResolveWithTheDiffVaeAndTheDurationHead) {
    TempDir dir("ltx2-bundle25");
    const Split25Bundle bundle(dir);
    const LtxModelFiles files = LtxModelFiles::resolve(bundle.paths());
    EXPECT_EQ(files.semantics().generation, ModelGeneration::Ltx2_5);
    EXPECT_EQ(files.path(LtxPart::VideoVae), bundle.video_vae);
    ASSERT_TRUE(files.has(LtxPart::DurationHead));
    EXPECT_EQ(files.path(LtxPart::DurationHead), bundle.duration_head);
    test::expect_contains(files.describe(), {"video VAE: " + bundle.video_vae + " ('vae.*', LTX-2.5, config: its own",
                                             "duration head: " + bundle.duration_head +
                                                 " ('duration_head.*', LTX-2.5, config: its own config)"});

    const DurationHead head = DurationHead::load(files.open(LtxPart::DurationHead));
    EXPECT_EQ(head.config().video_dim, 4096);
    EXPECT_EQ(head.config().audio_dim, 2048);
    const WeightStore vae = files.open(LtxPart::VideoVae);
    EXPECT_TRUE(is_diffvae_config(vae.config()));
    (void)DiffVaeDecoder::load(vae, DiffVaeWeightPrecision::BF16);

    EXPECT_EQ(describe_ltx_parts(bundle.duration_head),
              std::vector<std::string>{"duration head: under 'duration_head.', LTX-2.5, configured by the file"});
    EXPECT_EQ(describe_ltx_parts(bundle.video_vae),
              std::vector<std::string>{"video VAE: under 'vae.', LTX-2.5, configured by the file"});
    EXPECT_EQ(ltx_file_generation(bundle.duration_head), ModelGeneration::Ltx2_5);

    // The duration head is optional: without its file the model resolves without it.
    LtxFilePaths paths = bundle.paths();
    paths.duration_head.clear();
    EXPECT_FALSE(LtxModelFiles::resolve(paths).has(LtxPart::DurationHead));
    // A 2.5 part without a config: there is no built-in 2.5 config to fall back on.
    std::vector<TensorEntry> audio = entries_of(manifest("ltx23/manifest/audio_vae.json"));
    for (TensorEntry& e : entries_of(manifest("ltx23/manifest/vocoder.json"))) audio.push_back(std::move(e));
    write_sparse_safetensors(bundle.audio_vae, audio);
    expect_error([&] { (void)LtxModelFiles::resolve(paths); },
                 {"--audio-vae " + bundle.audio_vae + ": the audio VAE has no config", "no `audio_vae` section",
                  "no LTX-2.5 config is built in"});
}

// The official single file holds the duration head under its prefix.
TEST(ModelFiles, Ltx25SingleFileHoldsTheDurationHead) {
    TempDir dir("ltx2-single25");
    const Split25Bundle bundle(dir);
    std::vector<TensorEntry> entries;
    for (const char* part : {"ltx25/manifest/transformer.json", "ltx23/manifest/text_connectors.json",
                                    "ltx23/manifest/text_embedding_projection.json", "ltx25/manifest/diffvae_decoder.json",
                                    "ltx23/manifest/audio_vae.json", "ltx23/manifest/vocoder.json",
                                    "ltx25/manifest/duration_head.json"})
        for (TensorEntry& e : entries_of(manifest(part))) entries.push_back(std::move(e));
    for (TensorEntry& e : entries_of(manifest("ltx23/manifest/video_vae.json")))
        if (e.name.starts_with("vae.encoder.")) entries.push_back(std::move(e));
    json config = manifest("ltx25/manifest/transformer.json").at("config_metadata");
    config.update(manifest("ltx25/manifest/diffvae_decoder.json").at("config_metadata"));
    config.update(audio_config());
    const std::string single = dir.file("ltx-2.5-22b-distilled.safetensors");
    write_sparse_safetensors(single, entries, {{"model_version", "2.5.0"}, {"config", config.dump()}});
    const LtxModelFiles files = LtxModelFiles::resolve({single});
    ASSERT_TRUE(files.has(LtxPart::DurationHead));
    EXPECT_EQ(files.path(LtxPart::DurationHead), single);
    EXPECT_EQ(DurationHead::load(files.open(LtxPart::DurationHead)).config().video_dim, 4096);
    // A --duration-head file takes precedence over the single file's.
    EXPECT_EQ(LtxModelFiles::resolve({single, "", "", "", "", bundle.duration_head}).path(LtxPart::DurationHead),
              bundle.duration_head);
}

TEST(ModelFiles, ADurationHeadBesideAnotherReleaseOrAFileWithoutOneIsRefused) {
    TempDir dir("ltx2-bundle25-wrong");
    const Split25Bundle bundle25(dir);
    const Community23Bundle bundle23(dir);
    LtxFilePaths paths = bundle23.paths();
    paths.duration_head = bundle25.duration_head;
    expect_error([&] { (void)LtxModelFiles::resolve(paths); },
                 {"mix LTX releases", "the transformer in --transformer " + bundle23.transformer + " is LTX-2.3",
                  "the duration head in --duration-head " + bundle25.duration_head + " is LTX-2.5"});
    paths = bundle25.paths();
    paths.duration_head = bundle25.text_projection;
    expect_error([&] { (void)LtxModelFiles::resolve(paths); },
                 {"--duration-head " + bundle25.text_projection + ": holds no duration head", "'duration_head.*'",
                  "it holds tensors under text_embedding_projection"});
    paths.duration_head = dir.file("absent.safetensors");
    expect_error([&] { (void)LtxModelFiles::resolve(paths); }, {"--duration-head", "absent.safetensors: no such file"});
}

// ---- the program on small files split from the LTX-2.3 demo model ---------------------------

std::string demo23() { return ensure_demo_model(std::string(LTX2_TEST_DEMO_DIR) + "-2.3", DemoRelease::Ltx23); }
std::string demo23_checkpoint() { return demo23() + "/ltx-2.3-22b-distilled-1.1.safetensors"; }

std::string read_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

// The tensors of `checkpoint` under `prefix` (renamed without `strip`), with its metadata.
void write_part(const std::string& checkpoint, const std::string& path, const std::vector<std::string>& prefixes,
                const std::string& strip = "") {
    const auto file = SafetensorsFile::open(checkpoint);
    std::vector<std::pair<std::string, Tensor>> tensors;
    for (const TensorEntry& e : file->entries())
        for (const std::string& prefix : prefixes)
            if (e.name.starts_with(prefix))
                tensors.emplace_back(e.name.starts_with(strip) ? e.name.substr(strip.size()) : e.name,
                                     file->tensor(e.name));
    write_safetensors(path, tensors, file->metadata());
}

// Kijai's split safetensors: the transformer (with the connectors) keeps its prefix, the video
// VAE is stripped, the audio VAE file holds audio_vae.* and vocoder.*; each keeps the metadata.
struct KijaiSplit {
    std::string transformer, text_projection, video_vae, audio_vae;
    explicit KijaiSplit(const TempDir& dir)
        : transformer(dir.file("ltx-2.3-22b-distilled_transformer_only_bf16.safetensors")),
          text_projection(dir.file("ltx-2.3_text_projection_bf16.safetensors")),
          video_vae(dir.file("LTX23_video_vae_bf16.safetensors")),
          audio_vae(dir.file("LTX23_audio_vae_bf16.safetensors")) {
        const std::string single = demo23_checkpoint();
        write_part(single, transformer, {"model.diffusion_model."});
        write_part(single, text_projection, {"text_embedding_projection."});
        write_part(single, video_vae, {"vae."}, "vae.");
        write_part(single, audio_vae, {"audio_vae.", "vocoder."});
    }
    std::string flags() const {
        return fmt::format("--transformer '{}' --text-projection '{}' --video-vae '{}' --audio-vae '{}'", transformer,
                           text_projection, video_vae, audio_vae);
    }
};

std::string generate_cmd(const std::string& model_args, const std::string& out) {
    return fmt::format("'{}' {} -p 'a lighthouse in a storm' -W 128 -H 64 -f 9 --seed 3 --progress plain -o '{}'",
                       LTX2_BIN, model_args, out);
}

// The single file's video for generate_cmd, made once for the tests that compare with it.
const std::string& single_file_video() {
    static const TempDir dir("ltx2-single23");
    static const std::string out = [] {
        const std::string path = dir.file("single.mp4");
        const auto r = test::run_command(generate_cmd("--model-dir " + demo23(), path));
        if (r.exit_code != 0) fail("the single-file demo run failed:\n{}", r.output);
        return read_bytes(path);
    }();
    return out;
}

TEST(ModelFilesProgram, KijaiSplitFilesGiveTheSingleFilesVideoBitForBit) {
    TempDir dir("ltx2-split23");
    const KijaiSplit split(dir);
    const auto parts = test::run_command(generate_cmd("--model-dir " + demo23() + " " + split.flags(), dir.file("split.mp4")));
    ASSERT_EQ(parts.exit_code, 0) << parts.output;
    test::expect_contains(parts.output, {"transformer: " + split.transformer, "video VAE: " + split.video_vae,
                                         "vocoder: " + split.audio_vae, "config: its own config", "LTX-2.3"});
    EXPECT_EQ(parts.output.find("ltx-2.3-22b-distilled-1.1.safetensors"), std::string::npos)
        << "the single file is not used:\n" << parts.output;
    EXPECT_EQ(single_file_video(), read_bytes(dir.file("split.mp4")));

    const auto inspect = test::run_command(fmt::format("'{}' inspect '{}'", LTX2_BIN, split.audio_vae));
    ASSERT_EQ(inspect.exit_code, 0) << inspect.output;
    test::expect_contains(inspect.output, {"LTX audio VAE: under 'audio_vae.', LTX-2.3, configured by the file",
                                           "LTX vocoder: under 'vocoder.', LTX-2.3, configured by the file"});
}

// A community transformer GGUF (arch ltxv, prefix stripped, connectors inside, no config) beside
// the single file, which configures it: the same weights give the same video.
TEST(ModelFilesProgram, A23TransformerGgufBesideTheCheckpointGivesTheSameVideo) {
    TempDir dir("ltx2-gguf23");
    const std::string single = demo23_checkpoint();
    const auto file = SafetensorsFile::open(single);
    const std::string gguf = dir.file("ltx-2.3-22b-distilled-BF16.gguf");
    GgufWriter w;
    w.set_string("general.architecture", "ltxv");
    const std::string prefix = "model.diffusion_model.";
    for (const TensorEntry& e : file->entries()) {
        if (!e.name.starts_with(prefix)) continue;
        ASSERT_TRUE(e.dtype == DType::BF16 || e.dtype == DType::F32) << e.name;
        w.add_tensor(e.name.substr(prefix.size()), e.dtype == DType::BF16 ? GgmlType::BF16 : GgmlType::F32, e.shape,
                     file->tensor(e.name).data<std::byte>());
    }
    w.write(gguf);

    const auto r = test::run_command(generate_cmd("--model-dir " + demo23() + " --transformer '" + gguf + "'",
                                                  dir.file("gguf.mp4")));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_EQ(single_file_video(), read_bytes(dir.file("gguf.mp4")));

    const auto inspect = test::run_command(fmt::format("'{}' inspect '{}'", LTX2_BIN, gguf));
    ASSERT_EQ(inspect.exit_code, 0) << inspect.output;
    test::expect_contains(inspect.output, {"GGUF v3, architecture 'ltxv'", "bf16:86", "no config metadata",
                                           "model: LTX-2.3 (from its tensors)",
                                           "LTX transformer: at the top level, LTX-2.3, no config in the file"});
}

// The demo 19B VAE in a 2.3 bundle: refused before any work, naming both files; no output.
TEST(ModelFilesProgram, AMixedBundleIsRefusedBeforeAnyWork) {
    TempDir dir("ltx2-mixed");
    const KijaiSplit split(dir);
    const std::string vae19 = ensure_demo_model(LTX2_TEST_DEMO_DIR) + "/ltx-2-19b-distilled.safetensors";
    const std::string flags = fmt::format("--transformer '{}' --text-projection '{}' --video-vae '{}' --audio-vae '{}'",
                                          split.transformer, split.text_projection, vae19, split.audio_vae);
    const auto r = test::run_command(generate_cmd("--model-dir " + demo23() + " " + flags, dir.file("o.mp4")));
    EXPECT_EQ(r.exit_code, 1) << r.output;
    test::expect_contains(r.output, {"mix LTX releases", split.transformer + " is LTX-2.3",
                                     "the video VAE in --video-vae " + vae19 + " is LTX-2 (19B)"});
    EXPECT_EQ(r.output.find("encode text"), std::string::npos) << r.output;
    EXPECT_FALSE(std::filesystem::exists(dir.file("o.mp4")));
}

// The official fp8 layout of 2.3 (float8 weights with per-tensor scales, config and
// model_version kept), as Lightricks/LTX-2.3-fp8 ships it.
TEST(ModelFilesProgram, Official23Fp8CheckpointRuns) {
    TempDir dir("ltx2-fp8-23");
    const std::string fp8 = dir.file("ltx-2.3-22b-distilled-fp8.safetensors");
    const auto q = test::run_command(fmt::format("'{}' '{}' '{}' --type fp8", LTX2_QUANTIZE_BIN, demo23_checkpoint(), fp8));
    ASSERT_EQ(q.exit_code, 0) << q.output;
    const auto inspect = test::run_command(fmt::format("'{}' inspect '{}'", LTX2_BIN, fp8));
    test::expect_contains(inspect.output, {"F8_E4M3:", "model: LTX-2.3 (model_version 2.3.0)",
                                           "LTX transformer: under 'model.diffusion_model.', LTX-2.3, configured by the file"});
    const auto r = test::run_command(generate_cmd("--model-dir " + demo23() + " --checkpoint '" + fp8 + "'",
                                                  dir.file("fp8.mp4")));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    test::expect_contains(r.output, {"LTX-2.3 (model_version 2.3.0)", "write outputs"});
    EXPECT_GT(std::filesystem::file_size(dir.file("fp8.mp4")), 1000u);
}


// Kijai's *_fp8_scaled transformer: the official fp8 layout plus comfy-kitchen's per-layer
// `.comfy_quant` format markers. It decodes to the same weights; another format is refused.
TEST(ModelFiles, ComfyKitchenFp8TransformerDecodesLikeTheOfficialFp8) {
    TempDir dir("ltx2-kijai-fp8");
    const std::string fp8 = dir.file("official-fp8.safetensors");
    const auto q = test::run_command(fmt::format("'{}' '{}' '{}' --type fp8", LTX2_QUANTIZE_BIN, demo23_checkpoint(), fp8));
    ASSERT_EQ(q.exit_code, 0) << q.output;
    const std::string prefix = "model.diffusion_model.";
    auto write_kijai = [&](const std::string& path, const std::string& format) {
        const auto file = SafetensorsFile::open(fp8);
        std::vector<std::pair<std::string, Tensor>> tensors;
        for (const TensorEntry& e : file->entries()) {
            if (!e.name.starts_with(prefix)) continue;
            tensors.emplace_back(e.name, file->tensor(e.name));
            if (e.dtype != DType::F8_E4M3) continue;
            const std::string marker = R"({"format": ")" + format + R"(", "full_precision_matrix_mult": true})";
            Tensor t = Tensor::zeros({int64_t(marker.size())}, DType::U8);
            std::memcpy(t.raw(), marker.data(), marker.size());
            tensors.emplace_back(e.name.substr(0, e.name.size() - 6) + "comfy_quant", t);
        }
        write_safetensors(path, tensors, file->metadata());
    };
    const std::string kijai = dir.file("ltx-2.3-22b-distilled_transformer_only_fp8_scaled.safetensors");
    write_kijai(kijai, "float8_e4m3fn");
    const auto model = load_transformer(LtxFilePaths{demo23_checkpoint(), kijai}, {}, Precision::BF16);
    EXPECT_TRUE(model->config().semantics.is_ltx23());
    const std::string name = "transformer_blocks.0.attn1.to_q.weight";
    const Tensor ours = WeightStore::open(kijai, prefix).get(name), official = WeightStore::open(fp8, prefix).get(name);
    ASSERT_EQ(ours.shape(), official.shape());
    EXPECT_EQ(ours.to_vector(), official.to_vector());

    const std::string nvfp4 = dir.file("nvfp4.safetensors");
    write_kijai(nvfp4, "nvfp4");
    expect_error([&] { (void)WeightStore::open(nvfp4, prefix); },
                 {nvfp4, "layer 'model.diffusion_model.", "comfy-kitchen format 'nvfp4'", "float8_e4m3fn"});
}

}  // namespace
}  // namespace ltx2
