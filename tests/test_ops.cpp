// The op API (src/ops): dispatch on the tensors' device and the weight ops that read ggml blocks
// and float8 in place. The numeric ops themselves are covered by the kernel tests and the goldens.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "core/error.h"
#include "io/gguf.h"
#include "core/precision.h"
#include "core/random_tensor.h"
#include "ops/backend.h"
#include "ops/conv.h"
#include "ops/host.h"
#include "ops/linear.h"
#include "ops/norm.h"
#include "ops/rope.h"
#include "ops/weights.h"
#include "test_util.h"

using namespace ltx2;
using ltx2::test::max_abs_diff;

namespace {

const std::string kQuantVectors = std::string(LTX2_GOLDEN_DIR) + "/gguf/quant_vectors.gguf";

std::string error_of(const std::function<void()>& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return "(no error)";
}

void expect_bitwise_equal(const Tensor& a, const Tensor& b, const std::string& what) {
    ASSERT_EQ(a.shape(), b.shape()) << what;
    const std::vector<float> x = a.to_vector(), y = b.to_vector();
    for (size_t i = 0; i < x.size(); ++i)
        ASSERT_EQ(std::memcmp(&x[i], &y[i], 4), 0) << what << " at " << i << ": " << x[i] << " vs " << y[i];
}

}  // namespace

TEST(Ops, CpuTensorsRunOnTheCpuBackend) {
    EXPECT_STREQ(backend_for(Device::Cpu).name(), "cpu");
    const Tensor x = Tensor::from_f32({1, 2}, {1.f, 2.f});
    const Tensor w = Tensor::from_f32({3, 2}, {1.f, 0.f, 0.f, 1.f, 1.f, 1.f});
    EXPECT_EQ(linear(x, w, {}).to_vector(), (std::vector<float>{1.f, 2.f, 3.f}));
}

TEST(Ops, CheckedDeviceDataIsReachableOnlyThroughOps) {
    ASSERT_EQ(default_device(), Device::Cpu);  // the suite runs without LTX2_DEVICE
    const Tensor x = Tensor::from_f32({1, 2}, {1.f, 2.f});
    const Tensor w = Tensor::from_f32({3, 2}, {1.f, 0.f, 0.f, 1.f, 1.f, 1.f});  // host memory, as mapped weights
    const Tensor xc = x.to_device(Device::CheckedCpu);
    EXPECT_EQ(xc.device(), Device::CheckedCpu);
    EXPECT_EQ(error_of([&] { (void)xc.to_vector(); }),
              "a checked-cpu tensor (1, 2) was read or written by the host outside an op: on this device its data is "
              "reachable only through the op API (src/ops)");
    EXPECT_EQ(error_of([&] { (void)xc.f32(); }).substr(0, 40), "a checked-cpu tensor (1, 2) was read or ");

    const Tensor y = linear(xc, w, {});  // a host weight joins an op on the device; the output stays there
    EXPECT_EQ(y.device(), Device::CheckedCpu);
    EXPECT_EQ(copy_to_host(y), (std::vector<float>{1.f, 2.f, 3.f}));
    EXPECT_EQ(y.to_device(Device::Cpu).to_vector(), (std::vector<float>{1.f, 2.f, 3.f}));
    EXPECT_EQ(rms_norm(x, Tensor::from_f32({2}, {1.f, 1.f}).to_device(Device::CheckedCpu), 1e-6f).device(),
              Device::CheckedCpu);
    EXPECT_EQ(linear(x, w, {}).device(), Device::Cpu);  // host tensors only: the default device

    {
        const DeviceScope scope(Device::CheckedCpu);
        EXPECT_EQ(Tensor::zeros({2}).device(), Device::CheckedCpu);
        EXPECT_EQ(linear(x, w, {}).device(), Device::CheckedCpu);
    }
    EXPECT_EQ(Tensor::zeros({2}).device(), Device::Cpu);
}

TEST(Ops, ProductsRunAtTheExecutionPrecisionWhateverTheWeightDtype) {
    const Tensor x = random_uniform_tensor({5, 24}, DType::F32, 1.f, 1);
    const Tensor w32 = random_uniform_tensor({7, 24}, DType::F32, 0.3f, 2);
    const Tensor w16 = random_uniform_tensor({7, 24}, DType::BF16, 0.3f, 3);
    const Tensor bias = random_uniform_tensor({7}, DType::F32, 0.1f, 4);
    EXPECT_FALSE(execution_precision().has_value());
    // Without a scope the stored dtype decides (a model loaded as stored); with one, the scope does.
    const Tensor bf16_stored = linear(x, w16, bias), f32_stored = linear(x, w32, bias);
    const Tensor widened = linear(x, w16.to(DType::F32), bias), rounded = linear(x, w32.to(DType::BF16), bias);
    ASSERT_GT(max_abs_diff(bf16_stored, widened), 0.0);  // the two precisions do differ on these values
    ASSERT_GT(max_abs_diff(f32_stored, rounded), 0.0);
    {
        const PrecisionScope f32(Precision::F32);
        expect_bitwise_equal(linear(x, w16, bias), widened, "F32 scope, BF16 weight");
        expect_bitwise_equal(linear(x, w32, bias), f32_stored, "F32 scope, F32 weight");
        {
            const PrecisionScope bf16(Precision::BF16);  // scopes nest
            EXPECT_EQ(execution_precision(), Precision::BF16);
            expect_bitwise_equal(linear(x, w32, bias), rounded, "BF16 scope, F32 weight");
            Tensor y = Tensor::empty({5, 7});
            linear_into(x, w32, bias, y);
            expect_bitwise_equal(y, rounded, "BF16 scope, F32 weight, into");
            expect_bitwise_equal(linear(x, w16, bias), bf16_stored, "BF16 scope, BF16 weight");
        }
        EXPECT_EQ(execution_precision(), Precision::F32);
    }
    EXPECT_FALSE(execution_precision().has_value());
}

TEST(Ops, ConvolutionsRunAtTheExecutionPrecisionWhateverTheWeightDtype) {
    const Tensor x = random_uniform_tensor({1, 6, 9, 8}, DType::F32, 1.f, 5);
    const Tensor w32 = random_uniform_tensor({4, 6, 3, 3}, DType::F32, 0.3f, 6);
    const Tensor w16 = random_uniform_tensor({4, 6, 3, 3}, DType::BF16, 0.3f, 7);
    const Tensor t32 = random_uniform_tensor({6, 4, 2, 2}, DType::F32, 0.3f, 8);  // transposed: [Cin, Cout, k]
    ConvParams p;
    p.pad_before = p.pad_after = {1, 1};
    ConvTransposeParams tp;
    tp.strides = {2, 2};
    const Tensor widened = conv_nd(x, w16.to(DType::F32), {}, p), rounded = conv_nd(x, w32.to(DType::BF16), {}, p);
    const Tensor t_rounded = conv_transpose_nd(x, t32.to(DType::BF16), {}, tp);
    ASSERT_GT(max_abs_diff(conv_nd(x, w16, {}, p), widened), 0.0);
    ASSERT_GT(max_abs_diff(conv_nd(x, w32, {}, p), rounded), 0.0);
    {
        const PrecisionScope f32(Precision::F32);
        expect_bitwise_equal(conv_nd(x, w16, {}, p), widened, "F32 scope, BF16 conv weight");
    }
    const PrecisionScope bf16(Precision::BF16);
    for (int call = 0; call < 2; ++call) {  // the converted weight is not cached by its short-lived storage
        expect_bitwise_equal(conv_nd(x, w32, {}, p), rounded, "BF16 scope, F32 conv weight");
        expect_bitwise_equal(conv_transpose_nd(x, t32, {}, tp), t_rounded, "BF16 scope, F32 transposed weight");
    }
}

TEST(Ops, GgmlRowsAndMatvecReadTheBlocksInPlace) {
    const auto file = GgufFile::open(kQuantVectors);
    int checked = 0;
    for (const GgufTensorInfo& info : file->tensors()) {
        if (info.shape.size() != 2) continue;
        const GgmlTensor m = file->ggml_matrix(info.name);
        ASSERT_EQ(m.rows(), info.shape[0]) << info.name;
        ASSERT_EQ(m.cols, info.shape[1]) << info.name;
        const Tensor full = file->dequantize(info.name, DType::F32);
        const std::vector<int64_t> ids = {3, 0, 3};
        const Tensor rows = decode_ggml_rows(m, ids);
        for (size_t i = 0; i < ids.size(); ++i)
            expect_bitwise_equal(rows.select(0, int64_t(i)), full.select(0, ids[i]), info.name + " row");

        // W·x against the decoded matrix's product in float64.
        std::vector<float> xv(size_t(m.cols));
        for (size_t j = 0; j < xv.size(); ++j) xv[j] = std::sin(0.37f * float(j)) * 0.5f;
        const std::vector<float> y = ggml_matvec(m, Tensor::from_f32({1, 1, m.cols}, xv)).to_vector();
        const std::vector<float> wv = full.to_vector();
        ASSERT_EQ(int64_t(y.size()), m.rows());
        for (int64_t r = 0; r < m.rows(); ++r) {
            double want = 0, scale = 0;
            for (int64_t j = 0; j < m.cols; ++j) {
                want += double(wv[size_t(r * m.cols + j)]) * double(xv[size_t(j)]);
                scale += std::abs(double(wv[size_t(r * m.cols + j)]) * double(xv[size_t(j)]));
            }
            EXPECT_NEAR(y[size_t(r)], want, 1e-5 * scale + 1e-6) << info.name << " row " << r;
        }
        ++checked;
    }
    EXPECT_GE(checked, 15);  // x.f32 and the 14 encoded types

    const GgmlTensor q8 = file->ggml_matrix("x.q8_0");
    const std::vector<int64_t> outside = {1, 4};
    EXPECT_EQ(error_of([&] { (void)decode_ggml_rows(q8, outside); }),
              "ggml row lookup: row id 4 (entry 1) is outside [0, 4)");
    EXPECT_EQ(error_of([&] { (void)ggml_matvec(q8, Tensor::zeros({511})); }),
              "ggml matvec: the matrix takes 512 values, got (511,) 511");
}

TEST(Ops, DenseRowsAreGatheredAsFloat32) {
    std::vector<float> v(12);
    for (size_t i = 0; i < v.size(); ++i) v[i] = 0.1f * float(i) - 0.3f;
    const Tensor table = Tensor::from_f32({4, 3}, v).to(DType::BF16);
    const std::vector<int64_t> ids = {2, 2, 0};
    const Tensor rows = gather_rows(table, ids);
    EXPECT_EQ(rows.dtype(), DType::F32);
    for (size_t i = 0; i < ids.size(); ++i)
        expect_bitwise_equal(rows.select(0, int64_t(i)), table.select(0, ids[i]).to(DType::F32), "bf16 row");
    const std::vector<int64_t> negative = {-1};
    EXPECT_EQ(error_of([&] { (void)gather_rows(table, negative); }), "row lookup: row id -1 (entry 0) is outside [0, 4)");
}

TEST(Ops, Float8IsDecodedWithItsScaleToBf16) {
    const std::vector<uint8_t> codes = {0x00, 0x38, 0xb8, 0x40, 0x5a, 0x01};  // finite in both formats
    for (DType type : {DType::F8_E4M3, DType::F8_E5M2}) {
        Tensor w = Tensor::zeros({2, 3}, type);
        std::memcpy(w.raw(), codes.data(), codes.size());
        Tensor out = Tensor::empty({2, 3}, DType::BF16);
        decode_fp8_into(w, 0.75f, out);
        const std::vector<float> got = out.to_vector();
        for (size_t i = 0; i < codes.size(); ++i) {
            const float value = type == DType::F8_E4M3 ? fp8_e4m3_to_f32(codes[i]) : fp8_e5m2_to_f32(codes[i]);
            EXPECT_EQ(got[i], round_to_bf16(value * 0.75f)) << dtype_name(type) << " code " << int(codes[i]);
        }
    }
    Tensor out = Tensor::empty({6}, DType::BF16);
    EXPECT_EQ(error_of([&] { decode_fp8_into(Tensor::zeros({6}, DType::BF16), 1.f, out); }),
              "float8 decoding: expected contiguous F8_E4M3 or F8_E5M2 weights, got BF16");
}

TEST(Ops, RopeThreeAxisDefaultSplits) {
    EXPECT_EQ(rope_3axis_default_split(16), (std::array<int, 3>{4, 6, 6}));
    EXPECT_EQ(rope_3axis_default_split(64), (std::array<int, 3>{16, 24, 24}));
    ltx2::test::expect_error([] { rope_3axis_default_split(12); }, {"head_dim 12", "multiple of 8"});
}
