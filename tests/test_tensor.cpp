#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/storage.h"
#include "core/tensor.h"

using namespace ltx2;

namespace {

// 2x3x4 tensor holding 0..23.
Tensor iota234() {
    std::vector<float> v(24);
    for (int i = 0; i < 24; ++i) v[size_t(i)] = float(i);
    return Tensor::from_f32({2, 3, 4}, v);
}

bool same_storage(const Tensor& a, const Tensor& b) { return a.storage().get() == b.storage().get(); }

}  // namespace

TEST(Tensor, ShapeStrFormatsLikePython) {
    EXPECT_EQ(shape_str({1, 18, 128}), "(1, 18, 128)");
    EXPECT_EQ(shape_str({5}), "(5,)");
    EXPECT_EQ(shape_str({}), "()");
}

TEST(Tensor, ZerosAndFromF32) {
    Tensor z = Tensor::zeros({2, 3}, DType::BF16);
    EXPECT_EQ(z.numel(), 6);
    EXPECT_EQ(z.nbytes(), 12u);
    EXPECT_TRUE(z.is_contiguous());
    EXPECT_EQ(z.to_vector(), std::vector<float>(6, 0.0f));
    EXPECT_THROW(Tensor::from_f32({2, 2}, {1, 2, 3}), Error);
}

TEST(Tensor, SliceSharesStorageAndOffsets) {
    Tensor t = iota234();
    Tensor s = t.slice(2, 1, 3);
    EXPECT_TRUE(same_storage(t, s));
    EXPECT_EQ(s.shape(), (Shape{2, 3, 2}));
    EXPECT_FALSE(s.is_contiguous());
    EXPECT_EQ(s.at({1, 2, 0}), 21.0);
    EXPECT_EQ(s.to_vector(), (std::vector<float>{1, 2, 5, 6, 9, 10, 13, 14, 17, 18, 21, 22}));
    Tensor rows = t.slice(1, 1, 2);
    EXPECT_EQ(rows.to_vector(), (std::vector<float>{4, 5, 6, 7, 16, 17, 18, 19}));
    t.f32()[5] = 100.0f;
    EXPECT_EQ(rows.at({0, 0, 1}), 100.0) << "a view sees writes to its base";
    try {
        t.slice(1, 2, 4);
        FAIL() << "expected an error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("slice [2, 4) out of range"), std::string::npos) << e.what();
    }
}

TEST(Tensor, SelectDropsTheDimension) {
    Tensor t = iota234();
    Tensor s = t.select(1, 2);
    EXPECT_TRUE(same_storage(t, s));
    EXPECT_EQ(s.shape(), (Shape{2, 4}));
    EXPECT_EQ(s.to_vector(), (std::vector<float>{8, 9, 10, 11, 20, 21, 22, 23}));
    EXPECT_EQ(t.select(-1, 3).to_vector(), (std::vector<float>{3, 7, 11, 15, 19, 23}));
    EXPECT_THROW(t.select(3, 0), Error);
}

TEST(Tensor, PermuteAndTranspose) {
    Tensor t = iota234();
    Tensor p = t.permute({2, 0, 1});
    EXPECT_TRUE(same_storage(t, p));
    EXPECT_EQ(p.shape(), (Shape{4, 2, 3}));
    for (int64_t a = 0; a < 4; ++a)
        for (int64_t b = 0; b < 2; ++b)
            for (int64_t c = 0; c < 3; ++c) EXPECT_EQ(p.at({a, b, c}), t.at({b, c, a}));
    Tensor tr = t.transpose(0, 2);
    EXPECT_EQ(tr.shape(), (Shape{4, 3, 2}));
    EXPECT_EQ(tr.at({3, 1, 1}), t.at({1, 1, 3}));
    EXPECT_THROW(t.permute({0, 0, 1}), Error);
    EXPECT_THROW(t.permute({0, 1}), Error);
}

TEST(Tensor, ReshapeViewsContiguousAndCopiesStrided) {
    Tensor t = iota234();
    Tensor r = t.reshape({6, -1});
    EXPECT_TRUE(same_storage(t, r));
    EXPECT_EQ(r.shape(), (Shape{6, 4}));
    EXPECT_EQ(r.at({5, 3}), 23.0);
    Tensor strided = t.transpose(1, 2);
    Tensor r2 = strided.reshape({2, 12});
    EXPECT_FALSE(same_storage(strided, r2));
    EXPECT_EQ(r2.at({0, 1}), 4.0);  // (0, 0, 1) of the transpose is t(0, 1, 0)
    EXPECT_EQ(r2.to_vector(), strided.to_vector());
    EXPECT_THROW(t.reshape({5, -1}), Error);
    EXPECT_THROW(t.reshape({-1, -1}), Error);
    EXPECT_THROW(t.reshape({7}), Error);
}

TEST(Tensor, UnsqueezeAddsUnitDimension) {
    Tensor t = iota234();
    Tensor u = t.unsqueeze(1);
    EXPECT_TRUE(same_storage(t, u));
    EXPECT_EQ(u.shape(), (Shape{2, 1, 3, 4}));
    EXPECT_EQ(t.unsqueeze(-1).shape(), (Shape{2, 3, 4, 1}));
    EXPECT_EQ(u.at({1, 0, 2, 3}), 23.0);
}

TEST(Tensor, ContiguousAndToConvert) {
    Tensor t = iota234();
    EXPECT_TRUE(same_storage(t.contiguous(), t));
    EXPECT_TRUE(same_storage(t.to(DType::F32), t));
    Tensor tr = t.transpose(0, 1);
    Tensor c = tr.contiguous();
    EXPECT_TRUE(c.is_contiguous());
    EXPECT_FALSE(same_storage(c, t));
    EXPECT_EQ(c.to_vector(), tr.to_vector());
    EXPECT_EQ(c.f32()[4], 12.0f);  // (0, 1, 0) of the transpose is t(1, 0, 0)

    Tensor b = tr.to(DType::BF16);
    EXPECT_EQ(b.dtype(), DType::BF16);
    EXPECT_TRUE(b.is_contiguous());
    EXPECT_EQ(b.to_vector(), tr.to_vector());  // small integers are exact in bf16
    Tensor h = Tensor::from_f32({2}, {0.1f, 1000.5f}).to(DType::F16);
    EXPECT_NEAR(h.at({0}), 0.1, 1e-4);
    EXPECT_EQ(h.at({1}), 1000.5);
    Tensor clone = t.clone();
    EXPECT_FALSE(same_storage(clone, t));
    EXPECT_THROW(t.bf16(), Error);
    EXPECT_THROW(tr.f32(), Error);
}

TEST(Tensor, CopyFromHandlesStridesAndDtypes) {
    Tensor src = iota234().permute({2, 1, 0});  // (4, 3, 2), innermost stride 12
    Tensor dst = Tensor::zeros({4, 3, 2}, DType::BF16);
    dst.copy_from(src);
    for (int64_t a = 0; a < 4; ++a)
        for (int64_t b = 0; b < 3; ++b)
            for (int64_t c = 0; c < 2; ++c) EXPECT_EQ(dst.at({a, b, c}), double(c * 12 + b * 4 + a));
    Tensor wrong = Tensor::zeros({4, 3, 3});
    EXPECT_THROW(wrong.copy_from(src), Error);
    Tensor not_contig = Tensor::zeros({3, 4}).transpose(0, 1);
    EXPECT_THROW(not_contig.copy_from(Tensor::zeros({4, 3})), Error);
}

TEST(Tensor, ViewOfChecksBounds) {
    auto storage = std::make_shared<OwnedStorage>(16);
    Tensor ok = Tensor::view_of(storage, 8, {2}, DType::F32);
    EXPECT_EQ(ok.numel(), 2);
    try {
        Tensor::view_of(storage, 8, {3}, DType::F32);
        FAIL() << "expected an error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("exceeds storage of 16 bytes"), std::string::npos) << e.what();
    }
    EXPECT_THROW(Tensor::view_of(storage, 0, {-1}, DType::F32), Error);
    EXPECT_THROW(Tensor::view_of(storage, 0, {1, 1, 1, 1, 1, 1, 1}, DType::U8), Error);
}

TEST(Tensor, EmptyIsUninitialisedAndPoisonedUnderTheTestSuite) {
    ASSERT_TRUE(poison_uninitialised_memory())
        << "the suite runs with LTX2_POISON_UNINITIALISED=1 (ctest sets it; set it when running ltx2-tests directly)";
    const Tensor e = Tensor::empty({3, 5});
    EXPECT_EQ(e.shape(), (Shape{3, 5}));
    for (float v : e.to_vector()) EXPECT_TRUE(std::isnan(v));
    const Tensor b = Tensor::empty({7}, DType::BF16);
    for (float v : b.to_vector()) EXPECT_TRUE(std::isnan(v));
    for (float v : Tensor::zeros({3, 5}).to_vector()) EXPECT_EQ(v, 0.f);
    // Copies are written whole: none of the poison shows.
    for (float v : iota234().permute({2, 0, 1}).contiguous().to_vector()) EXPECT_FALSE(std::isnan(v));
    for (float v : iota234().to(DType::BF16).to_vector()) EXPECT_FALSE(std::isnan(v));
}

TEST(Tensor, NewTensorsAndTheirCopiesKeepTheirDevice) {
    EXPECT_EQ(Tensor::zeros({2}).device(), Device::Cpu);
    EXPECT_EQ(Tensor().device(), Device::Cpu);
    const Tensor checked = Tensor::zeros({2, 3}, DType::F32, Device::CheckedCpu);
    EXPECT_EQ(checked.device(), Device::CheckedCpu);
    EXPECT_EQ(Tensor::empty({2}, DType::BF16, Device::CheckedCpu).device(), Device::CheckedCpu);
    EXPECT_EQ(checked.transpose(0, 1).contiguous().device(), Device::CheckedCpu);
    EXPECT_EQ(checked.to(DType::BF16).device(), Device::CheckedCpu);
    EXPECT_EQ(checked.clone().device(), Device::CheckedCpu);
    EXPECT_STREQ(device_name(Device::CheckedCpu), "checked-cpu");
}
