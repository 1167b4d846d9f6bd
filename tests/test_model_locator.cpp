// Model-file resolution: explicit paths, the model directory, the Hugging Face cache, and the
// error that lists everything missing. Fake trees of empty files stand in for the checkpoints.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>

#include "app/gemma_folder.h"
#include "app/hf_cache.h"
#include "app/model_locator.h"
#include "app_test_util.h"
#include "test_util.h"

namespace ltx2 {
namespace {

namespace fs = std::filesystem;
using app::CheckpointPrecision;
using app::ModelLocateRequest;
using app::ModelSource;
using app::Pipeline;
using test::env_of;
using test::expect_error;
using test::TempDir;
using test::write_file;

const std::string kDistilled = "ltx-2-19b-distilled.safetensors";
const std::string kDev = "ltx-2-19b-dev.safetensors";
const std::string kDevFp8 = "ltx-2-19b-dev-fp8.safetensors";
const std::string kUpsampler = "ltx-2-spatial-upscaler-x2-1.0.safetensors";
const std::string kLora = "ltx-2-19b-distilled-lora-384.safetensors";
const std::string kMain = "1111111111111111111111111111111111111111";
const std::string kOld = "2222222222222222222222222222222222222222";

// A Gemma folder as `hf download google/gemma-3-12b-it` leaves it, minus the files in `skip`.
void make_gemma(const fs::path& dir, const std::vector<std::string>& skip = {}) {
    const std::vector<std::string> shards = {"model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors"};
    nlohmann::json index = {{"metadata", {{"total_size", 0}}},
                            {"weight_map",
                             {{"language_model.model.embed_tokens.weight", shards[0]},
                              {"language_model.model.layers.0.mlp.up_proj.weight", shards[0]},
                              {"language_model.model.norm.weight", shards[1]}}}};
    std::map<std::string, std::string> files = {{"config.json", R"({"model_type": "gemma3"})"},
                                                {"tokenizer.json", "{}"},
                                                {app::kGemmaIndexFile, index.dump()},
                                                {shards[0], ""},
                                                {shards[1], ""}};
    for (const auto& [name, text] : files)
        if (std::find(skip.begin(), skip.end(), name) == skip.end()) write_file(dir / name, text);
}

// An HF cache repo folder with a snapshot holding `files`; refs/main names it when `main`.
fs::path make_snapshot(const fs::path& cache, const std::string& repo, const std::string& commit,
                       const std::vector<std::string>& files, bool main) {
    const fs::path repo_folder = app::hf_repo_folder(cache, repo);
    const fs::path snapshot = repo_folder / "snapshots" / commit;
    fs::create_directories(snapshot);
    for (const auto& f : files) {
        // Like the real cache: the snapshot entry is a relative link to a blob.
        const fs::path blob = repo_folder / "blobs" / (commit + "-" + f);
        write_file(blob);
        fs::create_symlink(fs::path("../../blobs") / blob.filename(), snapshot / f);
    }
    if (main) write_file(repo_folder / "refs" / "main", commit + "\n");
    return snapshot;
}

void set_age(const fs::path& p, int hours_ago) {
    fs::last_write_time(p, fs::file_time_type::clock::now() - std::chrono::hours(hours_ago));
}

// A request whose environment points the HF cache at `cache` and nowhere else.
ModelLocateRequest request_for(Pipeline p, const fs::path& cache) {
    ModelLocateRequest r;
    r.pipeline = p;
    r.env = env_of({{"HF_HUB_CACHE", cache.string()}});
    return r;
}

TEST(ModelLocator, ExplicitPathsComeFirstAndGgufPassesThrough) {
    TempDir dir;
    const fs::path model_dir = dir.path / "models";
    for (const auto& f : {kDistilled, kUpsampler}) write_file(model_dir / f);
    make_gemma(model_dir / "gemma-3-12b-it");
    write_file(dir.path / "mine" / "distilled-q8_0.gguf");
    write_file(dir.path / "mine" / "up.safetensors");
    make_gemma(dir.path / "mine" / "gemma");

    auto r = request_for(Pipeline::Distilled, dir.path / "cache");
    r.model_dir = model_dir;
    r.explicit_paths.checkpoint = dir.path / "mine" / "distilled-q8_0.gguf";
    r.explicit_paths.spatial_upsampler = dir.path / "mine" / "up.safetensors";
    r.explicit_paths.gemma = dir.path / "mine" / "gemma";
    const auto m = app::locate_models(r);
    EXPECT_EQ(m.checkpoint->path, dir.path / "mine" / "distilled-q8_0.gguf");
    EXPECT_EQ(m.checkpoint->source, ModelSource::ExplicitPath);
    EXPECT_EQ(m.checkpoint->origin, "--checkpoint");
    EXPECT_EQ(m.spatial_upsampler->path, dir.path / "mine" / "up.safetensors");
    EXPECT_EQ(m.gemma->path, dir.path / "mine" / "gemma");
    EXPECT_EQ(m.gemma->origin, "--gemma");
    EXPECT_FALSE(m.distilled_lora.has_value());
    EXPECT_NE(m.describe().find("distilled-q8_0.gguf  (from --checkpoint)"), std::string::npos) << m.describe();

    // A Gemma GGUF file is taken as given too.
    write_file(dir.path / "mine" / "gemma-3-12b-it-q4_k.gguf");
    r.explicit_paths.gemma = dir.path / "mine" / "gemma-3-12b-it-q4_k.gguf";
    EXPECT_EQ(app::locate_models(r).gemma->path, dir.path / "mine" / "gemma-3-12b-it-q4_k.gguf");
}

TEST(ModelLocator, ExplicitPathThatDoesNotExistNamesTheOption) {
    TempDir dir;
    make_snapshot(dir.path / "cache", app::kLtxRepo, kMain, {kDistilled, kUpsampler}, true);
    make_gemma(make_snapshot(dir.path / "cache", app::kGemmaRepo, kMain, {}, true));
    auto r = request_for(Pipeline::Distilled, dir.path / "cache");
    r.explicit_paths.checkpoint = dir.path / "nope.safetensors";
    // An existing file in the cache does not stand in for a wrong explicit path.
    expect_error(
        [&] { app::locate_models(r); },
        {"distilled checkpoint: --checkpoint " + (dir.path / "nope.safetensors").string(), "no such file or folder"});

    r.explicit_paths.checkpoint.reset();
    r.explicit_paths.spatial_upsampler = dir.path;
    expect_error([&] { app::locate_models(r); }, {"--spatial-upsampler " + dir.path.string(), "a folder, not a file"});
}

TEST(ModelLocator, ExplicitGemmaFolderMustBeComplete) {
    TempDir dir;
    make_snapshot(dir.path / "cache", app::kLtxRepo, kMain, {kDev}, true);
    make_gemma(dir.path / "gemma", {"model-00002-of-00002.safetensors", "tokenizer.json"});
    auto r = request_for(Pipeline::OneStage, dir.path / "cache");
    r.explicit_paths.gemma = dir.path / "gemma";
    expect_error([&] { app::locate_models(r); },
                 {"--gemma " + (dir.path / "gemma").string(),
                  "incomplete: missing tokenizer.json, model-00002-of-00002.safetensors"});
}

TEST(ModelLocator, ModelDirectoryLayouts) {
    TempDir dir;
    const fs::path md = dir.path / "models";
    for (const auto& f : {kDev, kUpsampler, kLora, kDistilled}) write_file(md / f);
    make_gemma(md / "gemma-3-12b-it-qat-q4_0-unquantized");

    auto r = request_for(Pipeline::TwoStage, dir.path / "cache");
    r.model_dir = md;
    auto m = app::locate_models(r);
    EXPECT_EQ(m.checkpoint->path, md / kDev);
    EXPECT_EQ(m.checkpoint->source, ModelSource::ModelDir);
    EXPECT_EQ(m.checkpoint->origin, "--model-dir " + md.string());
    EXPECT_EQ(m.spatial_upsampler->path, md / kUpsampler);
    EXPECT_EQ(m.distilled_lora->path, md / kLora);
    EXPECT_EQ(m.gemma->path, md / "gemma-3-12b-it-qat-q4_0-unquantized");

    // The plain name wins over the QAT one; "gemma" is accepted too.
    make_gemma(md / "gemma-3-12b-it");
    EXPECT_EQ(app::locate_models(r).gemma->path, md / "gemma-3-12b-it");
    fs::remove_all(md / "gemma-3-12b-it");
    fs::remove_all(md / "gemma-3-12b-it-qat-q4_0-unquantized");
    make_gemma(md / "gemma");
    EXPECT_EQ(app::locate_models(r).gemma->path, md / "gemma");

    // The model directory itself as the Gemma folder, recognised by its config.json.
    fs::remove_all(md / "gemma");
    make_gemma(md);
    r.pipeline = Pipeline::KeyframeInterpolation;
    m = app::locate_models(r);
    EXPECT_EQ(m.gemma->path, md);
    EXPECT_EQ(m.checkpoint->path, md / kDev);

    r.pipeline = Pipeline::Distilled;
    EXPECT_EQ(app::locate_models(r).checkpoint->path, md / kDistilled);
}

TEST(ModelLocator, MissingModelDirectoryIsAnError) {
    TempDir dir;
    auto r = request_for(Pipeline::Distilled, dir.path / "cache");
    r.model_dir = dir.path / "absent";
    expect_error([&] { app::locate_models(r); }, {"--model-dir " + (dir.path / "absent").string(), "no such folder"});
}

// $LTX2_MODEL_DIR is the model directory when --model-dir is not given; --model-dir and the
// file options win over it.
TEST(ModelLocator, Ltx2ModelDirEnvIsTheModelDirectoryUnlessGiven) {
    TempDir dir;
    const fs::path from_env = dir.path / "env-models", given = dir.path / "given-models";
    for (const fs::path& md : {from_env, given}) {
        for (const auto& f : {kDistilled, kUpsampler}) write_file(md / f);
        make_gemma(md / "gemma-3-12b-it");
    }
    auto r = request_for(Pipeline::Distilled, dir.path / "cache");
    r.env = env_of({{"HF_HUB_CACHE", (dir.path / "cache").string()}, {app::kModelDirEnv, from_env.string()}});
    auto m = app::locate_models(r);
    EXPECT_EQ(m.checkpoint->path, from_env / kDistilled);
    EXPECT_EQ(m.checkpoint->source, ModelSource::ModelDir);
    EXPECT_EQ(m.checkpoint->origin, "LTX2_MODEL_DIR " + from_env.string());
    EXPECT_EQ(m.gemma->path, from_env / "gemma-3-12b-it");
    EXPECT_EQ(m.spatial_upsampler->path, from_env / kUpsampler);

    // A file option wins for its file; the rest still comes from the variable's folder.
    write_file(dir.path / "mine.safetensors");
    r.explicit_paths.checkpoint = dir.path / "mine.safetensors";
    m = app::locate_models(r);
    EXPECT_EQ(m.checkpoint->origin, "--checkpoint");
    EXPECT_EQ(m.gemma->origin, "LTX2_MODEL_DIR " + from_env.string());

    // --model-dir wins over the variable.
    r.explicit_paths.checkpoint.reset();
    r.model_dir = given;
    m = app::locate_models(r);
    EXPECT_EQ(m.checkpoint->path, given / kDistilled);
    EXPECT_EQ(m.gemma->origin, "--model-dir " + given.string());

    // A variable naming no folder is an error naming it; an empty one is no model directory.
    r.model_dir.reset();
    r.env = env_of({{"HF_HUB_CACHE", (dir.path / "cache").string()}, {app::kModelDirEnv, (dir.path / "absent").string()}});
    expect_error([&] { app::locate_models(r); },
                 {"LTX2_MODEL_DIR " + (dir.path / "absent").string() + ": no such folder", "unset it"});
    r.env = env_of({{"HF_HUB_CACHE", (dir.path / "cache").string()}, {app::kModelDirEnv, ""}});
    expect_error([&] { app::locate_models(r); }, {"cannot find the model files the distilled pipeline needs"});
}

// Without weights, the error says how to go on: the demo, the downloads and their sizes, the
// smaller fp8 / GGUF files. A wrong explicit path alone gets no such guide.
TEST(ModelLocator, MissingWeightsSuggestTheDemoDownloadsAndSmallerFiles) {
    TempDir dir;
    auto r = request_for(Pipeline::Distilled, dir.path / "cache");
    expect_error([&] { app::locate_models(r); },
                 {"No weights yet? (all sizes approximate)",
                  "ltx2 --demo -p \"a cat playing the piano\" -o demo.mp4",
                  "ltx2 download Lightricks/LTX-2.3 ltx-2.3-22b-distilled-1.1.safetensors "
                  "ltx-2.3-spatial-upscaler-x2-1.1.safetensors   (~46 GB + ~1 GB)",
                  "ltx2 download Lightricks/LTX-2 ltx-2-19b-distilled.safetensors "
                  "ltx-2-spatial-upscaler-x2-1.0.safetensors   (~43 GB + ~1 GB)",
                  "ltx2 download google/gemma-3-12b-it   (~24 GB; gated",
                  "fp8 checkpoint:   ltx2 download Lightricks/LTX-2.3-fp8 ltx-2.3-22b-distilled-fp8.safetensors   (~29 GB)",
                  "ltx2 download Lightricks/LTX-2 ltx-2-19b-distilled-fp8.safetensors   (~27 GB)",
                  "GGUF transformer: --transformer FILE.gguf (Q8_0", "GGUF Gemma:       --gemma gemma-3-12b-it-Q4_K_M.gguf (~7 GB",
                  "--model-dir DIR (or LTX2_MODEL_DIR=DIR)"});

    // (A checkpoint that is not there decides no release: the newest one's upsampler is looked for.)
    const fs::path md = dir.path / "models";
    for (const auto& f : {kDistilled, kUpsampler, std::string("ltx-2.3-spatial-upscaler-x2-1.1.safetensors")})
        write_file(md / f);
    make_gemma(md / "gemma-3-12b-it");
    r.model_dir = md;
    r.explicit_paths.checkpoint = dir.path / "typo.safetensors";
    try {
        app::locate_models(r);
        ADD_FAILURE() << "a missing --checkpoint must be an error";
    } catch (const Error& e) {
        const std::string text = e.what();
        EXPECT_NE(text.find("--checkpoint " + (dir.path / "typo.safetensors").string()), std::string::npos) << text;
        EXPECT_EQ(text.find("No weights yet?"), std::string::npos) << text;
    }
}

TEST(ModelLocator, HfCacheUsesTheSnapshotRefsMainNames) {
    TempDir dir;
    const fs::path cache = dir.path / "cache";
    const fs::path main_snapshot = make_snapshot(cache, app::kLtxRepo, kMain, {kDistilled, kUpsampler}, true);
    const fs::path other = make_snapshot(cache, app::kLtxRepo, kOld, {kDistilled, kUpsampler}, false);
    set_age(main_snapshot, 48);  // the other snapshot is newer, but refs/main decides
    set_age(other, 1);
    const fs::path gemma = make_snapshot(cache, app::kGemmaRepo, kMain, {}, true);
    make_gemma(gemma);

    const auto m = app::locate_models(request_for(Pipeline::Distilled, cache));
    EXPECT_EQ(m.checkpoint->path, main_snapshot / kDistilled);
    EXPECT_EQ(m.checkpoint->source, ModelSource::HfCache);
    EXPECT_EQ(m.checkpoint->origin, "HF cache Lightricks/LTX-2 snapshot " + kMain + " (refs/main)");
    EXPECT_EQ(m.spatial_upsampler->path, main_snapshot / kUpsampler);
    EXPECT_EQ(m.gemma->path, gemma);
    EXPECT_EQ(m.gemma->origin, "HF cache google/gemma-3-12b-it snapshot " + kMain + " (refs/main)");

    // A file the refs/main snapshot lacks comes from another snapshot.
    fs::remove(main_snapshot / kUpsampler);
    EXPECT_EQ(app::locate_models(request_for(Pipeline::Distilled, cache)).spatial_upsampler->path, other / kUpsampler);
}

TEST(ModelLocator, HfCacheWithoutRefsTakesTheNewestSnapshotThatHasTheFile) {
    TempDir dir;
    const fs::path cache = dir.path / "cache";
    const fs::path older = make_snapshot(cache, app::kLtxRepo, kOld, {kDev, kUpsampler, kLora}, false);
    const fs::path newer = make_snapshot(cache, app::kLtxRepo, kMain, {kDev}, false);
    set_age(older, 48);
    set_age(newer, 1);
    make_gemma(make_snapshot(cache, app::kGemmaQatRepo, kOld, {}, false));

    const auto m = app::locate_models(request_for(Pipeline::TwoStage, cache));
    EXPECT_EQ(m.checkpoint->path, newer / kDev);
    EXPECT_EQ(m.spatial_upsampler->path, older / kUpsampler);
    EXPECT_EQ(m.distilled_lora->path, older / kLora);
    EXPECT_EQ(m.gemma->path, app::hf_repo_folder(cache, app::kGemmaQatRepo) / "snapshots" / kOld);
}

TEST(ModelLocator, IncompleteGemmaInTheCacheSaysWhichShardIsMissing) {
    TempDir dir;
    const fs::path cache = dir.path / "cache";
    make_snapshot(cache, app::kLtxRepo, kMain, {kDev}, true);
    const fs::path gemma = make_snapshot(cache, app::kGemmaRepo, kMain, {}, true);
    make_gemma(gemma, {"model-00002-of-00002.safetensors"});
    expect_error([&] { app::locate_models(request_for(Pipeline::OneStage, cache)); },
                 {"Gemma 3 12B text encoder, needed by the one-stage pipeline (option --gemma PATH)",
                  gemma.string() + " (incomplete: missing model-00002-of-00002.safetensors)",
                  "hf download google/gemma-3-12b-it"});

    // A complete older snapshot is used instead.
    const fs::path older = make_snapshot(cache, app::kGemmaRepo, kOld, {}, false);
    make_gemma(older);
    EXPECT_EQ(app::locate_models(request_for(Pipeline::OneStage, cache)).gemma->path, older);
}

TEST(ModelLocator, ErrorListsEveryMissingFileAndEveryPlaceLooked) {
    TempDir dir;
    const fs::path cache = dir.path / "cache";
    const fs::path md = dir.path / "models";
    fs::create_directories(md);
    write_file(md / "config.json", R"({"model_type": "llama"})");
    make_snapshot(cache, app::kLtxRepo, kMain, {kDev}, true);  // only the checkpoint is there
    const fs::path ltx_snapshot = app::hf_repo_folder(cache, app::kLtxRepo) / "snapshots" / kMain;
    // A cache entry whose blob was deleted.
    fs::remove(app::hf_repo_folder(cache, app::kLtxRepo) / "blobs" / (kMain + "-" + kDev));

    auto r = request_for(Pipeline::TwoStage, cache);
    r.model_dir = md;
    r.precision = CheckpointPrecision::Auto;
    const fs::path gemma_cache = app::hf_repo_folder(cache, app::kGemmaRepo);
    const fs::path qat_cache = app::hf_repo_folder(cache, app::kGemmaQatRepo);
    expect_error(
        [&] { app::locate_models(r); },
        {"cannot find the model files the two-stage pipeline needs:",
         // the checkpoint: every release, both precisions, model dir and cache; fetched from the newest
         "dev checkpoint (ltx-2.3-22b-dev.safetensors or ltx-2.3-22b-dev-fp8.safetensors or "
         "ltx-2-19b-dev.safetensors or ltx-2-19b-dev-fp8.safetensors), needed by the two-stage pipeline (option "
         "--checkpoint PATH)",
         (md / kDev).string() + " (missing)", (md / kDevFp8).string() + " (missing)",
         (md / "ltx-2.3-22b-dev.safetensors").string() + " (missing)",
         (ltx_snapshot / kDev).string() + " (broken link: its blob is missing)",
         (ltx_snapshot / kDevFp8).string() + " (missing)",
         "ltx2 download Lightricks/LTX-2.3 ltx-2.3-22b-dev.safetensors",
         "hf download Lightricks/LTX-2.3 ltx-2.3-22b-dev.safetensors",
         // upsampler and LoRA of the newest release
         "spatial upsampler (ltx-2.3-spatial-upscaler-x2-1.1.safetensors or "
         "ltx-2.3-spatial-upscaler-x2-1.0.safetensors), needed by the two-stage pipeline",
         (md / "ltx-2.3-spatial-upscaler-x2-1.1.safetensors").string() + " (missing)",
         "hf download Lightricks/LTX-2.3 ltx-2.3-spatial-upscaler-x2-1.1.safetensors",
         "distilled LoRA (ltx-2.3-22b-distilled-lora-384-1.1.safetensors",
         (md / "ltx-2.3-22b-distilled-lora-384-1.1.safetensors").string() + " (missing)",
         "hf download Lightricks/LTX-2.3 ltx-2.3-22b-distilled-lora-384-1.1.safetensors",
         // Gemma: subfolders, the model dir's config, both cache repos
         (md / "gemma-3-12b-it").string() + " (missing)",
         (md / "gemma-3-12b-it-qat-q4_0-unquantized").string() + " (missing)", (md / "gemma").string() + " (missing)",
         (md / "config.json").string() + " (not a Gemma config)",
         (gemma_cache / "snapshots" / "*").string() + " (no snapshots)",
         (qat_cache / "snapshots" / "*").string() + " (no snapshots)", "ltx2 download google/gemma-3-12b-it",
         "accept its license on https://huggingface.co/google/gemma-3-12b-it and set HF_TOKEN"});
}

// LTX-2.3 files are preferred over 19B ones, and the other files come from the checkpoint's release.
TEST(ModelLocator, TheCheckpointsReleaseProvidesEveryOtherFile) {
    TempDir dir;
    const fs::path md = dir.path / "models";
    for (const auto& f : {kDev, kUpsampler, kLora}) write_file(md / f);
    make_gemma(md / "gemma");
    auto r = request_for(Pipeline::TwoStage, dir.path / "cache");
    r.model_dir = md;
    EXPECT_EQ(app::locate_models(r).checkpoint->path, md / kDev);  // only 19B files: 19B

    write_file(md / "ltx-2.3-22b-dev.safetensors");
    write_file(md / "ltx-2.3-spatial-upscaler-x2-1.1.safetensors");
    // A 2.3 checkpoint without the 2.3 LoRA: the 19B LoRA next to it is not taken.
    expect_error([&] { app::locate_models(r); },
                 {"distilled LoRA (ltx-2.3-22b-distilled-lora-384-1.1.safetensors", "Lightricks/LTX-2.3"});
    write_file(md / "ltx-2.3-22b-distilled-lora-384-1.1.safetensors");
    const app::LocatedModels m = app::locate_models(r);
    EXPECT_EQ(m.checkpoint->path, md / "ltx-2.3-22b-dev.safetensors");
    EXPECT_EQ(m.spatial_upsampler->path, md / "ltx-2.3-spatial-upscaler-x2-1.1.safetensors");
    EXPECT_EQ(m.distilled_lora->path, md / "ltx-2.3-22b-distilled-lora-384-1.1.safetensors");

    // An explicit 19B checkpoint takes the 19B files of the folder.
    r.explicit_paths.checkpoint = md / kDev;
    const app::LocatedModels old = app::locate_models(r);
    EXPECT_EQ(old.spatial_upsampler->path, md / kUpsampler);
    EXPECT_EQ(old.distilled_lora->path, md / kLora);
}

// --spatial-upscale x1.5 looks for LTX-2.3's x1.5 upsampler; the 19B release has none.
TEST(ModelLocator, SpatialUpscaleX1_5FindsTheOfficialX1_5File) {
    TempDir dir;
    const fs::path md = dir.path / "models";
    for (const auto& f : {"ltx-2.3-22b-dev.safetensors", "ltx-2.3-spatial-upscaler-x2-1.1.safetensors",
                          "ltx-2.3-22b-distilled-lora-384-1.1.safetensors"})
        write_file(md / f);
    make_gemma(md / "gemma");
    auto r = request_for(Pipeline::TwoStage, dir.path / "cache");
    r.model_dir = md;
    EXPECT_EQ(app::locate_models(r).spatial_upsampler->path, md / "ltx-2.3-spatial-upscaler-x2-1.1.safetensors");
    r.spatial_upscale = kUpscaleX1_5;
    expect_error([&] { app::locate_models(r); },
                 {"spatial upsampler (ltx-2.3-spatial-upscaler-x1.5-1.0.safetensors), needed by the two-stage pipeline",
                  (md / "ltx-2.3-spatial-upscaler-x1.5-1.0.safetensors").string() + " (missing)",
                  "ltx2 download Lightricks/LTX-2.3 ltx-2.3-spatial-upscaler-x1.5-1.0.safetensors"});
    write_file(md / "ltx-2.3-spatial-upscaler-x1.5-1.0.safetensors");
    EXPECT_EQ(app::locate_models(r).spatial_upsampler->path, md / "ltx-2.3-spatial-upscaler-x1.5-1.0.safetensors");

    r.explicit_paths.checkpoint = md / kDev;
    write_file(md / kDev);
    write_file(md / kLora);
    expect_error([&] { app::locate_models(r); },
                 {"spatial upsampler, needed by the two-stage pipeline", "Lightricks/LTX-2 release has no x1.5",
                  "--spatial-upsampler PATH"});
}

TEST(ModelLocator, PrecisionPreference) {
    TempDir dir;
    const fs::path md = dir.path / "models";
    write_file(md / kDevFp8);
    make_gemma(md / "gemma");
    auto r = request_for(Pipeline::OneStage, dir.path / "cache");
    r.model_dir = md;

    r.precision = CheckpointPrecision::Auto;  // only fp8 exists: auto takes it
    EXPECT_EQ(app::locate_models(r).checkpoint->path, md / kDevFp8);
    r.precision = CheckpointPrecision::BF16;
    expect_error([&] { app::locate_models(r); },
                 {"dev checkpoint (ltx-2.3-22b-dev.safetensors or ltx-2-19b-dev.safetensors)",
                  (md / kDev).string() + " (missing)", "hf download Lightricks/LTX-2.3 ltx-2.3-22b-dev.safetensors"});

    write_file(md / kDev);
    r.precision = CheckpointPrecision::Auto;  // both: bf16 first
    EXPECT_EQ(app::locate_models(r).checkpoint->path, md / kDev);
    r.precision = CheckpointPrecision::FP8;
    EXPECT_EQ(app::locate_models(r).checkpoint->path, md / kDevFp8);

    // The model directory is searched (for both precisions) before the cache.
    fs::remove(md / kDev);
    make_snapshot(dir.path / "cache", app::kLtxRepo, kMain, {kDev}, true);
    r.precision = CheckpointPrecision::Auto;
    EXPECT_EQ(app::locate_models(r).checkpoint->path, md / kDevFp8);

    EXPECT_EQ(app::parse_checkpoint_precision("fp8"), CheckpointPrecision::FP8);
    expect_error([] { app::parse_checkpoint_precision("int4"); }, {"'int4'", "auto, bf16 or fp8"});
}

// The IC-LoRA is never searched for: --ic-lora gives it, else the request's default (the demo's).
TEST(ModelLocator, IcLoraFileIsExplicitOrTheRequestsDefault) {
    TempDir dir;
    const fs::path md = dir.path / "models";
    for (const auto& f : {kDistilled, kUpsampler}) write_file(md / f);
    make_gemma(md / "gemma-3-12b-it");
    auto r = request_for(Pipeline::ICLora, dir.path / "cache");
    r.model_dir = md;
    expect_error([&] { app::locate_models(r); },
                 {"the ic-lora pipeline needs", "IC-LoRA, needed by the ic-lora pipeline",
                  "give the IC-LoRA file with --ic-lora PATH"});
    write_file(dir.path / "canny.safetensors");
    r.explicit_paths.ic_lora = dir.path / "canny.safetensors";
    auto m = app::locate_models(r);
    EXPECT_EQ(m.ic_lora->path, dir.path / "canny.safetensors");
    EXPECT_EQ(m.checkpoint->path, md / kDistilled);

    write_file(dir.path / "demo-ic-lora.safetensors");
    r.default_ic_lora = dir.path / "demo-ic-lora.safetensors";
    r.default_ic_lora_origin = "the demo model";
    EXPECT_EQ(app::locate_models(r).ic_lora->origin, "--ic-lora");  // the option wins
    r.explicit_paths.ic_lora.reset();
    m = app::locate_models(r);
    EXPECT_EQ(m.ic_lora->path, dir.path / "demo-ic-lora.safetensors");
    EXPECT_EQ(m.ic_lora->origin, "the demo model");
    r.default_ic_lora = dir.path / "gone.safetensors";
    expect_error([&] { app::locate_models(r); },
                 {(dir.path / "gone.safetensors").string() + " (missing)", "give the IC-LoRA file with --ic-lora PATH"});
}

TEST(HfCache, RootFollowsHfHubCacheThenHfHomeThenHome) {
    EXPECT_EQ(app::hf_cache_root(env_of({{"HF_HUB_CACHE", "/a"}, {"HF_HOME", "/b"}, {"HOME", "/c"}})), "/a");
    EXPECT_EQ(app::hf_cache_root(env_of({{"HF_HUB_CACHE", ""}, {"HF_HOME", "/b"}, {"HOME", "/c"}})), "/b/hub");
    EXPECT_EQ(app::hf_cache_root(env_of({{"HOME", "/c"}})), "/c/.cache/huggingface/hub");
    EXPECT_EQ(app::hf_cache_root(env_of({{"XDG_CACHE_HOME", "/x"}, {"HOME", "/c"}})), "/x/huggingface/hub");
    expect_error([] { app::hf_cache_root(env_of({})); }, {"HF_HUB_CACHE, HF_HOME", "HOME is set"});
    EXPECT_EQ(app::hf_repo_folder("/h", "google/gemma-3-12b-it"), "/h/models--google--gemma-3-12b-it");
    expect_error([] { app::hf_repo_folder("/h", "LTX-2"); }, {"repository 'LTX-2'", "OWNER/NAME"});
}

TEST(ModelLocator, CacheFoundThroughHfHomeAndHome) {
    TempDir dir;
    for (const auto& [vars, cache] : std::vector<std::pair<std::map<std::string, std::string>, fs::path>>{
             {{{"HF_HOME", (dir.path / "hf").string()}}, dir.path / "hf" / "hub"},
             {{{"HOME", (dir.path / "home").string()}}, dir.path / "home" / ".cache" / "huggingface" / "hub"}}) {
        const fs::path snapshot = make_snapshot(cache, app::kLtxRepo, kMain, {kDev}, true);
        make_gemma(make_snapshot(cache, app::kGemmaRepo, kMain, {}, true));
        ModelLocateRequest r;
        r.pipeline = Pipeline::OneStage;
        r.env = env_of(vars);
        EXPECT_EQ(app::locate_models(r).checkpoint->path, snapshot / kDev);
    }
}


// The official LTX-2.3 fp8 checkpoints live in their own repository.
TEST(ModelLocator, Ltx23Fp8CheckpointsComeFromTheirRepository) {
    TempDir dir;
    const fs::path cache = dir.path / "cache";
    const fs::path fp8 = make_snapshot(cache, app::kLtx23Fp8Repo, kMain,
                                       {"ltx-2.3-22b-dev-fp8.safetensors", "ltx-2.3-22b-distilled-fp8.safetensors"}, true);
    make_gemma(make_snapshot(cache, app::kGemmaRepo, kMain, {}, true));
    auto r = request_for(Pipeline::OneStage, cache);
    EXPECT_EQ(app::locate_models(r).checkpoint->path, fp8 / "ltx-2.3-22b-dev-fp8.safetensors");
    r.pipeline = Pipeline::Distilled;
    r.precision = CheckpointPrecision::FP8;
    expect_error([&] { app::locate_models(r); },
                 {"spatial upsampler", "hf download Lightricks/LTX-2.3 ltx-2.3-spatial-upscaler-x2-1.1.safetensors"});
    make_snapshot(cache, app::kLtx23Repo, kMain, {"ltx-2.3-spatial-upscaler-x2-1.1.safetensors"}, true);
    EXPECT_EQ(app::locate_models(r).checkpoint->path, fp8 / "ltx-2.3-22b-distilled-fp8.safetensors");
    r.precision = CheckpointPrecision::BF16;
    expect_error([&] { app::locate_models(r); },
                 {"hf download Lightricks/LTX-2.3 ltx-2.3-22b-distilled-1.1.safetensors"});
    r.precision = CheckpointPrecision::FP8;
    fs::remove_all(app::hf_repo_folder(cache, app::kLtx23Fp8Repo));
    expect_error([&] { app::locate_models(r); },
                 {"hf download Lightricks/LTX-2.3-fp8 ltx-2.3-22b-distilled-1.1-fp8.safetensors"});
}

// A split bundle given part by part needs no checkpoint; the other files follow its release.
TEST(ModelLocator, ABundleOfPartsNeedsNoCheckpoint) {
    TempDir dir;
    const fs::path md = dir.path / "models";
    write_file(md / kUpsampler);
    write_file(md / "ltx-2.3-spatial-upscaler-x2-1.1.safetensors");
    make_gemma(md / "gemma");
    auto r = request_for(Pipeline::Distilled, dir.path / "cache");
    r.model_dir = md;
    r.explicit_paths.transformer = std::string(LTX2_GOLDEN_DIR) + "/ltx23/transformer/av_tiny.model.safetensors";
    r.explicit_paths.text_projection = r.explicit_paths.video_vae = r.explicit_paths.audio_vae = md / "parts";
    const app::LocatedModels m = app::locate_models(r);
    EXPECT_FALSE(m.checkpoint.has_value());
    EXPECT_EQ(m.spatial_upsampler->path, md / "ltx-2.3-spatial-upscaler-x2-1.1.safetensors");
    // Without the fourth part the checkpoint is still needed.
    r.explicit_paths.audio_vae.reset();
    expect_error([&] { app::locate_models(r); }, {"distilled checkpoint", "--checkpoint"});
}

}  // namespace
}  // namespace ltx2
