#include "test_util.h"
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "core/dtype.h"
#include "core/error.h"
#include "io/gguf.h"
#include "io/gguf_writer.h"
#include "kernels/cpu/dequant.h"
#include "parity/kinds.h"

using namespace ltx2;
using namespace ltx2::cpu;
using ltx2::test::expect_error;
using ltx2::test::TempDir;

namespace {

const std::string kFixtureGguf = std::string(LTX2_GOLDEN_DIR) + "/gguf/quant_vectors.gguf";

std::string read_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

void write_bytes(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary);
    out.write(bytes.data(), std::streamsize(bytes.size()));
}

bool same_bits(float a, float b) { return std::memcmp(&a, &b, 4) == 0; }

// IEEE half bit patterns used below.
constexpr uint16_t kHalfOne = 0x3c00, kHalfHalf = 0x3800, kHalfQuarter = 0x3400, kHalfTwo = 0x4000;

// Little-endian GGUF bytes, written field by field (to build malformed files).
struct Bytes {
    std::string s;
    Bytes& u32(uint32_t v) { return raw(&v, 4); }
    Bytes& u64(uint64_t v) { return raw(&v, 8); }
    Bytes& f32(float v) { return raw(&v, 4); }
    Bytes& str(const std::string& v) {
        u64(v.size());
        s += v;
        return *this;
    }
    Bytes& raw(const void* p, size_t n) {
        s.append(static_cast<const char*>(p), n);
        return *this;
    }
    Bytes& header(uint64_t tensors, uint64_t kvs, uint32_t version = 3) {
        s += "GGUF";
        return u32(version).u64(tensors).u64(kvs);
    }
    // A tensor info: name, ggml dims (innermost first), type id, data offset.
    Bytes& tensor(const std::string& name, const std::vector<uint64_t>& dims, uint32_t type, uint64_t offset) {
        str(name).u32(uint32_t(dims.size()));
        for (uint64_t d : dims) u64(d);
        return u32(type).u64(offset);
    }
    Bytes& pad_to(size_t alignment) {
        s.append((alignment - s.size() % alignment) % alignment, '\0');
        return *this;
    }
    Bytes& zeros(size_t n) {
        s.append(n, '\0');
        return *this;
    }
};

// Writes `bytes` as a file and expects GgufFile::open to fail naming the file and each fragment.
void expect_open_error(const std::string& bytes, std::vector<std::string> fragments) {
    TempDir dir("ltx2-gguf-bad");
    const std::string path = dir.file("bad.gguf");
    write_bytes(path, bytes);
    fragments.push_back(path);
    expect_error([&] { GgufFile::open(path); }, fragments);
}

// One f32 tensor of 8 values at data offset 0, with the data.
std::string one_tensor_file(const std::vector<uint64_t>& dims, uint32_t type, uint64_t offset, size_t data_bytes) {
    Bytes b;
    b.header(1, 0).tensor("w", dims, type, offset).pad_to(32).zeros(data_bytes);
    return b.s;
}

std::vector<float> dequant(GgmlType type, const std::vector<uint8_t>& blocks, int64_t n) {
    std::vector<float> out(size_t(n), -1.0f);
    dequantize_row(type, blocks.data(), out.data(), n);
    std::vector<float> reference(size_t(n), -2.0f);
    dequantize_row_reference(type, blocks.data(), reference.data(), n);
    for (size_t i = 0; i < out.size(); ++i) EXPECT_TRUE(same_bits(out[i], reference[i])) << "SIMD vs scalar at " << i;
    return out;
}

void put_u16(std::vector<uint8_t>& b, size_t at, uint16_t v) { std::memcpy(b.data() + at, &v, 2); }

}  // namespace

// --- the ggml goldens ---

TEST(GgufFixture, DequantizesEveryTypeBitwiseAsGgml) {
    ltx2::test::expect_fixture_passes("gguf", "quant_vectors.io.safetensors", parity_gguf_dequant, 15);
}

TEST(GgufFixture, ReadsMetadataAndTensorInfos) {
    const auto g = GgufFile::open(kFixtureGguf);
    EXPECT_EQ(g->version(), 3u);
    EXPECT_EQ(g->alignment(), 32u);
    EXPECT_EQ(g->data_offset(), 1088u);
    EXPECT_EQ(g->metadata().size(), 7u);
    EXPECT_EQ(g->get_string("general.architecture"), "ltx2-test");
    EXPECT_EQ(g->get_string("general.name"), "quantization known-answer vectors");
    EXPECT_EQ(g->get_u32("test.nrows"), 4u);
    EXPECT_EQ(g->get_u32("test.ncols"), 512u);
    EXPECT_EQ(g->get_u64("test.ncols"), 512u);  // widening integer getters
    EXPECT_EQ(g->get_i64("test.nrows"), 4);
    EXPECT_EQ(g->get_f32("test.scale"), 0.5f);
    EXPECT_EQ(g->get_string_array("tokenizer.ggml.tokens"),
              (std::vector<std::string>{"<pad>", "<eos>", "<bos>", "\u2581hello", "<0x0A>"}));
    EXPECT_EQ(g->get_f32_array("tokenizer.ggml.scores"), (std::vector<float>{0, 0, 0, -1.5f, -100.0f}));

    ASSERT_EQ(g->tensors().size(), 15u);
    const GgufTensorInfo& q4k = g->info("x.q4_K");
    EXPECT_EQ(q4k.type, GgmlType::Q4_K);
    EXPECT_EQ(q4k.ggml_dims, (std::vector<int64_t>{512, 4}));
    EXPECT_EQ(q4k.shape, (Shape{4, 512}));
    EXPECT_EQ(q4k.numel, 2048);
    EXPECT_EQ(q4k.nbytes, 4u * 2u * 144u);
    EXPECT_EQ(q4k.offset, 1088u + 17312u);
    const Tensor raw = g->raw("x.q4_K");
    EXPECT_EQ(raw.dtype(), DType::U8);
    EXPECT_EQ(raw.shape(), (Shape{4, 288}));
    EXPECT_EQ(raw.raw(), static_cast<const void*>(g->data(q4k)));  // zero-copy
    const Tensor f16 = g->raw("x.f16");
    EXPECT_EQ(f16.dtype(), DType::F16);
    EXPECT_EQ(f16.shape(), (Shape{4, 512}));
    const Tensor f32 = g->raw("x.f32");
    EXPECT_EQ(f32.dtype(), DType::F32);
    EXPECT_EQ(f32.to_vector(), g->dequantize("x.f32").to_vector());
}

TEST(GgufFixture, Bf16OutputIsTheF32ResultRounded) {
    const auto g = GgufFile::open(kFixtureGguf);
    for (const auto& t : g->tensors()) {
        const Tensor f32 = g->dequantize(t.name);
        const Tensor bf16 = g->dequantize(t.name, DType::BF16);
        ASSERT_EQ(bf16.dtype(), DType::BF16);
        ASSERT_EQ(bf16.shape(), t.shape);
        for (int64_t i = 0; i < t.numel; ++i)
            ASSERT_EQ(bf16.bf16()[i], f32_to_bf16(f32.f32()[i])) << t.name << " element " << i;
    }
    expect_error([&] { g->dequantize("x.q8_0", DType::F16); }, {kFixtureGguf, "x.q8_0", "F32 or BF16", "F16"});
    expect_error([&] { g->dequantize("nope"); }, {kFixtureGguf, "no tensor 'nope'"});
}

// --- known-answer blocks, written from the format definitions ---

TEST(Dequant, Q8_0KnownAnswer) {
    // d (f16) = 0.5, then 32 int8 codes: x = d * q.
    std::vector<uint8_t> block(34);
    put_u16(block, 0, kHalfHalf);
    const int8_t codes[4] = {-128, -1, 0, 127};
    for (int j = 0; j < 32; ++j) block[2 + size_t(j)] = uint8_t(j < 4 ? codes[j] : int8_t(j - 16));
    const auto y = dequant(GgmlType::Q8_0, block, 32);
    EXPECT_EQ(y[0], -64.0f);
    EXPECT_EQ(y[1], -0.5f);
    EXPECT_TRUE(same_bits(y[2], 0.0f));
    EXPECT_EQ(y[3], 63.5f);
    for (int j = 4; j < 32; ++j) EXPECT_EQ(y[size_t(j)], 0.5f * float(j - 16)) << j;
}

TEST(Dequant, Q4_0KnownAnswer) {
    // d = 2; byte j holds value j (low nibble) and value j + 16 (high nibble), each code − 8.
    std::vector<uint8_t> block(18);
    put_u16(block, 0, kHalfTwo);
    for (int j = 0; j < 16; ++j) block[2 + size_t(j)] = uint8_t(j | ((15 - j) << 4));
    const auto y = dequant(GgmlType::Q4_0, block, 32);
    for (int j = 0; j < 16; ++j) {
        EXPECT_EQ(y[size_t(j)], 2.0f * float(j - 8)) << j;
        EXPECT_EQ(y[size_t(j) + 16], 2.0f * float(7 - j)) << j;
    }
}

TEST(Dequant, Q4_KKnownAnswer) {
    // d = 1, dmin = 0.5; 8 sub-blocks of 32 with 6-bit scales sc and mins m packed in 12 bytes:
    // bytes 0..3: sc[0..3] | (sc[4..7] >> 4) << 6; bytes 4..7: m[0..3] | (m[4..7] >> 4) << 6;
    // bytes 8..11: (sc[4..7] & 15) | (m[4..7] & 15) << 4. Then 128 bytes of nibbles: 64-value
    // chunk c uses bytes 32c..32c+31, low nibbles for sub-block 2c, high for 2c + 1.
    const int sc[8] = {1, 2, 3, 4, 33, 40, 63, 17};
    const int m[8] = {0, 1, 2, 3, 20, 31, 63, 5};
    const uint8_t packed[12] = {0x81, 0x82, 0xc3, 0x44, 0x40, 0x41, 0xc2, 0x03, 0x41, 0xf8, 0xff, 0x51};
    std::vector<uint8_t> block(144);
    put_u16(block, 0, kHalfOne);
    put_u16(block, 2, kHalfHalf);
    std::memcpy(block.data() + 4, packed, 12);
    for (int i = 0; i < 128; ++i) block[16 + size_t(i)] = uint8_t(i * 7 + 3);
    const auto y = dequant(GgmlType::Q4_K, block, 256);
    for (int e = 0; e < 256; ++e) {
        const int c = e / 64, r = e % 64, sub = 2 * c + r / 32;
        const uint8_t byte = block[16 + size_t(32 * c + r % 32)];
        const int q = r < 32 ? (byte & 15) : (byte >> 4);
        EXPECT_EQ(y[size_t(e)], float(sc[sub]) * float(q) - 0.5f * float(m[sub])) << e;
    }
}

TEST(Dequant, Q6_KKnownAnswer) {
    // ql[128] low nibbles, qh[64] high bit pairs, 16 int8 scales, d = 0.25. In each 128-value
    // half h, position l < 32 of quarter g takes its low 4 bits from ql[64h + l + 32(g & 1)]
    // (low nibble for g < 2, high for g >= 2), its high 2 bits from bits 2g..2g+1 of
    // qh[32h + l], is offset by −32, and is scaled by scales[8h + l / 16 + 2g].
    std::vector<uint8_t> block(210);
    for (int i = 0; i < 128; ++i) block[size_t(i)] = uint8_t(i * 13 + 5);
    for (int i = 0; i < 64; ++i) block[128 + size_t(i)] = uint8_t(i * 37 + 11);
    const int8_t scales[16] = {1, -1, 2, -2, 3, -3, 127, -128, 5, 6, 7, 8, -9, -10, -11, 12};
    std::memcpy(block.data() + 192, scales, 16);
    put_u16(block, 208, kHalfQuarter);
    const auto y = dequant(GgmlType::Q6_K, block, 256);
    for (int e = 0; e < 256; ++e) {
        const int h = e / 128, g = (e % 128) / 32, l = e % 32;
        const uint8_t low_byte = block[size_t(64 * h + l + 32 * (g & 1))];
        const int low = g < 2 ? (low_byte & 15) : (low_byte >> 4);
        const int high = (block[128 + size_t(32 * h + l)] >> (2 * g)) & 3;
        const int q = (low | (high << 4)) - 32;
        EXPECT_EQ(y[size_t(e)], 0.25f * float(scales[8 * h + l / 16 + 2 * g]) * float(q)) << e;
    }
}

TEST(Dequant, IQ4_NLKnownAnswer) {
    // d = 2; codes index the non-uniform 16-level table; byte j: value j (low), j + 16 (high).
    const float levels[16] = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};
    std::vector<uint8_t> block(18);
    put_u16(block, 0, kHalfTwo);
    for (int j = 0; j < 16; ++j) block[2 + size_t(j)] = uint8_t(j | ((15 - j) << 4));
    const auto y = dequant(GgmlType::IQ4_NL, block, 32);
    for (int j = 0; j < 16; ++j) {
        EXPECT_EQ(y[size_t(j)], 2.0f * levels[j]) << j;
        EXPECT_EQ(y[size_t(j) + 16], 2.0f * levels[15 - j]) << j;
    }
}

TEST(Dequant, Q5_0KnownAnswer) {
    // d = 1, qh (u32): bit j is the fifth bit of value j; codes − 16.
    std::vector<uint8_t> block(22);
    put_u16(block, 0, kHalfOne);
    const uint32_t qh = 0xa5a5f00fu;
    std::memcpy(block.data() + 2, &qh, 4);
    for (int j = 0; j < 16; ++j) block[6 + size_t(j)] = uint8_t(j | ((15 - j) << 4));
    const auto y = dequant(GgmlType::Q5_0, block, 32);
    for (int j = 0; j < 32; ++j) {
        const int low = j < 16 ? j : 15 - (j - 16);
        const int code = low | int(((qh >> j) & 1u) << 4);
        EXPECT_EQ(y[size_t(j)], float(code - 16)) << j;
    }
}

TEST(Dequant, F16ExactIncludingSubnormalsInfinityAndNaN) {
    const uint16_t halves[8] = {0x0001, 0x8000, 0x7c00, 0xfc00, 0x7d00, 0x03ff, 0x7bff, 0x3555};
    const uint32_t expected[8] = {0x33800000u, 0x80000000u, 0x7f800000u, 0xff800000u,
                                  0x7fe00000u,  // signalling NaN comes back quiet, payload kept
                                  0x387fc000u, 0x477fe000u, 0x3eaaa000u};
    std::vector<uint8_t> row(2 * 40);
    for (int i = 0; i < 40; ++i) put_u16(row, 2 * size_t(i), halves[i % 8]);  // SIMD body and tail
    const auto y = dequant(GgmlType::F16, row, 40);
    for (int i = 0; i < 40; ++i) {
        uint32_t bits;
        std::memcpy(&bits, &y[size_t(i)], 4);
        EXPECT_EQ(bits, expected[i % 8]) << i;
    }
}

TEST(Dequant, SimdPathsAndThreadsMatchTheScalarDecodersOnRandomBlocks) {
    std::mt19937 rng(7);
    for (GgmlType type : {GgmlType::F32, GgmlType::F16, GgmlType::BF16, GgmlType::Q4_0, GgmlType::Q4_1,
                          GgmlType::Q5_0, GgmlType::Q5_1, GgmlType::Q8_0, GgmlType::Q2_K, GgmlType::Q3_K,
                          GgmlType::Q4_K, GgmlType::Q5_K, GgmlType::Q6_K, GgmlType::IQ4_NL, GgmlType::IQ4_XS}) {
        const int64_t n = 3 * 65536;  // large enough for the parallel path
        std::vector<uint8_t> blocks(ggml_row_bytes(type, n));
        for (auto& b : blocks) b = uint8_t(rng());
        const size_t count = size_t(n);
        std::vector<float> reference(count), fast(count), parallel(count);
        std::vector<uint16_t> bf16(count);
        dequantize_row_reference(type, blocks.data(), reference.data(), n);
        dequantize_row(type, blocks.data(), fast.data(), n);
        dequantize(type, blocks.data(), parallel.data(), n);
        dequantize_bf16(type, blocks.data(), bf16.data(), n);
        for (size_t i = 0; i < count; ++i) {
            const bool both_nan = std::isnan(reference[i]) && std::isnan(fast[i]) && std::isnan(parallel[i]);
            ASSERT_TRUE(both_nan || (same_bits(fast[i], reference[i]) && same_bits(parallel[i], reference[i])))
                << ggml_type_name(type) << " element " << i << ": " << fast[i] << " / " << parallel[i] << " vs "
                << reference[i];
            // bf16: f32_to_bf16_array's rounding, whose AVX512-BF16 path flushes float32 subnormals.
            const bool subnormal = std::fpclassify(reference[i]) == FP_SUBNORMAL;
            const uint16_t flushed = std::signbit(reference[i]) ? 0x8000 : 0;
            const bool nan = std::isnan(reference[i]) && std::isnan(bf16_to_f32(bf16[i]));  // payloads may differ
            ASSERT_TRUE(bf16[i] == f32_to_bf16(reference[i]) || (subnormal && bf16[i] == flushed) || nan)
                << ggml_type_name(type) << " element " << i << ": " << bf16[i];
        }
    }
}

TEST(Dequant, RejectsPartialBlocks) {
    std::vector<uint8_t> blocks(144);
    std::vector<float> out(300);
    expect_error([&] { dequantize_row(GgmlType::Q4_K, blocks.data(), out.data(), 100); },
                 {"100 values of type q4_K", "256-value blocks"});
}

TEST(GgmlTypes, NamesIdsAndBlockGeometry) {
    EXPECT_EQ(ggml_type_name(GgmlType::Q4_K), "q4_K");
    GgmlType t;
    ASSERT_TRUE(ggml_type_from_name("iq4_xs", t));
    EXPECT_EQ(t, GgmlType::IQ4_XS);
    EXPECT_FALSE(ggml_type_from_name("Q4_K", t));
    EXPECT_EQ(ggml_row_bytes(GgmlType::Q6_K, 512), 420u);
    EXPECT_EQ(ggml_row_bytes(GgmlType::F16, 3), 6u);
    EXPECT_EQ(ggml_type_traits(12u)->block_bytes, 144u);
    EXPECT_EQ(ggml_type_traits(9u), nullptr);  // q8_1: ggml defines it, this engine does not read it
    EXPECT_EQ(ggml_type_describe(8), "q8_0 (8)");
    EXPECT_EQ(ggml_type_describe(16), "iq2_xxs (16), not supported");
    EXPECT_EQ(ggml_type_describe(4), "4 (unknown)");
    EXPECT_EQ(ggml_type_describe(1000), "1000 (unknown)");
}

// --- writer ---

TEST(GgufWriter, RewritesTheGgmlFixtureByteForByte) {
    // Same metadata, same tensors, same order: ggml's writer and ours agree on every byte.
    const auto src = GgufFile::open(kFixtureGguf);
    GgufWriter w;
    w.set_string("general.architecture", src->get_string("general.architecture"));
    w.set_string("general.name", src->get_string("general.name"));
    w.set_u32("test.nrows", src->get_u32("test.nrows"));
    w.set_u32("test.ncols", src->get_u32("test.ncols"));
    w.set_f32("test.scale", src->get_f32("test.scale"));
    w.set_string_array("tokenizer.ggml.tokens", src->get_string_array("tokenizer.ggml.tokens"));
    w.set_f32_array("tokenizer.ggml.scores", src->get_f32_array("tokenizer.ggml.scores"));
    for (const auto& t : src->tensors()) w.add_tensor(t.name, t.type, t.shape, src->data(t));
    TempDir dir("ltx2-gguf-w");
    const std::string path = dir.file("copy.gguf");
    w.write(path);
    EXPECT_EQ(read_bytes(path), read_bytes(kFixtureGguf));
    EXPECT_EQ(ltx2::test::temps_beside(path), std::vector<std::string>{});
}

TEST(GgufWriter, RoundTripsEveryValueTypeWithOtherAlignment) {
    TempDir dir("ltx2-gguf-w");
    const std::string path = dir.file("round.gguf");
    GgufWriter w(64);
    w.set_string("s", "h\u00e9llo");
    w.set_bool("b", true);
    w.set_u32("u32", 4000000000u);
    w.set_i32("i32", -7);
    w.set_u64("u64", uint64_t(1) << 63);
    w.set_i64("i64", -(int64_t(1) << 40));
    w.set_f32("f32", 0.1f);
    w.set_string_array("sa", {"a", "", "ccc"});
    w.set_f32_array("fa", {1.5f, -2.0f});
    w.set_i32_array("ia", {-1, 2, 2147483647});
    w.set_i32("i32", -8);  // replaces
    const std::vector<float> f32 = {1, 2, 3, 4, 5, 6};
    std::vector<uint8_t> q8(2 * 34, 0);
    put_u16(q8, 0, kHalfOne);
    q8[2] = 5;
    w.add_tensor("a", GgmlType::F32, {2, 3}, f32.data());
    w.add_tensor("q", GgmlType::Q8_0, {2, 32}, [&](std::byte* dst, size_t n) {
        ASSERT_EQ(n, q8.size());
        std::memcpy(dst, q8.data(), n);
    });
    w.write(path);

    const auto g = GgufFile::open(path);
    EXPECT_EQ(g->alignment(), 64u);
    EXPECT_EQ(g->get_u32("general.alignment"), 64u);
    EXPECT_EQ(g->get_string("s"), "h\u00e9llo");
    EXPECT_TRUE(g->get_bool("b"));
    EXPECT_EQ(g->get_u32("u32"), 4000000000u);
    EXPECT_EQ(g->get_i32("i32"), -8);
    EXPECT_EQ(g->get_u64("u64"), uint64_t(1) << 63);
    EXPECT_EQ(g->get_i64("i64"), -(int64_t(1) << 40));
    EXPECT_EQ(g->get_f32("f32"), 0.1f);
    EXPECT_EQ(g->get_string_array("sa"), (std::vector<std::string>{"a", "", "ccc"}));
    EXPECT_EQ(g->get_f32_array("fa"), (std::vector<float>{1.5f, -2.0f}));
    EXPECT_EQ(g->get_i32_array("ia"), (std::vector<int32_t>{-1, 2, 2147483647}));
    EXPECT_EQ(g->metadata().size(), 11u);  // general.alignment + 10 keys, "i32" once
    EXPECT_EQ(g->info("a").ggml_dims, (std::vector<int64_t>{3, 2}));
    EXPECT_EQ(g->dequantize("a").to_vector(), f32);
    EXPECT_EQ(g->info("q").offset % 64, 0u);
    EXPECT_EQ(g->data_offset() % 64, 0u);
    const auto q = g->dequantize("q").to_vector();
    EXPECT_EQ(q[0], 5.0f);
    EXPECT_EQ(q[1], 0.0f);
}

TEST(GgufWriter, RejectsBadTensorsAndLeavesNoPartialFile) {
    GgufWriter w;
    const float data[64] = {};
    expect_error([&] { w.add_tensor("t", GgmlType::Q4_0, {2, 48}, data); },
                 {"tensor 't'", "q4_0", "48", "block size 32"});
    expect_error([&] { w.add_tensor("t", GgmlType::F32, {1, 1, 1, 1, 1}, data); }, {"tensor 't'", "1 to 4 dims"});
    w.add_tensor("t", GgmlType::F32, {4}, data);
    expect_error([&] { w.add_tensor("t", GgmlType::F32, {4}, data); }, {"tensor 't' added twice"});
    expect_error([] { GgufWriter bad(48); }, {"alignment 48", "power of two"});

    TempDir dir("ltx2-gguf-w");
    const std::string path = dir.file("fails.gguf");
    GgufWriter throwing;
    throwing.add_tensor("x", GgmlType::F32, {4}, [](std::byte*, size_t) { fail("quantizer ran out of luck"); });
    expect_error([&] { throwing.write(path); }, {"out of luck"});
    EXPECT_FALSE(std::filesystem::exists(path));
    EXPECT_EQ(ltx2::test::temps_beside(path), std::vector<std::string>{});
    expect_error([&] { w.write(dir.file("no/such/dir/x.gguf")); }, {"no/such/dir/x.gguf", "cannot create"});
}

// --- malformed files: every check gives its message, never a crash ---

TEST(GgufReader, RejectsBadHeaders) {
    expect_open_error("GG", {"too short", "'GGUF'"});
    expect_open_error(Bytes().raw("GGML", 4).u32(3).u64(0).u64(0).s,
                      {"at offset 0", "bad magic 'GGML'", "expected 'GGUF'"});
    expect_open_error(Bytes().header(0, 0, 1).s, {"at offset 4", "unsupported GGUF version 1", "expected 3"});
    expect_open_error(Bytes().header(0, 0, 4).s, {"unsupported GGUF version 4"});
    expect_open_error(Bytes().header(0, 0, 0x03000000u).s, {"big-endian"});
    expect_open_error(Bytes().raw("GGUF", 4).u32(3).u32(0).s, {"at offset 8", "the tensor count needs 8 bytes"});
    expect_open_error(Bytes().header(1000000, 0).zeros(64).s, {"at offset 8", "tensor count 1000000 cannot fit"});
    expect_open_error(Bytes().header(0, uint64_t(1) << 60).s, {"at offset 16", "metadata count", "cannot fit"});
    // Version 2 has the same layout.
    TempDir dir("ltx2-gguf-v2");
    write_bytes(dir.file("v2.gguf"), Bytes().header(0, 0, 2).s);
    EXPECT_EQ(GgufFile::open(dir.file("v2.gguf"))->version(), 2u);
}

TEST(GgufReader, RejectsBadMetadata) {
    // A key whose length runs past the end of the file.
    expect_open_error(Bytes().header(0, 1).u64(1000).raw("abc", 3).zeros(16).s,
                      {"at offset 24", "key of metadata entry 0 has length 1000", "past the end of the file"});
    // A string value past the end.
    expect_open_error(Bytes().header(0, 1).str("k").u32(8).u64(99).raw("xy", 2).s,
                      {"metadata 'k' has length 99", "past the end"});
    // Unknown value type, unknown array element type, arrays of arrays.
    expect_open_error(Bytes().header(0, 1).str("k").u32(13).u32(0).s,
                      {"metadata 'k' type is the unknown value type 13"});
    expect_open_error(Bytes().header(0, 1).str("k").u32(9).u32(77).u64(0).s,
                      {"metadata 'k' array element type is the unknown value type 77"});
    expect_open_error(Bytes().header(0, 1).str("k").u32(9).u32(9).u64(0).s, {"metadata 'k'", "array of arrays"});
    // Array lengths past the end: fixed-size elements and strings.
    expect_open_error(Bytes().header(0, 1).str("k").u32(9).u32(4).u64(1000).u32(1).s,
                      {"metadata 'k'", "1000 values of 4 bytes do not fit"});
    expect_open_error(Bytes().header(0, 1).str("k").u32(9).u32(8).u64(uint64_t(1) << 61).zeros(16).s,
                      {"metadata 'k'", "strings do not fit"});
    expect_open_error(Bytes().header(0, 1).str("k").u32(9).u32(8).u64(2).str("a").u64(50).s,
                      {"metadata 'k' has length 50", "past the end"});
    // A fixed-size value cut short.
    expect_open_error(Bytes().header(0, 1).str("k").u32(10).u32(0).s, {"metadata 'k'", "1 values of 8 bytes"});
    // Empty and duplicate keys.
    expect_open_error(Bytes().header(0, 1).str("").u32(0).zeros(2).s, {"metadata entry 0 has an empty key"});
    expect_open_error(Bytes().header(0, 2).str("k").u32(0).zeros(1).str("k").u32(0).zeros(1).s,
                      {"duplicate metadata key 'k'"});
    // general.alignment: u32 and a power of two.
    expect_open_error(Bytes().header(0, 1).str("general.alignment").u32(10).u64(32).s,
                      {"'general.alignment' is u64, expected u32"});
    expect_open_error(Bytes().header(0, 1).str("general.alignment").u32(4).u32(48).s,
                      {"'general.alignment' is 48", "power of two"});
}

TEST(GgufReader, RejectsBadTensorInfos) {
    expect_open_error(one_tensor_file({8}, 99, 0, 32), {"tensor 'w' has ggml type 99 (unknown)"});
    expect_open_error(one_tensor_file({256}, 16, 0, 256), {"tensor 'w' has ggml type iq2_xxs (16), not supported"});
    expect_open_error(one_tensor_file({}, 0, 0, 32), {"tensor 'w' has 0 dimensions, expected 1 to 4"});
    expect_open_error(one_tensor_file({1, 1, 1, 1, 1}, 0, 0, 32), {"tensor 'w' has 5 dimensions"});
    expect_open_error(one_tensor_file({uint64_t(1) << 62, 4}, 0, 0, 32), {"tensor 'w' dimensions overflow"});
    expect_open_error(one_tensor_file({uint64_t(1) << 63}, 0, 0, 32), {"tensor 'w' dimensions overflow"});
    expect_open_error(one_tensor_file({uint64_t(1) << 62}, 0, 0, 32), {"tensor 'w' byte size overflows"});
    // Zero elements, but dims whose product (and row bytes) would overflow: found by ltx2-fuzz-gguf.
    expect_open_error(one_tensor_file({0, uint64_t(1) << 62, 4}, 0, 0, 32), {"tensor 'w' dimensions overflow"});
    expect_open_error(one_tensor_file({uint64_t(1) << 62, 0}, 0, 0, 32), {"tensor 'w' byte size overflows"});
    expect_open_error(one_tensor_file({48, 2}, 2, 0, 128),
                      {"tensor 'w' of type q4_0 has 48 values per row", "block size 32"});
    expect_open_error(one_tensor_file({8}, 0, 4, 64), {"tensor 'w' data offset 4", "alignment 32"});
    expect_open_error(one_tensor_file({8}, 0, 0, 31), {"tensor 'w' data (32 bytes at data offset 0)", "past the end"});
    expect_open_error(one_tensor_file({8}, 0, uint64_t(1) << 63, 32), {"tensor 'w'", "past the end"});
    // The tensor name cut short, and the infos ending where the padded data section would begin.
    expect_open_error(Bytes().header(1, 0).u64(40).raw("w", 1).zeros(31).s, {"the name of tensor 0 has length 40"});
    expect_open_error(Bytes().header(1, 0).tensor("w", {0}, 0, 0).s, {"data section would start at offset 64"});
    // Two tensors: the same name; overlapping data.
    Bytes dup;
    dup.header(2, 0).tensor("w", {8}, 0, 0).tensor("w", {8}, 0, 32).pad_to(32).zeros(64);
    expect_open_error(dup.s, {"duplicate tensor name 'w'"});
    Bytes overlap;
    overlap.header(2, 0).tensor("a", {16}, 0, 0).tensor("b", {8}, 0, 32).pad_to(32).zeros(64);
    expect_open_error(overlap.s, {"tensors 'a'", "'b'", "overlap"});
}

TEST(GgufReader, ZeroSizedTensorsAreValid) {
    TempDir dir("ltx2-gguf-empty");
    write_bytes(dir.file("e.gguf"), one_tensor_file({0, 3}, 12, 0, 0));
    const auto g = GgufFile::open(dir.file("e.gguf"));
    EXPECT_EQ(g->info("w").numel, 0);
    EXPECT_EQ(g->dequantize("w").shape(), (Shape{3, 0}));
}

TEST(GgufReader, GettersNameTheKeyAndTheActualType) {
    const auto g = GgufFile::open(kFixtureGguf);
    expect_error([&] { g->get_u32("general.architecture"); },
                 {kFixtureGguf, "metadata 'general.architecture' is string, expected u32"});
    expect_error([&] { g->get_string("test.nrows"); }, {"metadata 'test.nrows' is u32, expected string"});
    expect_error([&] { g->get_f32("test.nrows"); }, {"'test.nrows' is u32, expected f32"});
    expect_error([&] { g->get_bool("test.scale"); }, {"'test.scale' is f32, expected bool"});
    expect_error([&] { g->get_f32_array("tokenizer.ggml.tokens"); },
                 {"'tokenizer.ggml.tokens' is an array of 5 string, expected an array of f32"});
    expect_error([&] { g->get_string_array("tokenizer.ggml.scores"); },
                 {"'tokenizer.ggml.scores' is an array of 5 f32, expected an array of string"});
    expect_error([&] { g->get_i32_array("tokenizer.ggml.scores"); }, {"expected an array of i32"});
    expect_error([&] { g->get_string("nope"); }, {kFixtureGguf, "metadata key 'nope' is missing"});
    expect_error([&] { g->get_u32("nope"); }, {"metadata key 'nope' is missing"});
    expect_error([&] { g->info("nope"); }, {kFixtureGguf, "no tensor 'nope'"});
    EXPECT_FALSE(g->has_key("nope"));
    EXPECT_TRUE(g->has("x.iq4_xs"));

    TempDir dir("ltx2-gguf-int");
    GgufWriter w;
    w.set_i32("neg", -1);
    w.set_u64("big", uint64_t(1) << 40);
    w.write(dir.file("ints.gguf"));
    const auto ints = GgufFile::open(dir.file("ints.gguf"));
    expect_error([&] { ints->get_u32("neg"); }, {"metadata 'neg' (i32) is -1, which does not fit u32"});
    expect_error([&] { ints->get_u32("big"); }, {"'big' (u64) is 1099511627776, which does not fit u32"});
    EXPECT_EQ(ints->get_i64("neg"), -1);
    EXPECT_EQ(ints->get_i64("big"), int64_t(1) << 40);
}

TEST(GgufReader, SurvivesRandomCorruptionOfTheFixture) {
    // Flips or truncates bytes (mostly in the header, where the structure is) a few hundred
    // times under a fixed seed: opening and reading everything must succeed or throw Error.
    const std::string original = read_bytes(kFixtureGguf);
    ASSERT_GT(original.size(), 2000u);
    TempDir dir("ltx2-gguf-fuzz");
    const std::string path = dir.file("fuzz.gguf");
    std::mt19937 rng(20260821);
    int opened = 0, rejected = 0;
    for (int iter = 0; iter < 400; ++iter) {
        std::string bytes = original;
        const int mode = int(rng() % 4);
        if (mode == 0) {
            bytes.resize(rng() % bytes.size());
        } else {
            const size_t region = mode == 3 ? bytes.size() : 1100;  // the header is 1087 bytes
            const int flips = 1 + int(rng() % 8);
            for (int k = 0; k < flips; ++k) bytes[rng() % region] ^= char(1u << (rng() % 8));
        }
        write_bytes(path, bytes);
        try {
            const auto g = GgufFile::open(path);
            for (const auto& kv : g->metadata()) {
                try {
                    if (kv.type == GgufValueType::STRING) g->get_string(kv.key);
                    else if (kv.type == GgufValueType::F32) g->get_f32(kv.key);
                    else if (kv.type == GgufValueType::ARRAY && kv.element_type == GgufValueType::STRING)
                        g->get_string_array(kv.key);
                    else if (kv.type == GgufValueType::ARRAY) g->get_i32_array(kv.key);
                    else g->get_u64(kv.key);
                } catch (const Error&) {
                }
            }
            for (const auto& t : g->tensors()) {
                g->raw(t.name);
                g->dequantize(t.name);
            }
            ++opened;
        } catch (const Error&) {
            ++rejected;
        }
    }
    EXPECT_GT(rejected, 100);
    EXPECT_GT(opened, 20);
}
