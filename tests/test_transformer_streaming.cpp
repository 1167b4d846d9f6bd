// Block streaming: a transformer whose weights exceed its budget materializes one block at a
// time (views of the mapping; GGUF blocks decoded into a reused arena) and gives the same
// numbers as the resident model, bit for bit.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "io/safetensors.h"
#include "io/weight_store.h"
#include "models/transformer/model.h"
#include "test_util.h"

namespace ltx2 {
namespace {

using test::expect_error;

const std::string kGolden = std::string(LTX2_GOLDEN_DIR) + "/transformer/";
const std::string kPrefix = "model.diffusion_model.";

struct Inputs {
    Modality video, audio;
};

Inputs fixture_inputs() {
    auto io = SafetensorsFile::open(kGolden + "av_tiny_ctxmask.io.safetensors");
    auto modality = [&](const std::string& s) {
        Modality m;
        m.latent = io->tensor("in." + s + "_latent");
        m.timesteps = io->tensor("in." + s + "_timesteps");
        m.positions = io->tensor("in." + s + "_positions");
        m.context = io->tensor("in." + s + "_context");
        m.context_mask = io->tensor("in." + s + "_context_mask");
        return m;
    };
    return {modality("video"), modality("audio")};
}

void expect_same_outputs(const LTXModel& resident, const LTXModel& streamed) {
    const Inputs in = fixture_inputs();
    const AVTensors a = resident.forward(&in.video, &in.audio);
    const AVTensors b = streamed.forward(&in.video, &in.audio);
    EXPECT_EQ(a.video.to_vector(), b.video.to_vector());
    EXPECT_EQ(a.audio.to_vector(), b.audio.to_vector());

    const TextContextCache ca = resident.prepare_text(&in.video, &in.audio);
    const TextContextCache cb = streamed.prepare_text(&in.video, &in.audio);
    ASSERT_EQ(cb.video.blocks.size(), ca.video.blocks.size());
    const AVTensors cached = streamed.forward(&in.video, &in.audio, {}, &cb);
    EXPECT_EQ(a.video.to_vector(), cached.video.to_vector());
    EXPECT_EQ(a.audio.to_vector(), cached.audio.to_vector());
}

std::string quantized_copy(const test::TempDir& dir, const std::string& type) {
    const std::string out = dir.file(type + ".gguf");
    const auto r = test::run_command(fmt::format("'{}' '{}' '{}' --type {}", LTX2_QUANTIZE_BIN,
                                                 kGolden + "av_tiny_bf16.model.safetensors", out, type));
    EXPECT_EQ(r.exit_code, 0) << r.output;
    return out;
}

TEST(TransformerStreaming, MappedBf16BlocksStreamWithTheSameResults) {
    const WeightStore store = WeightStore::open(kGolden + "av_tiny_bf16.model.safetensors", kPrefix);
    const LTXModel resident = LTXModel::load(store);
    EXPECT_FALSE(resident.streams_blocks());
    EXPECT_EQ(resident.weights().blocks.size(), 2u);

    std::vector<int> seen;
    TransformerLoadOptions options;
    options.weight_budget_bytes = 1;
    options.on_block = [&](const BlockEvent& e) {
        EXPECT_EQ(e.num_blocks, 2);
        EXPECT_GE(e.compute_seconds, 0.0);
        seen.push_back(e.block);
    };
    const LTXModel streamed = LTXModel::load(store, options);
    EXPECT_TRUE(streamed.streams_blocks());
    EXPECT_TRUE(streamed.releases_blocks()) << "nothing fits a 1-byte budget";
    EXPECT_TRUE(streamed.weights().blocks.empty());
    EXPECT_EQ(streamed.weights().tensor_count, resident.weights().tensor_count) << "every block tensor is checked";
    expect_same_outputs(resident, streamed);
    EXPECT_EQ(seen, (std::vector<int>{0, 1, 0, 1})) << "two forwards, blocks in order";

    options.weight_budget_bytes = size_t(1) << 40;
    EXPECT_FALSE(LTXModel::load(store, options).streams_blocks()) << "a model within its budget stays resident";
}

TEST(TransformerStreaming, QuantizedBlocksDecodeIntoTheArenaWithTheSameResults) {
    test::TempDir dir("ltx2-stream");
    const std::string path = quantized_copy(dir, "q4_k");
    const WeightStore store = WeightStore::open(path, kPrefix);
    const LTXModel resident = LTXModel::load(store);

    const size_t stored = store.stored_bytes("transformer_blocks.");
    const size_t block_copy = store.decoded_bytes("transformer_blocks.0.");
    ASSERT_GT(block_copy, 0u);
    ASSERT_LT(block_copy, store.decoded_bytes("transformer_blocks."));
    TransformerLoadOptions options;
    options.weight_budget_bytes = stored + block_copy;  // the file fits, its decoded copy does not
    const LTXModel streamed = LTXModel::load(store, options);
    EXPECT_TRUE(streamed.streams_blocks());
    EXPECT_FALSE(streamed.releases_blocks()) << "the quantized bytes fit: they stay mapped between steps";
    expect_same_outputs(resident, streamed);

    options.weight_budget_bytes = 1;
    const LTXModel released = LTXModel::load(store, options);
    EXPECT_TRUE(released.releases_blocks());
    expect_same_outputs(resident, released);
}

TEST(TransformerStreaming, StreamedLoadStillChecksEveryBlockTensor) {
    test::TempDir dir("ltx2-stream");
    auto f = SafetensorsFile::open(kGolden + "av_tiny_bf16.model.safetensors");
    std::vector<std::pair<std::string, Tensor>> tensors;
    for (const auto& e : f->entries())
        if (e.name != kPrefix + "transformer_blocks.1.audio_ff.net.2.weight") tensors.emplace_back(e.name, f->tensor(e.name));
    const std::string path = dir.file("missing.safetensors");
    write_safetensors(path, tensors, {{"config", *f->metadata_value("config")}});
    TransformerLoadOptions options;
    options.weight_budget_bytes = 1;
    expect_error([&] { LTXModel::load(WeightStore::open(path, kPrefix), options); },
                 {path, "transformer_blocks.1.audio_ff.net.2.weight", "missing"});
}

}  // namespace
}  // namespace ltx2
