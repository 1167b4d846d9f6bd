// LTX-2 transformer GGUFs written by other tools: ComfyUI-GGUF's convert.py (general.architecture
// "ltxv", the `model.diffusion_model.` prefix stripped, no config, reshaped tensors recorded as
// `comfy.gguf.orig_shape.NAME`) and stable-diffusion.cpp (no architecture, the checkpoint's own
// names). Their config comes from the official checkpoint (`ltx2 --transformer`, `ltx2-parity
// --weights`); a GGUF of another architecture is refused.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "app/demo_model.h"
#include "io/gguf_writer.h"
#include "io/safetensors.h"
#include "io/weight_store.h"
#include "kernels/cpu/quantize.h"
#include "pipelines/model_loading.h"
#include "test_util.h"

namespace ltx2 {
using namespace ltx2::cpu;
namespace {

using test::expect_error;
using test::run_command;

const std::string kGolden = std::string(LTX2_GOLDEN_DIR) + "/transformer/";
const std::string kCheckpoint = kGolden + "av_tiny_bf16.model.safetensors";
const std::string kFixture = kGolden + "av_tiny_bf16.io.safetensors";
const std::string kPrefix = "model.diffusion_model.";

enum class Layout { ComfyUi, StableDiffusionCpp };

// The transformer tensors of `checkpoint` as the other tool writes them: matrices whose rows are
// whole Q8_0 blocks quantized (ComfyUI-GGUF; sd.cpp: F16), the rest F32. ComfyUI's reshape of a
// tensor to rows of 256 is applied to one matrix so its orig_shape record is exercised.
void write_foreign_gguf(const std::string& checkpoint, const std::string& path, Layout layout,
                        const std::string& architecture = "ltxv") {
    auto file = SafetensorsFile::open(checkpoint);
    GgufWriter w;
    if (layout == Layout::ComfyUi) w.set_string("general.architecture", architecture);
    std::vector<std::vector<float>> values;  // kept alive until write()
    std::vector<std::vector<std::byte>> blocks;
    bool reshaped = false;
    for (const auto& e : file->entries()) {
        if (!e.name.starts_with(kPrefix)) continue;
        const std::string name = layout == Layout::ComfyUi ? e.name.substr(kPrefix.size()) : e.name;
        values.push_back(file->tensor(e.name).to_vector());
        const std::vector<float>& v = values.back();
        Shape shape = e.shape;
        const bool matrix = shape.size() == 2 && name.ends_with(".weight");
        if (layout == Layout::StableDiffusionCpp) {
            blocks.emplace_back(v.size() * (matrix ? 2 : 4));
            if (matrix) {
                auto* h = reinterpret_cast<uint16_t*>(blocks.back().data());
                for (size_t i = 0; i < v.size(); ++i) h[i] = f32_to_f16(v[i]);
            } else {
                std::memcpy(blocks.back().data(), v.data(), v.size() * 4);
            }
            w.add_tensor(name, matrix ? GgmlType::F16 : GgmlType::F32, shape, blocks.back().data());
            continue;
        }
        if (matrix && shape[1] % 32 == 0) {
            if (!reshaped && shape_numel(shape) % 256 == 0 && shape[1] != 256) {
                w.set_i32_array("comfy.gguf.orig_shape." + name, {int32_t(shape[0]), int32_t(shape[1])});
                shape = {shape_numel(shape) / 256, 256};
                reshaped = true;
            }
            blocks.emplace_back(size_t(shape_numel(shape)) / 32 * 34);
            quantize(GgmlType::Q8_0, v.data(), blocks.back().data(), int64_t(v.size()));
            w.add_tensor(name, GgmlType::Q8_0, shape, blocks.back().data());
        } else {
            w.add_tensor(name, GgmlType::F32, shape, v.data());
        }
    }
    ASSERT_TRUE(layout != Layout::ComfyUi || reshaped);
    w.write(path);
}

std::vector<double> parity_errors(const std::string& weights, double tol, int* exit_code) {
    std::vector<double> errors;
    for (const auto& [name, e] : test::parity_output_errors(kFixture, weights, tol, exit_code)) errors.push_back(e);
    EXPECT_EQ(errors.size(), 4u);
    return errors;
}

TEST(LtxForeignGguf, ComfyUiLayoutRunsTheGoldenWithTheCheckpointsConfig) {
    test::TempDir dir("ltx2-foreign");
    const std::string path = dir.file("ltx-2-Q8_0.gguf");
    write_foreign_gguf(kCheckpoint, path, Layout::ComfyUi);

    const WeightStore store = WeightStore::open(path, kPrefix);
    EXPECT_FALSE(store.has_config());
    EXPECT_EQ(store.gguf_architecture(), "ltxv");
    EXPECT_TRUE(store.has("transformer_blocks.0.attn1.to_q.weight")) << "names without the prefix are served";

    auto model = load_transformer(LtxFilePaths{kCheckpoint, path}, {}, Precision::BF16);
    EXPECT_EQ(model->config().num_layers, 2);
    EXPECT_TRUE(model->bf16());
    expect_error([&] { load_transformer(kCheckpoint + ".absent", {}, Precision::BF16); }, {".absent"});
    expect_error([&] { (void)LTXModel::load(store); }, {path, "ltx2.config"});

    // Same bound as the q8_0 copies written by ltx2-quantize (tests/test_gguf_weights.cpp):
    // the bf16 model itself is within 1e-2 of the float32 golden; q8_0 adds ~0.4 % per block.
    int rc = -1;
    for (double e : parity_errors(path, 3e-2, &rc)) EXPECT_LE(e, 3e-2);
    EXPECT_EQ(rc, 0);
}

TEST(LtxForeignGguf, StableDiffusionCppLayoutKeepsThePrefix) {
    test::TempDir dir("ltx2-foreign");
    const std::string path = dir.file("ltx-2-f16.gguf");
    write_foreign_gguf(kCheckpoint, path, Layout::StableDiffusionCpp);
    const WeightStore store = WeightStore::open(path, kPrefix);
    EXPECT_FALSE(store.gguf_architecture().has_value());
    // F16 (10 mantissa bits) holds every bf16 weight in its normal range exactly; only weights
    // below 2^-14 round. The fixture passes at its own bf16 tolerance.
    int rc = -1;
    for (double e : parity_errors(path, 3e-2, &rc)) EXPECT_LE(e, 3e-2);
    EXPECT_EQ(rc, 0);
}

TEST(LtxForeignGguf, AnotherArchitectureIsRefused) {
    test::TempDir dir("ltx2-foreign");
    const std::string path = dir.file("llama.gguf");
    write_foreign_gguf(kCheckpoint, path, Layout::ComfyUi, "llama");
    expect_error([&] { load_transformer(LtxFilePaths{kCheckpoint, path}, {}, Precision::BF16); },
                 {path, "architecture 'llama' is not an LTX-2 transformer", "'ltxv'"});
}

TEST(LtxForeignGguf, ProgramTakesATransformerGguf) {
    const std::string demo = ensure_demo_model(LTX2_TEST_DEMO_DIR);
    test::TempDir dir("ltx2-foreign");
    const std::string gguf = dir.file("demo-transformer-Q8_0.gguf");
    write_foreign_gguf(demo + "/ltx-2-19b-distilled.safetensors", gguf, Layout::ComfyUi);
    const std::string out = dir.file("out.mp4");
    const auto r = run_command(fmt::format("LTX2_DEMO_DIR='{}' '{}' --demo --progress plain -p 'a boat' --frames 9 "
                                           "--transformer '{}' -o '{}'",
                                           LTX2_TEST_DEMO_DIR, LTX2_BIN, gguf, out));
    ASSERT_EQ(r.exit_code, 0) << r.output;
    EXPECT_TRUE(std::filesystem::exists(out));

    const auto bad = run_command(fmt::format("'{}' --demo -p x --transformer '{}' -o '{}'", LTX2_BIN,
                                             dir.file("absent.gguf"), dir.file("bad.mp4")));
    EXPECT_NE(bad.exit_code, 0);
    EXPECT_NE(bad.output.find("--transformer"), std::string::npos) << bad.output;
    EXPECT_FALSE(std::filesystem::exists(dir.file("bad.mp4")));
}

}  // namespace
}  // namespace ltx2
