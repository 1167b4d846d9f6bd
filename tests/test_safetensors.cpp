#include "test_util.h"
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "core/error.h"
#include "io/safetensors.h"

namespace fs = std::filesystem;
using namespace ltx2;
using ltx2::test::TempDir;
using ltx2::test::expect_error;

namespace {


void write_bytes(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary);
    out.write(bytes.data(), std::streamsize(bytes.size()));
}

std::string read_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

std::string le_u64(uint64_t v) {
    std::string out(8, '\0');
    for (int i = 0; i < 8; ++i) out[size_t(i)] = char((v >> (8 * i)) & 0xff);
    return out;
}

// A safetensors file from a header text and `data_bytes` bytes of data section.
std::string st_bytes(const std::string& header, size_t data_bytes) {
    return le_u64(header.size()) + header + std::string(data_bytes, '\x01');
}


}  // namespace

TEST(Safetensors, RoundTripSeveralDtypesAndStridedView) {
    TempDir dir("ltx2-st");
    const std::string path = dir.file("round.safetensors");

    Tensor f32 = Tensor::from_f32({2, 3}, {1, 2, 3, 4, 5, 6});
    Tensor bf16 = Tensor::from_f32({3}, {1.5f, -2.0f, 0.25f}).to(DType::BF16);
    Tensor f16 = Tensor::from_f32({2}, {0.5f, -65504.0f}).to(DType::F16);
    Tensor fp8 = Tensor::from_f32({4}, {1.0f, -448.0f, 0.125f, 0.0f}).to(DType::F8_E4M3);
    Tensor i64 = Tensor::zeros({2}, DType::I64);
    i64.data<int64_t>()[0] = -7;
    i64.data<int64_t>()[1] = int64_t(1) << 40;
    Tensor u8 = Tensor::zeros({3}, DType::U8);
    u8.data<uint8_t>()[2] = 200;
    Tensor base = Tensor::from_f32({3, 4}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
    Tensor strided = base.transpose(0, 1).slice(0, 1, 3);  // (2, 3): rows 1..2 of the transpose
    ASSERT_FALSE(strided.is_contiguous());
    Tensor empty = Tensor::zeros({0, 4}, DType::F32);
    Tensor scalar = Tensor::from_f32({}, {42.0f});

    write_safetensors(path,
                      {{"u8", u8}, {"f32", f32}, {"bf16", bf16}, {"f16", f16}, {"fp8", fp8}, {"i64", i64},
                       {"strided", strided}, {"empty", empty}, {"scalar", scalar}},
                      {{"config", R"({"a": 1})"}, {"note", "hello"}});

    auto file = SafetensorsFile::open(path);
    EXPECT_EQ(file->entries().size(), 9u);
    EXPECT_EQ(file->data_offset() % 8, 0u) << "header must be padded to a multiple of 8";
    for (const auto& e : file->entries())
        EXPECT_EQ(e.begin % dtype_size(e.dtype), 0u) << e.name << " is not aligned to its element size";
    EXPECT_EQ(file->metadata_value("config").value_or(""), R"({"a": 1})");
    EXPECT_EQ(file->metadata_value("note").value_or(""), "hello");
    EXPECT_FALSE(file->metadata_value("absent").has_value());

    Tensor r = file->tensor("f32");
    EXPECT_EQ(r.dtype(), DType::F32);
    EXPECT_EQ(r.shape(), (Shape{2, 3}));
    EXPECT_EQ(r.to_vector(), (std::vector<float>{1, 2, 3, 4, 5, 6}));
    EXPECT_EQ(r.storage().get(), static_cast<Storage*>(file->mapping().get())) << "tensor must be a zero-copy view";
    EXPECT_FALSE(r.storage()->writable());

    EXPECT_EQ(file->tensor("bf16").dtype(), DType::BF16);
    EXPECT_EQ(file->tensor("bf16").to_vector(), (std::vector<float>{1.5f, -2.0f, 0.25f}));
    EXPECT_EQ(file->tensor("f16").to_vector(), (std::vector<float>{0.5f, -65504.0f}));
    EXPECT_EQ(file->tensor("fp8").dtype(), DType::F8_E4M3);
    EXPECT_EQ(file->tensor("fp8").to_vector(), (std::vector<float>{1.0f, -448.0f, 0.125f, 0.0f}));
    Tensor ri64 = file->tensor("i64");
    EXPECT_EQ(ri64.data<int64_t>()[0], -7);
    EXPECT_EQ(ri64.data<int64_t>()[1], int64_t(1) << 40);
    EXPECT_EQ(file->tensor("u8").data<uint8_t>()[2], 200);
    EXPECT_EQ(file->tensor("strided").shape(), (Shape{2, 3}));
    EXPECT_EQ(file->tensor("strided").to_vector(), (std::vector<float>{1, 5, 9, 2, 6, 10}));
    EXPECT_EQ(file->tensor("empty").shape(), (Shape{0, 4}));
    EXPECT_EQ(file->tensor("scalar").dim(), 0);
    EXPECT_EQ(file->tensor("scalar").to_vector(), (std::vector<float>{42.0f}));

    EXPECT_TRUE(file->has("f32"));
    EXPECT_EQ(file->find("nope"), nullptr);
    expect_error([&] { file->tensor("nope"); }, {path, "no tensor 'nope'"});
}

TEST(Safetensors, WriterWithoutMetadataOmitsIt) {
    TempDir dir("ltx2-st");
    const std::string path = dir.file("plain.safetensors");
    write_safetensors(path, {{"x", Tensor::from_f32({1}, {3.0f})}});
    const std::string bytes = read_bytes(path);
    EXPECT_EQ(bytes.find("__metadata__"), std::string::npos);
    auto file = SafetensorsFile::open(path);
    EXPECT_TRUE(file->metadata().empty());
    EXPECT_EQ(file->tensor("x").to_vector(), std::vector<float>{3.0f});
}

TEST(Safetensors, MalformedHeadersAreRejectedWithReasons) {
    struct Case {
        const char* what;
        std::string bytes;
        std::vector<std::string> fragments;  // besides the path
    };
    const std::string ok_entry = R"("t": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]})";
    std::vector<Case> cases = {
        {"empty file", "", {"shorter than the 8-byte"}},
        {"7 bytes", std::string(7, '\0'), {"7 bytes", "shorter than the 8-byte"}},
        {"header length past the end", le_u64(100) + "{}", {"header length 100 exceeds"}},
        {"absurd header length", le_u64(uint64_t(1) << 62) + "{}", {"absurdly large"}},
        {"max header length", le_u64(~uint64_t(0)) + "{}", {"absurdly large"}},
        {"malformed JSON", st_bytes(R"({"t": {"dtype": )", 0), {"not valid JSON"}},
        {"binary garbage", st_bytes(std::string("\xff\xfe\x00{", 4), 0), {"not valid JSON"}},
        {"not an object", st_bytes(R"([1, 2, 3])", 0), {"must be a JSON object", "array"}},
        {"entry not an object", st_bytes(R"({"t": 5})", 0), {"tensor 't'", "must be a JSON object"}},
        {"missing dtype", st_bytes(R"({"t": {"shape": [2], "data_offsets": [0, 8]}})", 8),
         {"tensor 't'", "missing 'dtype'"}},
        {"missing shape", st_bytes(R"({"t": {"dtype": "F32", "data_offsets": [0, 8]}})", 8),
         {"tensor 't'", "missing 'shape'"}},
        {"missing data_offsets", st_bytes(R"({"t": {"dtype": "F32", "shape": [2]}})", 8),
         {"tensor 't'", "missing 'data_offsets'"}},
        {"dtype not a string", st_bytes(R"({"t": {"dtype": 3, "shape": [2], "data_offsets": [0, 8]}})", 8),
         {"tensor 't'", "'dtype' must be a string"}},
        {"shape not an array", st_bytes(R"({"t": {"dtype": "F32", "shape": 2, "data_offsets": [0, 8]}})", 8),
         {"tensor 't'", "'shape' must be an array"}},
        {"fractional dim", st_bytes(R"({"t": {"dtype": "F32", "shape": [2.5], "data_offsets": [0, 8]}})", 8),
         {"tensor 't'", "must be integers"}},
        {"offsets not a pair", st_bytes(R"({"t": {"dtype": "F32", "shape": [2], "data_offsets": [0]}})", 8),
         {"tensor 't'", "'data_offsets' must be an array [begin, end]"}},
        {"offsets not numbers", st_bytes(R"({"t": {"dtype": "F32", "shape": [2], "data_offsets": ["0", 8]}})", 8),
         {"tensor 't'", "non-negative integers"}},
        {"negative offset", st_bytes(R"({"t": {"dtype": "F32", "shape": [2], "data_offsets": [-8, 0]}})", 8),
         {"tensor 't'", "non-negative integers"}},
        {"unknown dtype", st_bytes(R"({"t": {"dtype": "F4", "shape": [2], "data_offsets": [0, 1]}})", 8),
         {"tensor 't'", "unknown dtype 'F4'", "known:", "F32", "BF16", "F8_E4M3"}},
        {"negative dim", st_bytes(R"({"t": {"dtype": "F32", "shape": [-2], "data_offsets": [0, 8]}})", 8),
         {"tensor 't'", "negative dimension -2"}},
        {"size mismatch", st_bytes(R"({"t": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}})", 8),
         {"tensor 't'", "needs 12 bytes", "span 8 bytes"}},
        {"overflowing shape",
         st_bytes(R"({"t": {"dtype": "F32", "shape": [4294967296, 4294967296], "data_offsets": [0, 8]}})", 8),
         {"tensor 't'", "overflows"}},
        {"end beyond data", st_bytes(R"({"t": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}})", 8),
         {"tensor 't'", "beyond the data section of 8 bytes"}},
        {"begin after end", st_bytes(R"({"t": {"dtype": "F32", "shape": [0], "data_offsets": [8, 0]}})", 8),
         {"tensor 't'", "begin 8 > end 0"}},
        {"overlap",
         st_bytes(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},)"
                  R"( "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}})",
                  12),
         {"'a' [0, 8]", "'b' [4, 12]", "overlap"}},
        {"overlap hidden behind a long span",
         st_bytes(R"({"a": {"dtype": "U8", "shape": [16], "data_offsets": [0, 16]},)"
                  R"( "b": {"dtype": "U8", "shape": [2], "data_offsets": [2, 4]},)"
                  R"( "c": {"dtype": "U8", "shape": [2], "data_offsets": [8, 10]}})",
                  16),
         {"'a' [0, 16]", "overlap"}},
        {"metadata value not a string", st_bytes(R"({"__metadata__": {"config": 1}, )" + ok_entry + "}", 8),
         {"__metadata__ value 'config' must be a string"}},
        {"metadata not an object", st_bytes(R"({"__metadata__": "x", )" + ok_entry + "}", 8),
         {"__metadata__ must be an object"}},
    };

    TempDir dir("ltx2-st");
    for (size_t i = 0; i < cases.size(); ++i) {
        SCOPED_TRACE(cases[i].what);
        const std::string path = dir.file("bad" + std::to_string(i) + ".safetensors");
        write_bytes(path, cases[i].bytes);
        auto fragments = cases[i].fragments;
        fragments.push_back(path);
        expect_error([&] { SafetensorsFile::open(path); }, fragments);
    }
}

TEST(Safetensors, ValidHandWrittenHeaderWithEmptyTensorsAndGaps) {
    TempDir dir("ltx2-st");
    const std::string path = dir.file("ok.safetensors");
    // Empty tensors may sit anywhere, and a gap between spans is tolerated.
    write_bytes(path, st_bytes(R"({"z": {"dtype": "F32", "shape": [0], "data_offsets": [4, 4]},)"
                               R"( "a": {"dtype": "U8", "shape": [4], "data_offsets": [0, 4]},)"
                               R"( "b": {"dtype": "U8", "shape": [2], "data_offsets": [6, 8]}})",
                               8));
    auto file = SafetensorsFile::open(path);
    EXPECT_EQ(file->entries().size(), 3u);
    EXPECT_EQ(file->tensor("b").data<uint8_t>()[1], 1);
}

TEST(Safetensors, TruncatedDataIsRejected) {
    TempDir dir("ltx2-st");
    const std::string path = dir.file("trunc.safetensors");
    write_safetensors(path, {{"w", Tensor::zeros({4, 4})}, {"b", Tensor::zeros({4})}});
    const std::string bytes = read_bytes(path);
    write_bytes(path, bytes.substr(0, bytes.size() - 3));
    expect_error([&] { SafetensorsFile::open(path); }, {path, "beyond the data section", "truncated"});
}

// Other writers may place a tensor at any byte offset; it must still read correctly and come
// out aligned for its element type.
TEST(Safetensors, MisalignedTensorIsServedAligned) {
    TempDir dir("ltx2-st");
    const std::string path = dir.file("misaligned.safetensors");
    std::string header =
        R"({"pad":{"dtype":"U8","shape":[3],"data_offsets":[0,3]},)"
        R"("x":{"dtype":"I64","shape":[2],"data_offsets":[3,19]}})";
    while ((8 + header.size()) % 8 != 0) header += ' ';
    std::string data(3, '\x07');
    for (int64_t v : {int64_t(-5), int64_t(1) << 40}) data += std::string(reinterpret_cast<const char*>(&v), 8);
    write_bytes(path, le_u64(header.size()) + header + data);
    auto file = SafetensorsFile::open(path);
    Tensor x = file->tensor("x");
    EXPECT_EQ(reinterpret_cast<uintptr_t>(x.raw()) % 8, 0u);
    EXPECT_EQ(x.data<int64_t>()[0], -5);
    EXPECT_EQ(x.data<int64_t>()[1], int64_t(1) << 40);
    EXPECT_EQ(file->tensor("pad").data<uint8_t>()[2], 7);
}

TEST(Safetensors, MissingFileNamesThePath) {
    expect_error([] { SafetensorsFile::open("/tmp/ltx2-definitely-missing.safetensors"); },
                 {"/tmp/ltx2-definitely-missing.safetensors", "cannot open"});
}

// Random corruption of a valid file must give Error or a valid file, never a crash.
TEST(Safetensors, CorruptedBytesNeverCrash) {
    TempDir dir("ltx2-st");
    const std::string good = dir.file("good.safetensors");
    write_safetensors(good, {{"a", Tensor::from_f32({2, 2}, {1, 2, 3, 4})}, {"b", Tensor::zeros({3}, DType::BF16)}},
                      {{"config", "{}"}});
    const std::string original = read_bytes(good);
    std::mt19937 rng(1234);
    const std::string path = dir.file("fuzz.safetensors");
    int rejected = 0;
    for (int iter = 0; iter < 400; ++iter) {
        std::string bytes = original;
        const int flips = 1 + int(rng() % 4);
        for (int f = 0; f < flips; ++f) {
            size_t pos = rng() % std::min<size_t>(bytes.size(), 8 + 120);
            bytes[pos] = char(rng() % 256);
        }
        if (rng() % 5 == 0) bytes.resize(rng() % bytes.size());
        write_bytes(path, bytes);
        try {
            auto file = SafetensorsFile::open(path);
            for (const auto& e : file->entries()) {
                if (e.shape.size() > size_t(Tensor::kMaxDims)) continue;
                (void)file->tensor(e.name).to_vector();
            }
        } catch (const Error& e) {
            ++rejected;
            EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
        }
    }
    EXPECT_GT(rejected, 100);
}

TEST(Safetensors, SparseWriterMakesAFullSizeFileWithoutDiskCost) {
    TempDir dir("ltx2-st");
    const std::string path = dir.file("sparse.safetensors");
    std::vector<TensorEntry> entries = {
        {"big.weight", DType::BF16, {8192, 8192}, 0, 0},  // 128 MiB
        {"big.bias", DType::F32, {8192}, 0, 0},
        {"scale", DType::F8_E4M3, {3}, 0, 0},
    };
    write_sparse_safetensors(path, entries, {{"config", R"({"sparse": true})"}});

    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    const size_t data_bytes = size_t(8192) * 8192 * 2 + 8192 * 4 + 3;
    EXPECT_GE(size_t(st.st_size), data_bytes);
    EXPECT_LT(size_t(st.st_blocks) * 512, size_t(1) << 20) << "data section should be a hole";

    auto file = SafetensorsFile::open(path);
    EXPECT_EQ(size_t(st.st_size), file->data_offset() + data_bytes);
    ASSERT_EQ(file->entries().size(), 3u);
    const TensorEntry* w = file->find("big.weight");
    ASSERT_NE(w, nullptr);
    EXPECT_EQ(w->dtype, DType::BF16);
    EXPECT_EQ(w->shape, (Shape{8192, 8192}));
    EXPECT_EQ(file->find("big.bias")->shape, (Shape{8192}));
    EXPECT_EQ(file->find("scale")->dtype, DType::F8_E4M3);
    EXPECT_EQ(file->tensor("big.bias").at({17}), 0.0);
    EXPECT_EQ(file->metadata_value("config").value_or(""), R"({"sparse": true})");
}

TEST(Safetensors, WriteToUnwritablePathNamesItAndLeavesNothing) {
    TempDir dir("ltx2-st");
    const std::string path = dir.file("no-such-dir/out.safetensors");
    expect_error([&] { write_safetensors(path, {{"x", Tensor::zeros({2})}}); }, {path, "cannot create"});
    expect_error([&] { write_sparse_safetensors(path, {{"x", DType::F32, {2}, 0, 0}}); }, {path, "cannot create"});
    EXPECT_FALSE(fs::exists(path));
    EXPECT_EQ(ltx2::test::temps_beside(path), std::vector<std::string>{});
}

TEST(Safetensors, WriterRejectsDuplicateAndReservedNamesLeavingNothing) {
    TempDir dir("ltx2-st");
    const std::string path = dir.file("dup.safetensors");
    expect_error([&] { write_safetensors(path, {{"x", Tensor::zeros({2})}, {"x", Tensor::zeros({3})}}); },
                 {path, "tensor 'x' given twice"});
    expect_error([&] { write_safetensors(path, {{"__metadata__", Tensor::zeros({2})}}); },
                 {path, "invalid tensor name '__metadata__'"});
    EXPECT_FALSE(fs::exists(path));
    EXPECT_TRUE(fs::is_empty(dir.path));
}

// Found by fuzz/config: nlohmann's type_error escaped the writer for text that is not UTF-8.
TEST(Safetensors, WriterRejectsTextThatIsNotUtf8LeavingNothing) {
    TempDir dir("ltx2-st");
    const std::string path = dir.file("bad-text.safetensors");
    expect_error([&] { write_safetensors(path, {{"x", Tensor::zeros({2})}}, {{"config", "{\"a\": \"\xff\"}"}}); },
                 {path, "the value of metadata 'config'", "not valid UTF-8"});
    expect_error([&] { write_safetensors(path, {{"x", Tensor::zeros({2})}}, {{"k\xc3", "v"}}); },
                 {path, "metadata key", "not valid UTF-8"});
    expect_error([&] { write_safetensors(path, {{"w\xe2\x82", Tensor::zeros({2})}}); },
                 {path, "tensor name", "not valid UTF-8"});
    EXPECT_FALSE(fs::exists(path));
    EXPECT_TRUE(fs::is_empty(dir.path));
}

TEST(Safetensors, RewriteReplacesAtomically) {
    TempDir dir("ltx2-st");
    const std::string path = dir.file("re.safetensors");
    write_safetensors(path, {{"x", Tensor::from_f32({1}, {1.0f})}});
    write_safetensors(path, {{"y", Tensor::from_f32({2}, {2.0f, 3.0f})}});
    auto file = SafetensorsFile::open(path);
    EXPECT_FALSE(file->has("x"));
    EXPECT_EQ(file->tensor("y").to_vector(), (std::vector<float>{2.0f, 3.0f}));
    EXPECT_EQ(ltx2::test::temps_beside(path), std::vector<std::string>{});
}
