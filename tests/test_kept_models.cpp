// Models kept loaded between generations (ModelCache), and generations run one after another in
// one process (as `ltx2 serve` runs its jobs): each gives what a fresh process gives.
#include <gtest/gtest.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>

#include "app/demo_model.h"
#include "app/generate.h"
#include "app/generation_options.h"
#include "io/weight_store.h"
#include "pipelines/model_cache.h"
#include "test_util.h"

namespace fs = std::filesystem;
using ltx2::ModelCache;
using ltx2::test::TempDir;

namespace {

struct Blob {
    int id = 0;
};

// An estimate of `bytes`.
auto size_of(size_t bytes) {
    return [bytes] { return bytes; };
}

auto make_blob(int id, int& loads) {
    return [id, &loads] {
        ++loads;
        return std::make_shared<const Blob>(Blob{id});
    };
}

}  // namespace

TEST(ModelCache, KeepsModelsAndDropsTheLeastRecentlyUsedToMakeRoom) {
    ModelCache cache(100);
    int loads = 0;
    const auto a = cache.get<Blob>("a", size_of(40), make_blob(1, loads));
    const auto b = cache.get<Blob>("b", size_of(40), make_blob(2, loads));
    EXPECT_EQ(loads, 2);
    EXPECT_EQ(cache.get<Blob>("a", size_of(40), make_blob(9, loads)), a);  // kept: the same object
    EXPECT_EQ(loads, 2);
    // c does not fit next to a and b: b, used longest ago, goes.
    const auto c = cache.get<Blob>("c", size_of(40), make_blob(3, loads));
    EXPECT_EQ(loads, 3);
    EXPECT_TRUE(cache.holds("a"));
    EXPECT_FALSE(cache.holds("b"));
    EXPECT_TRUE(cache.holds("c"));
    const ModelCache::Stats s = cache.stats();
    EXPECT_EQ(s.hits, 1u);
    EXPECT_EQ(s.loads, 3u);
    EXPECT_EQ(s.evictions, 1u);
    EXPECT_EQ(s.held_bytes, 80u);
    EXPECT_EQ(s.held, (std::vector<std::string>{"c", "a"}));
    // A user of a dropped model still has it.
    EXPECT_EQ(b->id, 2);
}

TEST(ModelCache, AModelLargerThanTheCapacityIsHandedOutButNotKept) {
    ModelCache cache(100);
    int loads = 0;
    (void)cache.get<Blob>("small", size_of(30), make_blob(1, loads));
    const auto big = cache.get<Blob>("big", size_of(101), make_blob(2, loads));
    EXPECT_EQ(big->id, 2);
    EXPECT_FALSE(cache.holds("big"));
    // Room was made for it first: nothing else is held beside a model that needs everything.
    EXPECT_FALSE(cache.holds("small"));
    (void)cache.get<Blob>("big", size_of(101), make_blob(3, loads));
    EXPECT_EQ(loads, 3);
}

TEST(ModelCache, CapacityZeroKeepsNothing) {
    ModelCache cache(0);
    int loads = 0;
    std::weak_ptr<const Blob> first;
    {
        const auto a = cache.get<Blob>("a", size_of(1), make_blob(1, loads));
        first = a;
    }
    EXPECT_TRUE(first.expired());  // freed with its last user, as without a cache
    (void)cache.get<Blob>("a", size_of(1), make_blob(1, loads));
    EXPECT_EQ(loads, 2);
    EXPECT_EQ(cache.stats().hits, 0u);
    EXPECT_EQ(ltx2::load_through<Blob>(nullptr, "a", size_of(1), make_blob(4, loads))->id, 4);
}

TEST(ModelCache, MakeRoomAndClearDropKeptModels) {
    ModelCache cache(100);
    int loads = 0;
    (void)cache.get<Blob>("a", size_of(50), make_blob(1, loads));
    (void)cache.get<Blob>("b", size_of(50), make_blob(2, loads));
    cache.make_room(10);
    EXPECT_FALSE(cache.holds("a"));
    EXPECT_TRUE(cache.holds("b"));
    cache.clear();
    EXPECT_EQ(cache.stats().held_bytes, 0u);
    EXPECT_TRUE(cache.stats().held.empty());
}

TEST(ModelCache, FilesIdentityChangesWhenAFileIsRewritten) {
    TempDir dir("ltx2-kept");
    const std::string file = dir.file("model.safetensors");
    std::ofstream(file) << "one";
    const std::string before = ltx2::files_identity({file});
    const std::string folder_before = ltx2::files_identity({dir.path.string()});
    EXPECT_NE(before.find(file), std::string::npos);
    std::ofstream(file) << "three";  // another size
    EXPECT_NE(ltx2::files_identity({file}), before);
    EXPECT_NE(ltx2::files_identity({dir.path.string()}), folder_before);
    EXPECT_EQ(ltx2::files_identity({file, ""}), ltx2::files_identity({file}));
}

TEST(ModelCache, HeldBytesEstimateCountsTheStoredTensorsAndTheirF32Widening) {
    const std::string upsampler =
        ltx2::ensure_demo_model(std::string(LTX2_TEST_DEMO_DIR) + "-2.3", ltx2::DemoRelease::Ltx23) +
        "/ltx-2.3-spatial-upscaler-x2-1.1.safetensors";
    const ltx2::WeightStore store = ltx2::WeightStore::open(upsampler, "");
    size_t stored = 0;
    for (const std::string& name : store.names()) stored += store.get(name).nbytes();
    EXPECT_EQ(ltx2::held_bytes_estimate(store, ""), stored);
    EXPECT_EQ(ltx2::held_bytes_estimate(store, "", ltx2::Precision::F32), 2 * stored);
    EXPECT_LT(ltx2::held_bytes_estimate(store, "res_blocks."), stored);
}

namespace {

std::string read_bytes(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

// A demo generation as `ltx2 --demo ARGS -o OUT` asks for it.
ltx2::GenerateRequest demo_request(const std::vector<std::string>& args, const std::string& frames_dir,
                                   const std::string& mp4) {
    CLI::App app;
    ltx2::GenerationCli cli;
    ltx2::add_generation_options(app, cli);
    std::vector<std::string> argv = args;
    argv.insert(argv.end(), {"--frames-dir", frames_dir, "-o", mp4, "--progress", "none"});
    std::reverse(argv.begin(), argv.end());  // CLI11 takes them last first
    app.parse(argv);
    ltx2::GenerateRequest r = ltx2::build_generation_request(app, cli, true);
    ltx2::apply_model_options(app, cli, r);
    return r;
}

std::vector<std::string> frames_of(const fs::path& dir) {
    std::vector<fs::path> files(fs::directory_iterator(dir), {});
    std::sort(files.begin(), files.end());
    std::vector<std::string> out;
    for (const fs::path& f : files) out.push_back(read_bytes(f));
    return out;
}

// The demo generation three times in this process: without kept models, then twice with them.
void expect_repeatable(const std::vector<std::string>& args) {
    TempDir dir("ltx2-kept");
    setenv("LTX2_DEMO_DIR", LTX2_TEST_DEMO_DIR, 1);
    ltx2::ProgressReporter quiet(ltx2::ProgressStyle::Quiet);
    const ltx2::CancellationToken never;
    ModelCache kept(size_t(1) << 32);
    std::vector<std::vector<std::string>> runs;
    std::vector<std::string> videos;
    for (int run = 0; run < 3; ++run) {
        const std::string frames = dir.file("run" + std::to_string(run));
        const std::string mp4 = frames + ".mp4";
        (void)ltx2::generate(demo_request(args, frames, mp4), quiet, never, run == 0 ? nullptr : &kept);
        runs.push_back(frames_of(frames));
        videos.push_back(read_bytes(mp4));
    }
    ASSERT_EQ(runs[0].size(), 17u);
    EXPECT_GT(kept.stats().hits, 0u);
    for (int run = 1; run < 3; ++run) EXPECT_TRUE(videos[run] == videos[0]) << "run " << run << " MP4";
    for (int run = 1; run < 3; ++run)
        for (size_t f = 0; f < runs[0].size(); ++f) EXPECT_TRUE(runs[run][f] == runs[0][f]) << "run " << run << " frame " << f;
}

}  // namespace

TEST(KeptModels, RepeatedDistilledGenerationsInOneProcessAreIdentical) {
    expect_repeatable({"--demo", "-p", "a paper boat on a puddle", "-W", "192", "-H", "128", "-f", "17", "--seed", "42"});
}

