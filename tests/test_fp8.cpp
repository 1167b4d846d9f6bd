// `ltx2-quantize --type fp8`: the official LTX-2 fp8 layout (float8_e4m3fn transformer-block
// Linear weights with a per-tensor float32 weight_scale = max|w| / 448 and a placeholder
// input_scale), read back through WeightStore / LTXModel and run on the tiny transformer golden.
// The e4m3 format itself (every code, 448, 2^-9, ties to even, NaN past 464) is checked against
// torch's rounding in test_dtype.cpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>

#include "core/dtype.h"
#include "io/safetensors.h"
#include "io/weight_store.h"
#include "models/transformer/model.h"
#include "parity/parity.h"
#include "test_util.h"

namespace ltx2 {
namespace {

using test::expect_error;

const std::string kGolden = std::string(LTX2_GOLDEN_DIR) + "/transformer/";
const std::string kCheckpoint = kGolden + "av_tiny_bf16.model.safetensors";
const std::string kFixture = kGolden + "av_tiny_bf16.io.safetensors";
const std::string kPrefix = "model.diffusion_model.";
const std::string kBlock1 = kPrefix + "transformer_blocks.1.";

test::CommandResult quantize_fp8(const std::string& in, const std::string& out) {
    return test::run_command(fmt::format("'{}' '{}' '{}' --type fp8", LTX2_QUANTIZE_BIN, in, out));
}

float scalar(const SafetensorsFile& f, const std::string& name) {
    const Tensor t = f.tensor(name);
    EXPECT_EQ(t.dtype(), DType::F32) << name;
    EXPECT_TRUE(t.shape().empty()) << name << " has shape " << shape_str(t.shape()) << ", expected a scalar";
    return t.to_vector().at(0);
}

std::vector<uint8_t> codes(const SafetensorsFile& f, const std::string& name) {
    const Tensor t = f.tensor(name);
    EXPECT_EQ(t.dtype(), DType::F8_E4M3) << name;
    const auto* p = static_cast<const uint8_t*>(t.raw());
    return {p, p + t.numel()};
}

std::vector<float> bf16_values(const std::vector<float>& v) {
    std::vector<float> out;
    for (float x : v) out.push_back(round_to_bf16(x));
    return out;
}

// The tiny checkpoint converted once per test program.
class Fp8Checkpoint : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dir_ = std::make_unique<test::TempDir>("ltx2-fp8");
        const auto r = quantize_fp8(kCheckpoint, fp8_path());
        ASSERT_EQ(r.exit_code, 0) << r.output;
    }
    static void TearDownTestSuite() { dir_.reset(); }
    static std::string fp8_path() { return dir_->file("av_tiny_fp8.safetensors"); }

    static inline std::unique_ptr<test::TempDir> dir_;
};

// Hand-made weights whose scales are powers of two, so the expected codes follow from the
// e4m3 definition alone (1 sign, 4 exponent bits of bias 7, 3 mantissa bits).
TEST(Fp8Quantize, HandMadeWeightsGetKnownCodesAndScales) {
    test::TempDir dir("ltx2-fp8");
    const std::string in = dir.file("hand.safetensors"), out = dir.file("hand_fp8.safetensors");
    // max|w| = 448: scale 1. 1.0625 and 1.1875 are ties between 3-bit mantissas (to even 1.0 and
    // 1.25); 2^-9 is the smallest subnormal, 2^-10 its half (ties to 0).
    const std::vector<float> exact = {448, 1, -2, 1.0625f, 1.1875f, std::ldexp(1.0f, -9), std::ldexp(1.0f, -10), -0.0f};
    const std::vector<uint8_t> exact_codes = {0x7e, 0x38, 0xc0, 0x38, 0x3a, 0x01, 0x00, 0x80};
    // max|w| = 7: scale 64, weight_scale 1/64. 0.1 · 64 = 6.4 rounds to 6.5 (0x4d).
    const std::vector<float> scaled = {7, -3.5f, 0.1f, 0};
    const std::vector<uint8_t> scaled_codes = {0x7e, 0xf6, 0x4d, 0x00};
    const Tensor kept = Tensor::from_f32({2, 4}, {1, 2, 3, 4, 5, 6, 7, 8}).to(DType::BF16);
    write_safetensors(in,
                      {{kBlock1 + "attn1.to_q.weight", Tensor::from_f32({2, 4}, exact).to(DType::BF16)},
                       {kBlock1 + "ff.net.2.weight", Tensor::from_f32({1, 4}, scaled).to(DType::BF16)},
                       {kBlock1 + "attn1.to_q.bias", kept},
                       {kBlock1 + "attn1.q_norm.weight", Tensor::from_f32({4}, {1, 1, 1, 1})},
                       {kBlock1 + "scale_shift_table", kept},
                       {kPrefix + "transformer_blocks.0.attn1.to_q.weight", kept},
                       {kPrefix + "proj_out.weight", kept},
                       {"vae.decoder.conv_in.weight", kept}},
                      {{"config", R"({"transformer": {"num_layers": 2}})"}, {"note", "kept"}});
    const auto r = quantize_fp8(in, out);
    ASSERT_EQ(r.exit_code, 0) << r.output;

    const auto f = SafetensorsFile::open(out);
    EXPECT_EQ(codes(*f, kBlock1 + "attn1.to_q.weight"), exact_codes);
    EXPECT_EQ(scalar(*f, kBlock1 + "attn1.to_q.weight_scale"), 1.0f);
    EXPECT_EQ(codes(*f, kBlock1 + "ff.net.2.weight"), scaled_codes);
    EXPECT_EQ(scalar(*f, kBlock1 + "ff.net.2.weight_scale"), 1.0f / 64);
    EXPECT_EQ(scalar(*f, kBlock1 + "attn1.to_q.input_scale"), 1.0f);
    EXPECT_EQ(scalar(*f, kBlock1 + "ff.net.2.input_scale"), 1.0f);
    EXPECT_EQ(f->entries().size(), 8u + 4u) << "two scales per float8 weight, nothing else added";
    EXPECT_EQ(f->metadata(), (std::map<std::string, std::string>{
                                 {"config", R"({"transformer": {"num_layers": 2}})"}, {"note", "kept"}}));
    for (const char* name : {"attn1.to_q.bias", "attn1.q_norm.weight", "scale_shift_table"})
        EXPECT_EQ(f->tensor(kBlock1 + name).dtype(), SafetensorsFile::open(in)->tensor(kBlock1 + name).dtype())
            << name;
    EXPECT_EQ(f->tensor(kPrefix + "transformer_blocks.0.attn1.to_q.weight").dtype(), DType::BF16) << "block 0 stays";
    EXPECT_EQ(f->tensor(kPrefix + "proj_out.weight").dtype(), DType::BF16);
    EXPECT_EQ(f->tensor("vae.decoder.conv_in.weight").dtype(), DType::BF16);

    // Served back as bf16(float(e4m3(w · s)) / s): exact here, since every s is a power of two.
    const WeightStore store = WeightStore::open(out, kPrefix);
    const std::vector<float> decoded_exact = {448, 1, -2, 1, 1.25f, std::ldexp(1.0f, -9), 0, -0.0f};
    EXPECT_EQ(store.get("transformer_blocks.1.attn1.to_q.weight", {2, 4}).to_vector(), decoded_exact);
    EXPECT_EQ(store.get("transformer_blocks.1.ff.net.2.weight", {1, 4}).to_vector(),
              bf16_values({7, -3.5f, 6.5f / 64, 0}));
}

// A scale that is not a power of two: codes are e4m3(clamp(w · s, ±448)) with s = 448 / max|w|
// in float32, weight_scale is 1/s in float32, and the store decodes bf16(float(q) · weight_scale),
// which is float(q) / s to within bf16 rounding.
TEST(Fp8Quantize, ScaleMathOnHandMadeData) {
    test::TempDir dir("ltx2-fp8");
    const std::string in = dir.file("w.safetensors"), out = dir.file("w_fp8.safetensors");
    std::vector<float> w(16 * 32);
    for (size_t i = 0; i < w.size(); ++i) w[i] = round_to_bf16(0.013f * std::sin(0.37f * float(i)) * float(i % 7 + 1));
    const std::string name = kBlock1 + "attn2.to_v.weight";
    write_safetensors(in, {{name, Tensor::from_f32({16, 32}, w).to(DType::BF16)}});
    const auto r = quantize_fp8(in, out);
    ASSERT_EQ(r.exit_code, 0) << r.output;

    float abs_max = 0;
    for (float x : w) abs_max = std::max(abs_max, std::fabs(x));
    const float s = 448.0f / abs_max;
    const auto f = SafetensorsFile::open(out);
    const float weight_scale = scalar(*f, kBlock1 + "attn2.to_v.weight_scale");
    EXPECT_EQ(weight_scale, 1.0f / s);
    const std::vector<uint8_t> q = codes(*f, name);
    const std::vector<float> got = WeightStore::open(out, kPrefix).get("transformer_blocks.1.attn2.to_v.weight").to_vector();
    ASSERT_EQ(q.size(), w.size());
    int at_max = 0;
    for (size_t i = 0; i < w.size(); ++i) {
        ASSERT_EQ(q[i], f32_to_fp8_e4m3(std::clamp(w[i] * s, -448.0f, 448.0f))) << i;
        const float dequantized = fp8_e4m3_to_f32(q[i]) / s;
        ASSERT_EQ(got[i], round_to_bf16(fp8_e4m3_to_f32(q[i]) * weight_scale)) << i;
        ASSERT_LE(std::fabs(got[i] - dequantized), std::ldexp(std::fabs(dequantized), -8)) << i;
        // e4m3 keeps 3 mantissa bits: within 2^-4 of |w| (normal range), plus bf16 rounding (2^-9),
        // plus half the smallest subnormal step (2^-10 / s) near zero.
        ASSERT_LE(std::fabs(got[i] - w[i]), std::ldexp(std::fabs(w[i]), -4) * 1.05f + std::ldexp(abs_max, -17)) << i;
        at_max += (q[i] & 0x7f) == 0x7e;
    }
    EXPECT_GE(at_max, 1) << "max |w| maps to ±448";
}

TEST_F(Fp8Checkpoint, ConvertsExactlyTheBlockLinearsOfTheTinyModel) {
    const auto src = SafetensorsFile::open(kCheckpoint);
    const auto f = SafetensorsFile::open(fp8_path());
    EXPECT_EQ(f->metadata(), src->metadata());
    // Block 0 is in the reference's bf16 list, block 1 is not: its 28 Linear weights convert
    // (attn1, attn2, audio_attn1, audio_attn2, audio_to_video_attn, video_to_audio_attn × q/k/v/out,
    // ff and audio_ff × 2).
    std::set<std::string> converted;
    for (const TensorEntry& e : src->entries()) {
        const Tensor got = f->tensor(e.name);
        EXPECT_EQ(got.shape(), e.shape) << e.name;
        if (e.name.starts_with(kBlock1) && e.name.ends_with(".weight") && e.shape.size() == 2) {
            converted.insert(e.name);
            const std::string stem = e.name.substr(0, e.name.size() - 6);
            const std::vector<float> w = src->tensor(e.name).to_vector();
            float abs_max = 0;
            for (float x : w) abs_max = std::max(abs_max, std::fabs(x));
            EXPECT_EQ(scalar(*f, stem + "weight_scale"), 1.0f / (448.0f / abs_max)) << e.name;
            EXPECT_EQ(scalar(*f, stem + "input_scale"), 1.0f) << e.name;
            EXPECT_EQ(got.dtype(), DType::F8_E4M3) << e.name;
            continue;
        }
        ASSERT_EQ(got.dtype(), e.dtype) << e.name;
        EXPECT_EQ(std::memcmp(got.raw(), src->tensor(e.name).raw(), e.end - e.begin), 0) << e.name << " changed";
    }
    EXPECT_EQ(converted.size(), 28u);
    EXPECT_EQ(f->entries().size(), src->entries().size() + 2 * converted.size());
    size_t float8 = 0;
    for (const TensorEntry& e : f->entries()) float8 += e.dtype == DType::F8_E4M3;
    EXPECT_EQ(float8, converted.size());
}

// The x0 golden (float32 from the bf16 weights) on the fp8 copy. The bf16 model is within
// rel 1e-2 of it. e4m3 keeps 3 mantissa bits: each converted weight moves by up to 2^-4 of
// itself (about 2.5 % RMS, independent per weight), so each block-1 Linear output moves by
// about that fraction of its size; block 0 and the projections stay bf16. Measured max rel_err:
// 2.5e-2 (audio_velocity); the bound 5e-2 leaves a 2x margin.
TEST_F(Fp8Checkpoint, TinyTransformerParityFromTheFp8Copy) {
    constexpr double kTolerance = 5e-2;
    auto run = [&](const std::string& weights) {
        ParityRun parity(kFixture, kTolerance, weights);
        find_parity_kind(parity.kind())(parity);
        EXPECT_TRUE(parity.all_passed()) << weights;
        std::map<std::string, double> errors;
        for (const ParityCheck& c : parity.checks()) errors[c.name] = c.rel_err;
        EXPECT_EQ(errors.size(), 4u);
        return errors;
    };
    const auto bf16 = run(kCheckpoint);
    const auto fp8 = run(fp8_path());
    double worst = 0;
    for (const auto& [name, e] : fp8) {
        EXPECT_LE(e, kTolerance) << name;
        EXPECT_NE(e, bf16.at(name)) << name << ": the fp8 output equals the bf16 one";
        worst = std::max(worst, e);
    }
    std::printf("max rel_err vs golden on fp8 weights: %.3e\n", worst);

    // The same through the command line tool: passes at the bound, fails at the bf16 model's.
    const std::string cmd = fmt::format("'{}' '{}' --weights '{}' --tol ", LTX2_PARITY_BIN, kFixture, fp8_path());
    auto r = test::run_command(cmd + "5e-2");
    EXPECT_EQ(r.exit_code, 0) << r.output;
    r = test::run_command(cmd + "1e-2");
    EXPECT_NE(r.exit_code, 0) << r.output;
}

TEST_F(Fp8Checkpoint, TransformerLoadsFromIt) {
    const WeightStore store = WeightStore::open(fp8_path(), kPrefix);
    const LTXModel model = LTXModel::load(store);
    EXPECT_TRUE(model.bf16());
    EXPECT_TRUE(store.unused_names().empty()) << "weight_scale and input_scale count as used";
}

TEST_F(Fp8Checkpoint, MissingWeightScaleFailsTheTransformerLoad) {
    const auto f = SafetensorsFile::open(fp8_path());
    const std::string dropped = kBlock1 + "ff.net.0.proj.weight_scale";
    std::vector<std::pair<std::string, Tensor>> kept;
    for (const TensorEntry& e : f->entries())
        if (e.name != dropped) kept.emplace_back(e.name, f->tensor(e.name));
    const std::string path = dir_->file("no_scale.safetensors");
    write_safetensors(path, kept, f->metadata());
    const WeightStore store = WeightStore::open(path, kPrefix);
    expect_error([&] { LTXModel::load(store); },
                 {path, "'" + kBlock1 + "ff.net.0.proj.weight' is stored as F8_E4M3", "no scale '" + dropped + "'"});
}

TEST_F(Fp8Checkpoint, ToolRefusesWhatItCannotConvert) {
    test::TempDir dir("ltx2-fp8");
    const std::string out = dir.file("out.safetensors");
    auto expect_refusal = [&](const std::string& in, const std::string& out_path, const std::string& fragment) {
        const auto r = quantize_fp8(in, out_path);
        EXPECT_EQ(r.exit_code, 1) << r.output;
        EXPECT_NE(r.output.find(fragment), std::string::npos) << r.output;
        EXPECT_FALSE(std::filesystem::exists(out_path)) << in;
        EXPECT_EQ(test::temps_beside(out_path), std::vector<std::string>{}) << in;
    };
    const std::string gguf = std::string(LTX2_GOLDEN_DIR) + "/gguf/quant_vectors.gguf";
    expect_refusal(gguf, out, gguf + ": --type fp8 converts a bf16 safetensors checkpoint, not a GGUF file");
    const std::string gemma = std::string(LTX2_GOLDEN_DIR) + "/text/gemma3_tiny";
    expect_refusal(gemma, out, gemma + ": this is a Gemma checkpoint");
    expect_refusal(fp8_path(), out, "shows the checkpoint is already fp8");
    expect_refusal(kCheckpoint, dir.file("out.gguf"), "--type fp8 writes a safetensors file");

    const std::string vae_only = dir.file("vae.safetensors");
    write_safetensors(vae_only, {{"vae.decoder.conv_in.weight", Tensor::zeros({4, 4})}});
    expect_refusal(vae_only, out, "no transformer-block Linear weights");

    // A non-finite weight found while streaming: no output, not even a partial one.
    std::vector<float> w(8 * 16, 0.25f);
    w[37] = INFINITY;
    const std::string bad = dir.file("inf.safetensors");
    write_safetensors(bad, {{kBlock1 + "attn1.to_k.weight", Tensor::from_f32({8, 16}, w)},
                            {kPrefix + "scale_shift_table", Tensor::zeros({2, 16})}});
    expect_refusal(bad, out, "tensor '" + kBlock1 + "attn1.to_k.weight': non-finite value inf at row 2, column 5");
}

}  // namespace
}  // namespace ltx2
