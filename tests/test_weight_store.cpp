#include "test_util.h"
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/error.h"
#include "io/safetensors.h"
#include "io/weight_store.h"
#include "models/transformer/model.h"

namespace fs = std::filesystem;
using namespace ltx2;
using ltx2::test::TempDir;
using ltx2::test::expect_error;

namespace {

const std::string kPrefix = "model.diffusion_model.";


void write_text(const std::string& path, const std::string& text) { std::ofstream(path) << text; }


Tensor iota(const Shape& shape) {
    Tensor t = Tensor::zeros(shape);
    for (int64_t i = 0; i < t.numel(); ++i) t.f32()[i] = float(i);
    return t;
}

// A full checkpoint: transformer keys under the prefix, plus a VAE key outside it.
std::string write_full_checkpoint(const TempDir& dir) {
    const std::string path = dir.file("full.safetensors");
    write_safetensors(path,
                      {{kPrefix + "blocks.0.w", iota({4, 8})},
                       {kPrefix + "blocks.0.b", iota({8}).to(DType::BF16)},
                       {kPrefix + "blocks.1.weight", iota({4, 8}).to(DType::F8_E4M3)},
                       {kPrefix + "blocks.1.weight_scale", Tensor::from_f32({}, {0.5f})},
                       {kPrefix + "blocks.1.input_scale", Tensor::from_f32({}, {3.0f})},
                       {kPrefix + "ids", Tensor::zeros({3}, DType::I64)},
                       {"vae.decoder.w", iota({2})}},
                      {{"config", R"({"num_layers": 2, "name": "full"})"}});
    return path;
}

}  // namespace

TEST(WeightStore, PrefixIsAddedWhenTheFileHasIt) {
    TempDir dir("ltx2-ws");
    const std::string path = write_full_checkpoint(dir);
    auto store = WeightStore::open(path, kPrefix);
    EXPECT_EQ(store.names(), (std::vector<std::string>{"blocks.0.b", "blocks.0.w", "blocks.1.input_scale", "blocks.1.weight", "blocks.1.weight_scale", "ids"}));
    EXPECT_TRUE(store.has("blocks.0.w"));
    EXPECT_FALSE(store.has("vae.decoder.w")) << "keys outside the prefix belong to other components";
    EXPECT_FALSE(store.has(kPrefix + "blocks.0.w")) << "names are given without the prefix";
    Tensor w = store.get("blocks.0.w", {4, 8});
    EXPECT_EQ(w.at({1, 2}), 10.0);
    EXPECT_EQ(store.get("blocks.0.b", {8}).dtype(), DType::BF16);
    Tensor fp8 = store.get("blocks.1.weight", {4, 8});
    EXPECT_EQ(fp8.dtype(), DType::BF16) << "float8 weights are decoded with their scale";
    EXPECT_EQ(fp8.at({1, 2}), 5.0) << "e4m3(10) * weight_scale 0.5";
    EXPECT_EQ(fp8.at({3, 6}), 15.0);
    EXPECT_EQ(store.describe(), path);
}

TEST(WeightStore, PlainKeysAreUsedWhenTheFileHasNoPrefixedKey) {
    TempDir dir("ltx2-ws");
    const std::string path = dir.file("transformer_only.safetensors");
    write_safetensors(path, {{"blocks.0.w", iota({4, 8})}, {"blocks.0.b", iota({8})}});
    auto store = WeightStore::open(path, kPrefix);
    EXPECT_EQ(store.names(), (std::vector<std::string>{"blocks.0.b", "blocks.0.w"}));
    EXPECT_EQ(store.get("blocks.0.b", {8}).at({7}), 7.0);
    expect_error([&] { store.get("blocks.9.w"); },
                 {path + ": tensor 'blocks.9.w' is missing", "no keys under prefix '" + kPrefix + "'"});
}

TEST(WeightStore, NoPrefixMeansEveryKey) {
    TempDir dir("ltx2-ws");
    const std::string path = write_full_checkpoint(dir);
    auto store = WeightStore::open(path);
    EXPECT_EQ(store.names().size(), 7u);
    EXPECT_TRUE(store.has("vae.decoder.w"));
    EXPECT_TRUE(store.has(kPrefix + "blocks.0.w"));
    expect_error([&] { store.get("nope"); }, {path + ": tensor 'nope' is missing"});
}

TEST(WeightStore, MissingTensorMessageNamesFileKeyAndPrefix) {
    TempDir dir("ltx2-ws");
    const std::string path = write_full_checkpoint(dir);
    auto store = WeightStore::open(path, kPrefix);
    expect_error([&] { store.get("blocks.7.w", {4, 8}); },
                 {path + ": tensor 'model.diffusion_model.blocks.7.w' is missing (looked for it under prefix "
                         "'model.diffusion_model.')"});
    EXPECT_FALSE(store.get_optional("blocks.7.w", {4, 8}).defined());
}

TEST(WeightStore, WrongShapeMessageIsExact) {
    TempDir dir("ltx2-ws");
    const std::string path = write_full_checkpoint(dir);
    auto store = WeightStore::open(path, kPrefix);
    try {
        store.get("blocks.0.w", {4, 9});
        FAIL() << "expected an error";
    } catch (const Error& e) {
        EXPECT_EQ(std::string(e.what()),
                  path + ": tensor 'model.diffusion_model.blocks.0.w' has shape (4, 8), expected (4, 9)");
    }
    expect_error([&] { store.get_optional("blocks.0.b", {9}); }, {"'model.diffusion_model.blocks.0.b' has shape (8,)"});
    expect_error([&] { store.get("blocks.0.w", {32}); }, {"expected (32,)"});
}

TEST(WeightStore, NonFloatDtypeIsRejected) {
    TempDir dir("ltx2-ws");
    const std::string path = write_full_checkpoint(dir);
    auto store = WeightStore::open(path, kPrefix);
    expect_error([&] { store.get("ids", {3}); },
                 {path, "tensor 'model.diffusion_model.ids'", "dtype I64", "expected a floating type"});
    EXPECT_EQ(store.get("ids").dtype(), DType::I64) << "the unchecked get hands out any dtype";
}

TEST(WeightStore, UnusedNamesListsWhatWasNeverRequested) {
    TempDir dir("ltx2-ws");
    auto store = WeightStore::open(write_full_checkpoint(dir), kPrefix);
    EXPECT_EQ(store.unused_names().size(), 6u);
    store.get("blocks.0.w", {4, 8});
    store.get_optional("blocks.1.weight", {4, 8});  // also uses its weight_scale and input_scale
    store.get_optional("absent", {1});
    EXPECT_TRUE(store.has("blocks.0.b"));  // has() is not a use
    auto copy = store;                     // copies share the record
    copy.get("ids");
    EXPECT_EQ(store.unused_names(), (std::vector<std::string>{"blocks.0.b"}));
}

TEST(WeightStore, ConfigIsParsedFromMetadata) {
    TempDir dir("ltx2-ws");
    auto store = WeightStore::open(write_full_checkpoint(dir), kPrefix);
    nlohmann::json config = store.config();
    EXPECT_EQ(config["num_layers"].get<int>(), 2);
    EXPECT_EQ(config["name"].get<std::string>(), "full");

    const std::string no_config = dir.file("noconfig.safetensors");
    write_safetensors(no_config, {{"x", iota({1})}});
    expect_error([&] { WeightStore::open(no_config).config(); }, {no_config, "no 'config'"});

    const std::string bad_config = dir.file("badconfig.safetensors");
    write_safetensors(bad_config, {{"x", iota({1})}}, {{"config", "{not json"}});
    expect_error([&] { WeightStore::open(bad_config).config(); }, {bad_config, "'config' is not valid JSON"});
}

TEST(WeightStore, PrefetchAndReleaseAcceptAnyPrefix) {
    TempDir dir("ltx2-ws");
    auto store = WeightStore::open(write_full_checkpoint(dir), kPrefix);
    store.prefetch("blocks.0.");
    store.release("blocks.0.");
    store.prefetch("");
    store.release("nothing.matches.");
    EXPECT_EQ(store.get("blocks.0.w", {4, 8}).at({3, 7}), 31.0) << "data readable again after release";
}

namespace {

// Two shards plus index; returns the index path.
std::string write_sharded(const TempDir& dir, const std::string& weight_map_json) {
    write_safetensors(dir.file("model-00001-of-00002.safetensors"),
                      {{kPrefix + "a.w", iota({2, 2})}, {kPrefix + "a.b", iota({2})}},
                      {{"config", R"({"shards": 2})"}});
    write_safetensors(dir.file("model-00002-of-00002.safetensors"),
                      {{kPrefix + "b.w", iota({3})}, {"text.w", iota({1})}});
    const std::string index = dir.file("model.safetensors.index.json");
    write_text(index, R"({"metadata": {"total_size": 40}, "weight_map": )" + weight_map_json + "}");
    return index;
}

const std::string kGoodWeightMap = R"({
    "model.diffusion_model.a.w": "model-00001-of-00002.safetensors",
    "model.diffusion_model.a.b": "model-00001-of-00002.safetensors",
    "model.diffusion_model.b.w": "model-00002-of-00002.safetensors",
    "text.w": "model-00002-of-00002.safetensors"})";

}  // namespace

TEST(WeightStore, ShardedIndexResolvesAcrossShards) {
    TempDir dir("ltx2-ws");
    const std::string index = write_sharded(dir, kGoodWeightMap);
    auto store = WeightStore::open(index, kPrefix);
    EXPECT_EQ(store.names(), (std::vector<std::string>{"a.b", "a.w", "b.w"}));
    EXPECT_EQ(store.get("a.w", {2, 2}).at({1, 1}), 3.0);
    EXPECT_EQ(store.get("b.w", {3}).at({2}), 2.0);
    EXPECT_NE(store.describe().find(index), std::string::npos);
    EXPECT_EQ(store.config()["shards"].get<int>(), 2);
    expect_error([&] { store.get("b.w", {4}); }, {"model-00002-of-00002.safetensors", "has shape (3,), expected (4,)"});
    expect_error([&] { store.get("c.w"); }, {index, "'model.diffusion_model.c.w' is missing"});
    EXPECT_EQ(store.unused_names(), (std::vector<std::string>{"a.b"}));
}

TEST(WeightStore, ShardedIndexWithMissingShardNamesIndexShardAndTensor) {
    TempDir dir("ltx2-ws");
    const std::string index = write_sharded(dir, R"({
        "model.diffusion_model.a.w": "model-00001-of-00002.safetensors",
        "model.diffusion_model.z.w": "model-00003-of-00002.safetensors"})");
    expect_error([&] { WeightStore::open(index, kPrefix); },
                 {index, "shard 'model-00003-of-00002.safetensors'", "tensor 'model.diffusion_model.z.w'",
                  "does not exist"});
}

TEST(WeightStore, ShardedIndexWithTensorNotInItsShard) {
    TempDir dir("ltx2-ws");
    const std::string index = write_sharded(dir, R"({
        "model.diffusion_model.a.w": "model-00002-of-00002.safetensors"})");
    expect_error([&] { WeightStore::open(index, kPrefix); },
                 {index, "tensor 'model.diffusion_model.a.w'", "shard 'model-00002-of-00002.safetensors'",
                  "does not hold it"});
}

TEST(WeightStore, MalformedIndexIsRejected) {
    TempDir dir("ltx2-ws");
    const std::string index = dir.file("broken.safetensors.index.json");
    write_text(index, "{\"weight_map\": [");
    expect_error([&] { WeightStore::open(index); }, {index, "not valid JSON"});
    write_text(index, R"({"metadata": {}})");
    expect_error([&] { WeightStore::open(index); }, {index, "'weight_map'"});
    write_text(index, R"({"weight_map": {"x": 3}})");
    expect_error([&] { WeightStore::open(index); }, {index, "tensor 'x'", "shard file name"});
    expect_error([&] { WeightStore::open(dir.file("absent.safetensors.index.json")); }, {"absent", "cannot open"});
}

TEST(WeightStore, SyntheticStoreCreatesExactlyWhatTheLoaderRequests) {
    // Loading a model from a synthetic store reproduces the model file's layout: same names,
    // same shapes, nothing more.
    const std::string model = std::string(LTX2_GOLDEN_DIR) + "/transformer/av_tiny.model.safetensors";
    const ltx2::WeightStore file = ltx2::WeightStore::open(model, "model.diffusion_model.");
    int made = 0;
    const ltx2::WeightStore synthetic =
        ltx2::WeightStore::synthetic(file.config(), [&](const std::string& name, const ltx2::Shape& shape) {
            if (shape.empty())  // asked for without a shape: the maker knows only this buffer's size
                return name == "buffer.filter" ? ltx2::Tensor::zeros({1, 1, 12}, ltx2::DType::BF16) : ltx2::Tensor();
            ++made;
            return ltx2::Tensor::zeros(shape, ltx2::DType::BF16);
        });
    (void)ltx2::LTXModel::load(synthetic);
    const auto tensors = synthetic.synthesized();
    ASSERT_EQ(tensors.size(), size_t(made));
    std::vector<std::string> expected;
    for (const auto& name : file.names())
        if (name.find("embeddings_connector") == std::string::npos) expected.push_back(name);
    std::vector<std::string> got;
    for (const auto& [name, t] : tensors) {
        got.push_back(name);
        EXPECT_EQ(t.shape(), file.get(name).shape()) << name;
    }
    EXPECT_EQ(got, expected);
    EXPECT_TRUE(synthetic.has(got.front()));
    EXPECT_FALSE(synthetic.has("no.such.tensor"));
    EXPECT_EQ(synthetic.config(), file.config());
    ltx2::test::expect_error([&] { (void)synthetic.get("no.such.tensor"); },
                             {"<synthetic weights>", "no.such.tensor", "without a shape"});
    EXPECT_EQ(synthetic.get("buffer.filter").shape(), (ltx2::Shape{1, 1, 12}));
    EXPECT_TRUE(synthetic.has("buffer.filter"));
    ltx2::test::expect_error([&] { (void)synthetic.get(got.front(), ltx2::Shape{3}); },
                             {"<synthetic weights>", got.front(), "now requested as (3,)"});
    ltx2::test::expect_error([&] { (void)file.synthesized(); }, {"not a synthetic weight store"});
}

TEST(WeightStore, Float8WithoutScaleIsRefusedNamingTheScale) {
    TempDir dir("ltx2-ws");
    const std::string path = dir.file("fp8.safetensors");
    write_safetensors(path, {{"proj.weight", iota({2, 4}).to(DType::F8_E4M3)}, {"norm", iota({4}).to(DType::F8_E5M2)}});
    auto store = WeightStore::open(path);
    expect_error([&] { store.get("proj.weight", {2, 4}); },
                 {path, "'proj.weight' is stored as F8_E4M3", "no scale 'proj.weight_scale'"});
    expect_error([&] { store.get("norm", {4}); }, {path, "'norm' is stored as F8_E5M2", "'.weight_scale'"});
}

TEST(WeightStore, DecodedWeightsGoIntoTheArenaWhichIsReusedPerLayer) {
    TempDir dir("ltx2-ws");
    const std::string path = dir.file("fp8.safetensors");
    Tensor codes = iota({64, 64});
    for (int64_t i = 0; i < codes.numel(); ++i) codes.f32()[i] = float(i % 256);  // within float8_e4m3fn (max 448)
    write_safetensors(path, {{"a.weight", codes.to(DType::F8_E4M3)},
                             {"a.weight_scale", Tensor::from_f32({}, {2.0f})},
                             {"b", iota({8})}});
    auto store = WeightStore::open(path);
    EXPECT_TRUE(store.decodes("a.weight"));
    EXPECT_FALSE(store.decodes("b"));
    EXPECT_EQ(store.stored_bytes("a."), 64u * 64u + 4u);
    EXPECT_EQ(store.decoded_bytes(""), 64u * 64u * 2u);
    WeightArena arena;
    const void* first = nullptr;
    {
        Tensor a = store.get("a.weight", {64, 64}, &arena);
        EXPECT_EQ(a.at({0, 3}), 6.0);
        first = a.raw();
        EXPECT_THROW(arena.reset(), Error) << "a tensor of the layer is still alive";
    }
    arena.reset();
    Tensor again = store.get("a.weight", {64, 64}, &arena);
    EXPECT_EQ(again.raw(), first) << "the next layer reuses the same memory";
    EXPECT_EQ(store.get("b", {8}, &arena).raw(), store.get("b", {8}).raw()) << "stored floats stay views";
}

TEST(WeightStore, MappedNamesServeForeignKeys) {
    TempDir dir("ltx2-ws");
    const std::string path = dir.file("foreign.safetensors");
    write_safetensors(path, {{"blk.0.q", iota({2})}, {"blk.1.q", iota({3})}, {"junk", iota({1})}});
    auto store = WeightStore::open_mapped(path, [](const std::string& key) {
        return key.starts_with("blk.") ? "layers." + key.substr(4) : std::string();
    });
    EXPECT_EQ(store.names(), (std::vector<std::string>{"layers.0.q", "layers.1.q"}));
    EXPECT_EQ(store.get("layers.1.q", {3}).at({2}), 2.0);
    expect_error([&] { WeightStore::open_mapped(path, [](const std::string&) { return std::string("same"); }); },
                 {path, "both map to 'same'"});
}

TEST(WeightStore, NonFiniteWeightIsRefusedOnLoadNamingFileTensorAndElement) {
    TempDir dir;
    const std::string path = dir.file("bad.safetensors");
    Tensor nan_bf16 = iota({3, 4});
    nan_bf16.f32()[1 * 4 + 2] = std::numeric_limits<float>::quiet_NaN();
    Tensor inf_f16 = iota({5});
    inf_f16.f32()[4] = -std::numeric_limits<float>::infinity();
    Tensor inf_f32 = iota({2, 2});
    inf_f32.f32()[1] = std::numeric_limits<float>::infinity();
    write_safetensors(path, {{"a", nan_bf16.to(DType::BF16)},
                             {"b", inf_f16.to(DType::F16)},
                             {"c", inf_f32},
                             {"fine", iota({2, 3}).to(DType::BF16)}});
    const WeightStore store = WeightStore::open(path);
    expect_error([&] { store.get("a", {3, 4}); }, {path, "tensor 'a'", "NaN at [1, 2]", "element 6 of shape (3, 4)"});
    expect_error([&] { store.get("a"); }, {path, "NaN at [1, 2]"});  // refused every time, not only the first
    expect_error([&] { store.get("b"); }, {path, "tensor 'b'", "-Inf at [4]"});
    expect_error([&] { store.get("c", {2, 2}); }, {path, "tensor 'c'", "+Inf at [0, 1]"});
    EXPECT_EQ(store.get("fine", {2, 3}).to_vector(), iota({2, 3}).to_vector());
}

TEST(WeightStore, NonFiniteFloat8ScaleProductIsRefusedOnLoad) {
    TempDir dir;
    const std::string path = dir.file("fp8.safetensors");
    // Finite float8 codes times a huge scale overflow the BF16 they are decoded to.
    write_safetensors(path, {{"proj.weight", iota({2, 4}).to(DType::F8_E4M3)},
                             {"proj.weight_scale", Tensor::from_f32({}, {3.0e38f})}});
    const WeightStore store = WeightStore::open(path);
    expect_error([&] { store.get("proj.weight", {2, 4}); }, {path, "tensor 'proj.weight'", "Inf at [0, 2]"});
}
