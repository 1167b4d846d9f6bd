// WeightStore serving a GGUF file written by ltx2-quantize: the checkpoint's names, shapes and
// config, quantized tensors dequantized to BF16, float ones as stored; the tiny transformer
// loads from it and its parity fixture runs on the quantized weights.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <memory>
#include <regex>

#include <nlohmann/json.hpp>

#include "io/gguf_source.h"
#include "io/gguf_writer.h"
#include "io/weight_store.h"
#include "models/transformer/model.h"
#include "test_util.h"

namespace ltx2 {
namespace {

using test::expect_error;

const std::string kGolden = std::string(LTX2_GOLDEN_DIR) + "/transformer/";
const std::string kCheckpoint = kGolden + "av_tiny_bf16.model.safetensors";
const std::string kFixture = kGolden + "av_tiny_bf16.io.safetensors";
const std::string kPrefix = "model.diffusion_model.";

// The bf16 checkpoint quantized once per test program, to q8_0 and q4_k.
class GgufWeights : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dir_ = std::make_unique<test::TempDir>("ltx2-gguf-weights");
        for (const char* type : {"q8_0", "q4_k"}) {
            const std::string out = dir_->file(std::string(type) + ".gguf");
            const auto r = test::run_command(fmt::format("'{}' '{}' '{}' --type {}", LTX2_QUANTIZE_BIN, kCheckpoint,
                                                         out, type));
            ASSERT_EQ(r.exit_code, 0) << r.output;
            paths_[type] = out;
        }
    }
    static void TearDownTestSuite() { dir_.reset(); }
    static std::string gguf(const std::string& type) { return paths_.at(type); }

    static inline std::unique_ptr<test::TempDir> dir_;
    static inline std::map<std::string, std::string> paths_;
};

std::map<std::string, double> parity_errors(const std::string& weights, double tol, int* exit_code) {
    auto errors = test::parity_output_errors(kFixture, weights, tol, exit_code);
    EXPECT_EQ(errors.size(), 4u);
    return errors;
}

double max_of(const std::map<std::string, double>& errors) {
    double m = 0;
    for (const auto& [name, e] : errors) m = std::max(m, e);
    return m;
}

TEST_F(GgufWeights, ServesTheCheckpointsNamesConfigAndValues) {
    const WeightStore ref = WeightStore::open(kCheckpoint, kPrefix);
    for (const char* type : {"q8_0", "q4_k"}) {
        SCOPED_TRACE(type);
        const WeightStore store = WeightStore::open(gguf(type), kPrefix);
        ASSERT_EQ(store.names(), ref.names());
        EXPECT_EQ(store.config(), ref.config());
        EXPECT_EQ(store.describe(), gguf(type));
        const auto source = GgufSource::open(gguf(type));
        size_t quantized = 0;
        for (const std::string& name : ref.names()) {
            const Tensor want = ref.get(name);
            const Tensor got = store.get(name, want.shape());
            const GgufTensorInfo& info = source->file().info(kPrefix + name);
            const GgmlType stored = info.type;
            EXPECT_EQ(got.dtype(), DType::BF16) << name;  // the checkpoint is all BF16
            const std::vector<float> g = got.to_vector(), w = want.to_vector();
            double err = 0, absmax = 0;
            for (size_t i = 0; i < w.size(); ++i) {
                err = std::max(err, std::fabs(double(g[i]) - w[i]));
                absmax = std::max(absmax, std::fabs(double(w[i])));
            }
            if (stored == GgmlType::BF16) {
                EXPECT_EQ(err, 0.0) << name;  // as stored
                const void* mapped = source->file().data(info);
                EXPECT_EQ(source->tensor(kPrefix + name).raw(), mapped) << name << ": not a zero-copy view";
            } else {
                ++quantized;
                // Half a quantization step plus bf16 rounding (2^-9): q8_0 steps are absmax/127 of a
                // block; q4_k ones (max − min)/15 of a sub-block, up to 2·absmax/15, plus 6-bit scales.
                const double bound = stored == GgmlType::Q8_0 ? 8e-3 : 8e-2;
                EXPECT_LE(err, bound * absmax) << name << " " << ggml_type_name(stored);
            }
        }
        EXPECT_GT(quantized, 0u);
        EXPECT_TRUE(store.unused_names().empty());
    }
}

TEST_F(GgufWeights, TransformerLoadsFromGguf) {
    for (const char* type : {"q8_0", "q4_k"}) {
        SCOPED_TRACE(type);
        const WeightStore store = WeightStore::open(gguf(type), kPrefix);
        const LTXModel model = LTXModel::load(store);
        EXPECT_TRUE(model.bf16());
        EXPECT_TRUE(store.unused_names().empty());
    }
}

// The x0 fixture on GGUF weights. Its golden is float32 from the bf16 weights; the bf16 model
// itself is within rel 1e-2 of it (README tolerance 3e-2). q8_0 weights (about 0.4 % per
// block) leave the outputs within the same 3e-2; q4_k (about 4 % per block) within 1e-1.
TEST_F(GgufWeights, TransformerParityOnQuantizedWeights) {
    int rc = -1;
    const auto bf16 = parity_errors(kCheckpoint, 3e-2, &rc);
    EXPECT_EQ(rc, 0);
    const auto q8 = parity_errors(gguf("q8_0"), 3e-2, &rc);
    EXPECT_EQ(rc, 0);
    EXPECT_LE(max_of(q8), 3e-2);
    const auto q4 = parity_errors(gguf("q4_k"), 1e-1, &rc);
    EXPECT_EQ(rc, 0);
    EXPECT_LE(max_of(q4), 1e-1);
    for (const auto& [name, e] : bf16) {
        EXPECT_NE(q8.at(name), e) << name << ": q8_0 output identical to the bf16 one";
        EXPECT_NE(q4.at(name), e) << name << ": q4_k output identical to the bf16 one";
    }
    std::printf("max rel_err vs golden: bf16 %.3e, q8_0 %.3e, q4_k %.3e\n", max_of(bf16), max_of(q8), max_of(q4));
}

TEST_F(GgufWeights, ErrorsNameFileAndTensor) {
    const WeightStore store = WeightStore::open(gguf("q8_0"), kPrefix);
    expect_error([&] { store.get("no_such.weight", {4}); },
                 {gguf("q8_0"), "tensor 'model.diffusion_model.no_such.weight' is missing"});
    const std::string name = store.names().front();
    const Shape shape = WeightStore::open(kCheckpoint, kPrefix).get(name).shape();
    expect_error([&] { store.get(name, {3, 5}); },
                 {gguf("q8_0"), "tensor '" + kPrefix + name + "' has shape " + shape_str(shape), "expected (3, 5)"});
}

// A GGUF not from ltx2-quantize: no config; a merged 5-D shape restored from ltx2.original_shapes.
TEST(GgufWeightStore, OriginalShapesAndMissingConfig) {
    test::TempDir dir;
    const std::string path = dir.file("plain.gguf");
    std::vector<float> conv(2 * 3 * 2 * 2 * 2);
    for (size_t i = 0; i < conv.size(); ++i) conv[i] = float(i) - 7.5f;
    GgufWriter writer;
    writer.set_string("ltx2.original_shapes", R"({"conv.weight": [2, 3, 2, 2, 2]})");
    writer.add_tensor("conv.weight", GgmlType::F32, {6, 2, 2, 2}, conv.data());
    writer.write(path);

    const WeightStore store = WeightStore::open(path);
    const Tensor t = store.get("conv.weight", {2, 3, 2, 2, 2});
    EXPECT_EQ(t.dtype(), DType::F32);
    EXPECT_EQ(t.to_vector(), conv);
    expect_error([&] { store.config(); }, {path, "metadata has no 'ltx2.config' entry"});
    expect_error([&] { store.get("conv.weight", {6, 2, 2, 2}); },
                 {path, "tensor 'conv.weight' has shape (2, 3, 2, 2, 2), expected (6, 2, 2, 2)"});

    GgufWriter bad;
    bad.set_string("ltx2.original_shapes", R"({"conv.weight": [5, 5]})");
    bad.add_tensor("conv.weight", GgmlType::F32, {6, 2, 2, 2}, conv.data());
    bad.write(dir.file("bad.gguf"));
    expect_error([&] { WeightStore::open(dir.file("bad.gguf")); },
                 {dir.file("bad.gguf"), "ltx2.original_shapes", "conv.weight", "(5, 5)"});
}

}  // namespace
}  // namespace ltx2
