// LoRA fusion: golden parity of the lora.fuse fixture (through the parity kind), validation
// errors, and the WeightStore integration (fused weights reach LTXModel::load; untouched
// weights stay zero-copy views of the checkpoint).
#include "test_util.h"
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <set>
#include <limits>
#include <string>
#include <vector>

#include "core/error.h"
#include "io/safetensors.h"
#include "io/weight_store.h"
#include "lora/lora.h"
#include "models/transformer/model.h"
#include "parity/kinds.h"
#include "parity/parity.h"

using namespace ltx2;
using ltx2::test::TempDir;
using ltx2::test::expect_error;

namespace {

const std::string kGolden = LTX2_GOLDEN_DIR;
const std::string kDir = kGolden + "/lora/";
const std::string kModel = kDir + "lora_fuse.model.safetensors";
const std::string kPrefix = "model.diffusion_model.";

std::vector<LoraWithStrength> fixture_loras() {
    return {{LoraFile::open(kDir + "lora_fuse.lora0.safetensors"), 0.8},
            {LoraFile::open(kDir + "lora_fuse.lora1.safetensors"), 0.5}};
}

const std::set<std::string> kTouched = {
    "audio_caption_projection.linear_1.weight",
    "patchify_proj.weight",
    "transformer_blocks.0.attn1.to_k.weight",
    "transformer_blocks.0.attn1.to_out.0.weight",
    "transformer_blocks.0.attn1.to_q.weight",
    "transformer_blocks.0.attn1.to_v.weight",
    "transformer_blocks.0.ff.net.0.proj.weight",
    "transformer_blocks.0.ff.net.2.weight",
    "transformer_blocks.1.audio_attn2.to_k.weight",
    "transformer_blocks.1.audio_ff.net.2.weight",
    "transformer_blocks.1.video_to_audio_attn.to_v.weight",
};

Tensor bf16_filled(const Shape& shape, float value) {
    Tensor t = Tensor::zeros(shape, DType::BF16);
    uint16_t* p = t.bf16();
    for (int64_t i = 0; i < t.numel(); ++i) p[i] = f32_to_bf16(value * float(1 + i % 7));
    return t;
}

bool same_bytes(const Tensor& a, const Tensor& b) {
    return a.dtype() == b.dtype() && a.shape() == b.shape() && std::memcmp(a.raw(), b.raw(), a.nbytes()) == 0;
}

}  // namespace

TEST(LoraParity, FixtureAllChecksPass) {
    ParityRun run(kDir + "lora_fuse.io.safetensors", std::nullopt, "");
    EXPECT_EQ(run.kind(), "lora.fuse");
    parity_lora_fuse(run);
    size_t out = 0, dbg = 0;
    for (const auto& c : run.checks()) {
        EXPECT_TRUE(c.pass) << c.name << " rel_err " << c.rel_err << " > tol " << c.tolerance;
        out += c.name.rfind("out.", 0) == 0;
        dbg += c.name.rfind("dbg.", 0) == 0;
    }
    EXPECT_TRUE(run.all_passed());
    EXPECT_GE(out, 28u);  // 11 touched + 3 untouched, for bf16 and f32
    EXPECT_GE(dbg, 11u);  // one summed delta per touched key
}

TEST(LoraParity, DeltasAreCorrectlyRoundedBf16) {
    // delta = bf16(Σ bf16(B·bf16(s)) · A) recomputed here in double: the products are exact, so
    // float32 accumulation and one rounding give the same bf16 value (ties aside).
    const WeightStore base = WeightStore::open(kModel, kPrefix);
    const auto loras = fixture_loras();
    const FusedWeights f = fuse_loras(base, loras, DType::BF16, true);
    ASSERT_EQ(f.fused.size(), kTouched.size());
    const auto* m = loras[0].lora->find("transformer_blocks.0.ff.net.2");
    ASSERT_NE(m, nullptr);
    const std::vector<float> a = m->a.to_vector(), b = m->b.to_vector();
    const std::vector<float> d = f.deltas.at("transformer_blocks.0.ff.net.2.weight").to_vector();
    const int64_t out = m->b.size(0), in = m->a.size(1), r = m->rank;
    for (int64_t o = 0; o < out; ++o)
        for (int64_t i = 0; i < in; ++i) {
            double acc = 0;
            for (int64_t k = 0; k < r; ++k) acc += double(round_to_bf16(b[o * r + k] * round_to_bf16(0.8f))) * a[k * in + i];
            ASSERT_EQ(d[size_t(o * in + i)], round_to_bf16(float(acc))) << o << "," << i;
        }
}

TEST(LoraErrors, MissingLoraBPartner) {
    TempDir dir;
    const std::string path = dir.file("half.safetensors");
    write_safetensors(path, {{"diffusion_model.transformer_blocks.0.attn1.to_q.lora_A.weight", bf16_filled({4, 64}, 0.01f)}});
    expect_error([&] { LoraFile::open(path); },
                 {path, "diffusion_model.transformer_blocks.0.attn1.to_q.lora_A.weight", "no partner",
                  "diffusion_model.transformer_blocks.0.attn1.to_q.lora_B.weight"});
}

TEST(LoraErrors, RankMismatch) {
    TempDir dir;
    const std::string path = dir.file("rank.safetensors");
    write_safetensors(path, {{"diffusion_model.transformer_blocks.0.attn1.to_q.lora_A.weight", bf16_filled({4, 64}, 0.01f)},
                             {"diffusion_model.transformer_blocks.0.attn1.to_q.lora_B.weight", bf16_filled({64, 2}, 0.01f)}});
    expect_error([&] { LoraFile::open(path); }, {path, "rank mismatch", "transformer_blocks.0.attn1.to_q", "(4, 64)", "(64, 2)"});
}

TEST(LoraErrors, NoMatchingKeys) {
    TempDir dir;
    const std::string path = dir.file("other_model.safetensors");
    write_safetensors(path, {{"diffusion_model.not_a_module.proj.lora_A.weight", bf16_filled({4, 64}, 0.01f)},
                             {"diffusion_model.not_a_module.proj.lora_B.weight", bf16_filled({64, 4}, 0.01f)}});
    const WeightStore base = WeightStore::open(kModel, kPrefix);
    const std::vector<LoraWithStrength> loras = {{LoraFile::open(path), 1.0}};
    expect_error([&] { fuse_loras(base, loras, DType::BF16); }, {path, "no LoRA module", kModel});
}

TEST(LoraErrors, ShapeMismatch) {
    TempDir dir;
    const std::string path = dir.file("wrong_shape.safetensors");
    write_safetensors(path, {{"diffusion_model.transformer_blocks.0.attn1.to_q.lora_A.weight", bf16_filled({4, 32}, 0.01f)},
                             {"diffusion_model.transformer_blocks.0.attn1.to_q.lora_B.weight", bf16_filled({64, 4}, 0.01f)}});
    const WeightStore base = WeightStore::open(kModel, kPrefix);
    const std::vector<LoraWithStrength> loras = {{LoraFile::open(path), 1.0}};
    expect_error([&] { fuse_loras(base, loras, DType::BF16); },
                 {path, "transformer_blocks.0.attn1.to_q.weight", "(64, 32)", "(64, 64)"});
}

TEST(LoraErrors, NonFiniteStrength) {
    const WeightStore base = WeightStore::open(kModel, kPrefix);
    std::vector<LoraWithStrength> loras = fixture_loras();
    loras[1].strength = std::nan("");
    expect_error([&] { fuse_loras(base, loras, DType::BF16); }, {"lora_fuse.lora1.safetensors", "not a finite number"});
    loras[1].strength = INFINITY;
    expect_error([&] { fuse_loras(base, loras, DType::F32); }, {"lora_fuse.lora1.safetensors", "not a finite number"});
}

TEST(LoraKeys, UnprefixedKeysFuseTheSame) {
    TempDir dir;
    auto src = SafetensorsFile::open(kDir + "lora_fuse.lora1.safetensors");
    std::vector<std::pair<std::string, Tensor>> tensors;
    for (const auto& e : src->entries()) tensors.emplace_back(e.name.substr(std::string("diffusion_model.").size()), src->tensor(e.name));
    const std::string path = dir.file("plain.safetensors");
    write_safetensors(path, tensors);
    const WeightStore base = WeightStore::open(kModel, kPrefix);
    const auto a = fuse_loras(base, {{LoraFile::open(kDir + "lora_fuse.lora1.safetensors"), 0.5}}, DType::BF16);
    const auto b = fuse_loras(base, {{LoraFile::open(path), 0.5}}, DType::BF16);
    ASSERT_EQ(a.fused.size(), 4u);
    ASSERT_EQ(b.fused.size(), 4u);
    for (const auto& [k, t] : a.fused) EXPECT_TRUE(same_bytes(t, b.fused.at(k))) << k;
}

TEST(LoraStore, FusedModelDiffersExactlyOnTouchedKeysAndStaysZeroCopy) {
    const WeightStore base = WeightStore::open(kModel, kPrefix);
    WeightStore store = WeightStore::open(kModel, kPrefix);
    // Views before fusion: these pointers are into the mapped checkpoint.
    std::map<std::string, const void*> mapped;
    for (const auto& n : store.names()) mapped[n] = store.get(n).raw();

    EXPECT_EQ(apply_loras(store, fixture_loras(), DType::BF16), kTouched.size());
    std::set<std::string> differing;
    for (const auto& n : store.names()) {
        const Tensor t = store.get(n);
        EXPECT_EQ(t.dtype(), base.get(n).dtype()) << n;
        if (!same_bytes(t, base.get(n))) differing.insert(n);
        if (kTouched.count(n)) {
            EXPECT_TRUE(store.is_overridden(n)) << n;
            EXPECT_NE(t.raw(), mapped[n]) << n;
        } else {
            EXPECT_FALSE(store.is_overridden(n)) << n;
            EXPECT_EQ(t.raw(), mapped[n]) << n << " is no longer a zero-copy view";
        }
    }
    EXPECT_EQ(differing, kTouched);

    // The model loads the fused weights with no change to its code.
    const LTXModel fused = LTXModel::load(store);
    const LTXModel plain = LTXModel::load(base);
    EXPECT_TRUE(fused.bf16());
    const auto& fw = fused.weights();
    const auto& pw = plain.weights();
    EXPECT_EQ(fw.blocks[0].video.attn1.to_q.weight.raw(), store.get("transformer_blocks.0.attn1.to_q.weight").raw());
    EXPECT_FALSE(same_bytes(fw.blocks[0].video.attn1.to_q.weight, pw.blocks[0].video.attn1.to_q.weight));
    EXPECT_FALSE(same_bytes(fw.video.patchify_proj.weight, pw.video.patchify_proj.weight));
    EXPECT_FALSE(same_bytes(fw.blocks[1].audio.ff.proj_out.weight, pw.blocks[1].audio.ff.proj_out.weight));
    EXPECT_FALSE(same_bytes(fw.audio.caption_projection.linear_1.weight, pw.audio.caption_projection.linear_1.weight));
    // Untouched: the very mmap view (and bias of a touched linear too).
    EXPECT_EQ(fw.blocks[1].video.attn2.to_q.weight.raw(), mapped["transformer_blocks.1.attn2.to_q.weight"]);
    EXPECT_EQ(fw.blocks[0].video.attn1.to_q.bias.raw(), mapped["transformer_blocks.0.attn1.to_q.bias"]);
    EXPECT_EQ(fw.video.scale_shift_table.raw(), mapped["scale_shift_table"]);
}

TEST(LoraStore, OverrideTensorChecksNameAndShape) {
    WeightStore store = WeightStore::open(kModel, kPrefix);
    expect_error([&] { store.override_tensor("no_such.weight", Tensor::zeros({2, 2}, DType::BF16)); },
                 {kModel, "no_such.weight"});
    expect_error([&] { store.override_tensor("patchify_proj.weight", Tensor::zeros({2, 2}, DType::BF16)); },
                 {"patchify_proj.weight", "(64, 128)", "(2, 2)"});
}

TEST(LoraErrors, NonFiniteLoraWeightIsRefusedOnOpen) {
    TempDir dir;
    const std::string path = dir.file("nan.safetensors");
    Tensor b = bf16_filled({64, 4}, 0.01f).to(DType::F32);
    b.f32()[5] = std::numeric_limits<float>::quiet_NaN();
    write_safetensors(path, {{"diffusion_model.transformer_blocks.0.attn1.to_q.lora_A.weight", bf16_filled({4, 64}, 0.01f)},
                             {"diffusion_model.transformer_blocks.0.attn1.to_q.lora_B.weight", b.to(DType::BF16)}});
    expect_error([&] { LoraFile::open(path); },
                 {path, "diffusion_model.transformer_blocks.0.attn1.to_q.lora_B.weight", "NaN at [1, 1]"});
}
