// gguf.dequant: ggml's block formats and a GGUF file from ggml's own writer (see
// golden/gguf/README.md). Dequantization is defined bit for bit, so every output is compared
// with tolerance 0 and then bitwise (which also tells −0 from +0 and NaN payloads apart).
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "io/gguf.h"
#include "kernels/cpu/dequant.h"
#include "parity/kinds.h"

namespace ltx2 {
using namespace ltx2::cpu;

namespace {

constexpr double kExact = 0.0;

// Index of the first element whose bits differ, or -1.
int64_t first_bit_difference(const Tensor& a, const Tensor& b) {
    const Tensor x = a.to_device(Device::Cpu), y = b.to_device(Device::Cpu);
    const auto* p = static_cast<const uint32_t*>(x.raw());
    const auto* q = static_cast<const uint32_t*>(y.raw());
    for (int64_t i = 0; i < x.numel(); ++i)
        if (p[i] != q[i]) return i;
    return -1;
}

void compare_bitwise(ParityRun& run, const std::string& name, const Tensor& got) {
    run.compare(name, got, kExact);
    const Tensor ref = run.input(name);
    LTX2_CHECK(ref.dtype() == DType::F32 && got.numel() == ref.numel(), "{}: '{}' is not F32 of {} values",
               run.io_path(), name, got.numel());
    if (!run.checks().back().pass) return;  // already reported as a failed check
    const int64_t i = first_bit_difference(got, ref);
    if (i >= 0) {
        uint32_t g, r;
        std::memcpy(&g, static_cast<const float*>(got.to_device(Device::Cpu).raw()) + i, 4);
        std::memcpy(&r, static_cast<const float*>(ref.to_device(Device::Cpu).raw()) + i, 4);
        fail("{}: '{}' equals the reference in value but not bitwise: element {} is 0x{:08x}, expected 0x{:08x}",
             run.io_path(), name, i, g, r);
    }
}

int64_t meta_int(const ParityRun& run, const std::string& key) {
    const std::string text = run.meta(key);
    try {
        return std::stoll(text);
    } catch (const std::exception&) {
        fail("{}: metadata '{}' is '{}', expected an integer", run.io_path(), key, text);
    }
}

// The metadata the README lists for quant_vectors.gguf.
void check_gguf_metadata(const ParityRun& run, const GgufFile& gguf, int64_t rows, int64_t cols) {
    const std::string& path = gguf.path();
    const std::string arch = gguf.get_string("general.architecture");
    LTX2_CHECK(arch == "ltx2-test", "{}: general.architecture is '{}', expected 'ltx2-test'", path, arch);
    LTX2_CHECK(!gguf.get_string("general.name").empty(), "{}: general.name is empty", path);
    LTX2_CHECK(gguf.get_u32("test.nrows") == rows, "{}: test.nrows is {}, expected {}", path,
               gguf.get_u32("test.nrows"), rows);
    LTX2_CHECK(gguf.get_u32("test.ncols") == cols, "{}: test.ncols is {}, expected {}", path,
               gguf.get_u32("test.ncols"), cols);
    LTX2_CHECK(std::isfinite(gguf.get_f32("test.scale")), "{}: test.scale is not finite", path);
    const std::vector<std::string> expected_tokens = {"<pad>", "<eos>", "<bos>", "\u2581hello", "<0x0A>"};
    const auto tokens = gguf.get_string_array("tokenizer.ggml.tokens");
    LTX2_CHECK(tokens == expected_tokens, "{}: tokenizer.ggml.tokens is not the README's 5 tokens ({} tokens read)",
               path, tokens.size());
    const auto scores = gguf.get_f32_array("tokenizer.ggml.scores");
    LTX2_CHECK(scores.size() == tokens.size(), "{}: {} tokenizer scores for {} tokens", path, scores.size(),
               tokens.size());
}

}  // namespace

void parity_gguf_dequant(ParityRun& run) {
    const int64_t rows = meta_int(run, "rows"), cols = meta_int(run, "cols");
    const auto gguf = GgufFile::open(run.sibling(run.meta("gguf_file")));
    check_gguf_metadata(run, *gguf, rows, cols);

    const nlohmann::json types = run.meta_json("types");
    LTX2_CHECK(types.is_array() && !types.empty(), "{}: metadata 'types' must be a non-empty list", run.io_path());
    for (const auto& entry : types) {
        const std::string name = entry.at("name").get<std::string>();
        const uint32_t id = entry.at("ggml_type_id").get<uint32_t>();
        const GgmlTypeTraits* traits = ggml_type_traits(id);
        LTX2_CHECK(traits && traits->name == name, "{}: type '{}' has ggml id {}, which is {} here", run.io_path(),
                   name, id, ggml_type_describe(id));
        LTX2_CHECK(entry.at("block_elems").get<int64_t>() == traits->block_elems &&
                       entry.at("block_bytes").get<size_t>() == traits->block_bytes,
                   "{}: type '{}' blocks are {} values in {} bytes, expected {} in {}", run.io_path(), name,
                   entry.at("block_elems").dump(), entry.at("block_bytes").dump(), traits->block_elems,
                   traits->block_bytes);

        const Tensor blocks = run.host_input("in.blocks." + name);
        const size_t nbytes = ggml_row_bytes(traits->type, cols) * size_t(rows);
        LTX2_CHECK(blocks.dtype() == DType::U8 && blocks.nbytes() == nbytes,
                   "{}: in.blocks.{} is {} {}, expected U8 of {} bytes", run.io_path(), name,
                   dtype_name(blocks.dtype()), shape_str(blocks.shape()), nbytes);
        Tensor got = Tensor::zeros({rows, cols}, DType::F32, Device::Cpu);
        dequantize(traits->type, blocks.contiguous().raw(), got.f32(), rows * cols);
        compare_bitwise(run, "out.dequant." + name, got);

        // The same blocks as the GGUF file's tensor x.NAME: same bytes, same values.
        const std::string tensor = "x." + name;
        const GgufTensorInfo& info = gguf->info(tensor);
        LTX2_CHECK(info.type == traits->type && info.shape == Shape({rows, cols}),
                   "{}: tensor '{}' is {} {}, expected {} ({}, {})", gguf->path(), tensor,
                   ggml_type_name(info.type), shape_str(info.shape), name, rows, cols);
        LTX2_CHECK(std::memcmp(gguf->data(info), blocks.contiguous().raw(), nbytes) == 0,
                   "{}: tensor '{}' bytes differ from {}'s in.blocks.{}", gguf->path(), tensor, run.io_path(), name);
        const int64_t i = first_bit_difference(gguf->dequantize(tensor), got);
        LTX2_CHECK(i < 0, "{}: tensor '{}' dequantizes differently from in.blocks.{} (first at element {})",
                   gguf->path(), tensor, name, i);
    }
    compare_bitwise(run, "in.source", gguf->dequantize("x.f32"));
}

}  // namespace ltx2
