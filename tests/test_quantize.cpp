// Quantizers (kernels/cpu/quantize.h) against ggml's blocks and round-trip bounds, and the
// ltx2-quantize tool end to end.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <map>
#include <random>

#include "core/dtype.h"
#include "core/torch_rng.h"
#include "io/gguf.h"
#include "io/safetensors.h"
#include "kernels/cpu/dequant.h"
#include "kernels/cpu/quantize.h"
#include "test_util.h"

namespace ltx2 {
using namespace ltx2::cpu;
namespace {

using test::expect_error;

const std::string kVectors = std::string(LTX2_GOLDEN_DIR) + "/gguf/quant_vectors.io.safetensors";

struct QuantCase {
    GgmlType type;
    double ggml_error;  // ggml's round-trip max |err| / max |x| on in.source (golden README)
};
const QuantCase kCases[] = {{GgmlType::Q8_0, 3.9e-3}, {GgmlType::Q4_K, 3.6e-2}, {GgmlType::Q5_K, 1.7e-2},
                            {GgmlType::Q6_K, 1.4e-2}};

std::vector<uint8_t> quantized(GgmlType type, const std::vector<float>& x) {
    std::vector<uint8_t> blocks(ggml_row_bytes(type, int64_t(x.size())));
    quantize(type, x.data(), blocks.data(), int64_t(x.size()));
    return blocks;
}

// max |dequantize(quantize(x)) − x| / max |x| (0 for an all-zero x with an exact round trip).
double round_trip_error(GgmlType type, const std::vector<float>& x) {
    const std::vector<uint8_t> blocks = quantized(type, x);
    std::vector<float> back(x.size());
    dequantize(type, blocks.data(), back.data(), int64_t(x.size()));
    double err = 0, absmax = 0;
    for (size_t i = 0; i < x.size(); ++i) {
        err = std::max(err, std::fabs(double(back[i]) - x[i]));
        absmax = std::max(absmax, std::fabs(double(x[i])));
    }
    return absmax > 0 ? err / absmax : err;
}

std::vector<float> golden_source() {
    return SafetensorsFile::open(kVectors)->tensor("in.source").to_vector();
}

TEST(Quantize, RoundTripOnGoldenSourceIsNoWorseThanGgml) {
    const std::vector<float> x = golden_source();
    ASSERT_EQ(x.size(), 4u * 512u);
    for (const auto& c : kCases) {
        const double err = round_trip_error(c.type, x);
        EXPECT_LE(err, c.ggml_error * 1.05) << ggml_type_name(c.type);
        EXPECT_GT(err, 0.0) << ggml_type_name(c.type);
    }
}

TEST(Quantize, BlocksAreBitwiseGgmls) {
    auto file = SafetensorsFile::open(kVectors);
    const std::vector<float> x = golden_source();
    for (const auto& c : kCases) {
        const std::string name = "in.blocks." + std::string(ggml_type_name(c.type));
        const Tensor ref = file->tensor(name);
        const std::vector<uint8_t> got = quantized(c.type, x);
        ASSERT_EQ(size_t(ref.numel()), got.size()) << name;
        const auto* r = ref.data<uint8_t>();
        size_t first_diff = got.size();
        for (size_t i = 0; i < got.size() && first_diff == got.size(); ++i)
            if (got[i] != r[i]) first_diff = i;
        EXPECT_EQ(first_diff, got.size()) << name << ": first differing byte " << first_diff << " of " << got.size();
    }
}

// Row 0..31: d = 31/127, stored as f16 0x33D0 (0.244140625); q = round(i · 127/31), worked by hand.
TEST(Quantize, Q8_0KnownAnswer) {
    std::vector<float> x(32);
    for (int i = 0; i < 32; ++i) x[i] = float(i);
    const int8_t expected[32] = {0,  4,  8,  12, 16, 20, 25, 29, 33,  37,  41,  45,  49,  53,  57,  61,
                                 66, 70, 74, 78, 82, 86, 90, 94, 98, 102, 107, 111, 115, 119, 123, 127};
    for (float sign : {1.0f, -1.0f}) {
        std::vector<float> v(x);
        for (float& f : v) f *= sign;
        std::vector<uint8_t> block(34);
        quantize_row(GgmlType::Q8_0, v.data(), block.data(), 32);
        uint16_t d;
        std::memcpy(&d, block.data(), 2);
        EXPECT_EQ(d, 0x33D0);
        for (int i = 0; i < 32; ++i) EXPECT_EQ(int8_t(block[2 + i]), int8_t(sign * expected[i])) << i;
    }
}

// Random rows of 4096: normal values (σ = 1), with a few 20σ outliers, small values (σ = 0.01),
// all zeros, and a constant row; the normals are torch.randn's (TorchGenerator), whose values no
// compiler setting changes. Two bounds per type:
// - each row's max error / max|x|: Q8_0 by analysis (d/2 + the f16 rounding of d times 127:
//   0.562 · max|x| / 127 = 4.43e-3); the K types at 1.1x the largest of 300 normal rows (q4_K
//   7.69e-2, q5_K 4.11e-2, q6_K 1.61e-2).
// - its mean over 32 normal rows, at 1.1x the mean of those 300 rows (q8_0 3.85e-3, q4_K 5.45e-2,
//   q5_K 2.86e-2, q6_K 1.50e-2): a quantizer that got worse on average fails here long before a
//   single row crosses the first bound.
TEST(Quantize, RoundTripOnRandomRowsIsBounded) {
    std::mt19937 rng(7);  // outlier positions
    TorchGenerator normal(7);
    const int64_t n = 4096;
    auto row = [&](float scale, int outliers) {
        std::vector<float> x(n);
        normal.randn_f32(x.data(), n);
        for (float& v : x) v *= scale;
        for (int k = 0; k < outliers; ++k) x[rng() % n] = 20.0f * scale * (k % 2 ? 1 : -1);
        return x;
    };
    const std::map<GgmlType, double> bound = {
        {GgmlType::Q8_0, 4.43e-3}, {GgmlType::Q4_K, 8.5e-2}, {GgmlType::Q5_K, 4.5e-2}, {GgmlType::Q6_K, 1.8e-2}};
    const std::map<GgmlType, double> mean_bound = {
        {GgmlType::Q8_0, 4.24e-3}, {GgmlType::Q4_K, 6.0e-2}, {GgmlType::Q5_K, 3.15e-2}, {GgmlType::Q6_K, 1.65e-2}};
    for (const auto& c : kCases) {
        const std::string name(ggml_type_name(c.type));
        double sum = 0;
        for (int r = 0; r < 32; ++r) {
            const double e = round_trip_error(c.type, row(1.0f, 0));
            EXPECT_LE(e, bound.at(c.type)) << name << " normal row " << r;
            sum += e;
        }
        EXPECT_LE(sum / 32, mean_bound.at(c.type)) << name << " mean over normal rows";
        EXPECT_LE(round_trip_error(c.type, row(1.0f, 8)), bound.at(c.type)) << name << " outliers";
        EXPECT_LE(round_trip_error(c.type, row(1e-2f, 0)), bound.at(c.type)) << name << " small";
        EXPECT_EQ(round_trip_error(c.type, std::vector<float>(n, 0.0f)), 0.0) << name << " zeros";
        EXPECT_LE(round_trip_error(c.type, std::vector<float>(n, 0.75f)), bound.at(c.type)) << name << " constant";
    }
}

// Values so small that the f16 block scale underflows (as in ggml, whose bytes these are): Q8_0
// and Q6_K decode them to zeros. The tool's documentation warns about weights this small.
TEST(Quantize, ScalesBelowFloat16RangeDecodeToZero) {
    std::vector<float> x(256);
    for (int i = 0; i < 256; ++i) x[i] = 1e-7f * float((i * 37) % 19 - 9);
    for (GgmlType type : {GgmlType::Q8_0, GgmlType::Q6_K}) {
        const std::vector<uint8_t> blocks = quantized(type, x);
        std::vector<float> back(x.size(), 1.0f);
        dequantize(type, blocks.data(), back.data(), int64_t(x.size()));
        for (float v : back) ASSERT_EQ(v, 0.0f) << ggml_type_name(type);
    }
}

TEST(Quantize, RowAndParallelQuantizersAgree) {
    std::mt19937 rng(3);
    std::normal_distribution<float> normal(0.0f, 1.0f);
    std::vector<float> x(256 * 1024);
    for (float& v : x) v = normal(rng);
    for (const auto& c : kCases) {
        std::vector<uint8_t> one(ggml_row_bytes(c.type, int64_t(x.size())));
        quantize_row(c.type, x.data(), one.data(), int64_t(x.size()));
        EXPECT_EQ(one, quantized(c.type, x)) << ggml_type_name(c.type);
    }
}

TEST(Quantize, Errors) {
    std::vector<float> x(64);
    std::vector<uint8_t> out(1024);
    EXPECT_TRUE(quantize_supported(GgmlType::Q6_K));
    EXPECT_FALSE(quantize_supported(GgmlType::Q4_0));
    expect_error([&] { quantize_row(GgmlType::Q4_0, x.data(), out.data(), 64); }, {"q4_0", "not supported"});
    expect_error([&] { quantize_row(GgmlType::Q8_0, x.data(), out.data(), 33); }, {"33 values", "q8_0", "32-value"});
    expect_error([&] { quantize(GgmlType::Q4_K, x.data(), out.data(), 64); }, {"64 values", "q4_K", "256-value"});
}

// --- ltx2-quantize ---

const std::string kAvTiny = std::string(LTX2_GOLDEN_DIR) + "/transformer/av_tiny.model.safetensors";

test::CommandResult quantize_tool(const std::string& args) {
    return test::run_command(std::string(LTX2_QUANTIZE_BIN) + " " + args);
}

double max_rel_error(const Tensor& got, const Tensor& ref) {
    const std::vector<float> g = got.to_vector(), r = ref.to_vector();
    double err = 0, absmax = 0;
    for (size_t i = 0; i < r.size(); ++i) {
        err = std::max(err, std::fabs(double(g[i]) - r[i]));
        absmax = std::max(absmax, std::fabs(double(r[i])));
    }
    return absmax > 0 ? err / absmax : err;
}

TEST(QuantizeTool, LtxCheckpointRoundTrips) {
    test::TempDir dir("ltx2-quantize");
    auto src = SafetensorsFile::open(kAvTiny);
    const nlohmann::json config = nlohmann::json::parse(*src->metadata_value("config"));
    // Per-tensor max |err| / max |x|: Q8_0 by analysis (see above); the K types with ~1.3x margin
    // over the worst tensor measured here (q4_K 6.3e-2, q5_K 3.8e-2, q6_K 1.6e-2).
    const std::map<std::string, std::pair<GgmlType, double>> types = {{"q8_0", {GgmlType::Q8_0, 4.43e-3}},
                                                                      {"q4_k", {GgmlType::Q4_K, 8.0e-2}},
                                                                      {"q5_k", {GgmlType::Q5_K, 5.0e-2}},
                                                                      {"q6_k", {GgmlType::Q6_K, 2.1e-2}}};
    for (const auto& [option, expect] : types) {
        const std::string out = dir.file(option + ".gguf");
        const auto r = quantize_tool(kAvTiny + " " + out + " --type " + option);
        ASSERT_EQ(r.exit_code, 0) << r.output;
        EXPECT_NE(r.output.find("[198/198]"), std::string::npos) << r.output;
        auto gguf = GgufFile::open(out);
        EXPECT_EQ(gguf->get_string("general.architecture"), "ltx2");
        EXPECT_EQ(nlohmann::json::parse(gguf->get_string("ltx2.config")), config);
        EXPECT_TRUE(gguf->has_key("general.file_type"));
        ASSERT_EQ(gguf->tensors().size(), src->entries().size());
        size_t quantized = 0;
        for (const auto& e : src->entries()) {
            const GgufTensorInfo& info = gguf->info(e.name);
            ASSERT_EQ(info.shape, e.shape) << e.name;
            const Tensor ref = src->tensor(e.name);
            const Tensor got = gguf->dequantize(e.name);
            const int64_t block = ggml_type_traits(expect.first).block_elems;
            if (e.name.ends_with(".weight") && e.shape.size() == 2 && e.shape[1] % block == 0) {
                ++quantized;
                EXPECT_EQ(info.type, expect.first) << e.name;
                EXPECT_LE(max_rel_error(got, ref), expect.second) << option << " " << e.name;
            } else {
                EXPECT_EQ(info.type, GgmlType::F32) << e.name;  // stored F32 in this checkpoint
                EXPECT_EQ(got.to_vector(), ref.to_vector()) << e.name;
            }
        }
        EXPECT_EQ(quantized, option == "q8_0" ? 80u : 8u) << option;
    }
}

TEST(QuantizeTool, ErrorsNameTheirCause) {
    test::TempDir dir("ltx2-quantize");
    const std::string out = dir.file("out.gguf");

    auto r = quantize_tool(dir.file("missing.safetensors") + " " + out + " --type q4_k");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.output.find("missing.safetensors: no such file or folder"), std::string::npos) << r.output;

    r = quantize_tool(kAvTiny + " " + out + " --type q3_k");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.output.find("--type 'q3_k' is not known"), std::string::npos) << r.output;

    r = quantize_tool(kAvTiny + " " + out);
    EXPECT_EQ(r.exit_code, 2) << r.output;

    const std::string unwritable = dir.file("no-such-folder/out.gguf");
    r = quantize_tool(kAvTiny + " " + unwritable + " --type q8_0");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.output.find(unwritable), std::string::npos) << r.output;

    // A non-finite weight: an error naming the tensor, and no output file (not even a partial one).
    std::vector<float> w(64 * 256, 0.5f);
    w[300] = std::nanf("");
    write_safetensors(dir.file("nan.safetensors"), {{"blocks.0.weight", Tensor::from_f32({64, 256}, w)}});
    r = quantize_tool(dir.file("nan.safetensors") + " " + out + " --type q4_k");
    EXPECT_EQ(r.exit_code, 1);
    // Refused as the store reads the tensor, naming the element.
    EXPECT_NE(r.output.find("nan.safetensors: tensor 'blocks.0.weight' holds NaN at [1, 44]"), std::string::npos)
        << r.output;
    EXPECT_FALSE(std::filesystem::exists(out));
    EXPECT_EQ(ltx2::test::temps_beside(out), std::vector<std::string>{});
}

}  // namespace
}  // namespace ltx2
