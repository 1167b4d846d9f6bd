// --target gguf: the GGUF reader. Seeds: a GGUF of the ltx2-quantize kind with every metadata
// value type, original shapes and a non-default alignment (plus files given), with the byte
// positions of the header's count, length, type, dim and offset fields. Exercise: GgufFile::open,
// every metadata value through every typed getter, every tensor raw and dequantized (F32 and
// BF16), and the same file through WeightStore (names, config, every tensor).
#include <cstring>

#include <nlohmann/json.hpp>

#include "fuzz/target.h"
#include "io/gguf.h"
#include "io/gguf_writer.h"
#include "io/weight_store.h"
#include "kernels/cpu/quantize.h"

namespace ltx2::fuzz {
using namespace ltx2::cpu;

namespace {

namespace fs = std::filesystem;

Bytes builtin_gguf(const fs::path& work) {
    GgufWriter w(64);
    w.set_string("general.architecture", "ltx2");
    w.set_string("ltx2.config", R"({"transformer": {"num_layers": 1, "attention_head_dim": 32}})");
    w.set_string("ltx2.original_shapes", R"({"conv.weight": [2, 1, 2, 2, 4]})");
    w.set_bool("test.bool", true);
    w.set_u32("test.u32", 7);
    w.set_i32("test.i32", -7);
    w.set_u64("test.u64", uint64_t(1) << 40);
    w.set_i64("test.i64", -(int64_t(1) << 40));
    w.set_f32("test.f32", 0.5f);
    w.set_string_array("test.strings", {"a", "", "<0x0A>"});
    w.set_f32_array("test.floats", {1.0f, -2.0f});
    w.set_i32_array("test.ints", {1, -1, 3});

    std::vector<float> values(512);
    for (size_t i = 0; i < values.size(); ++i) values[i] = float(int(i % 17) - 8) / 8.0f;
    std::vector<uint16_t> halves(64, 0x3c00);  // f16 and bf16 bytes alike are just bits here
    std::vector<uint8_t> q8(ggml_row_bytes(GgmlType::Q8_0, 64)), q4k(ggml_row_bytes(GgmlType::Q4_K, 512)),
        q6k(ggml_row_bytes(GgmlType::Q6_K, 256));
    quantize(GgmlType::Q8_0, values.data(), q8.data(), 64);
    quantize(GgmlType::Q4_K, values.data(), q4k.data(), 512);
    quantize(GgmlType::Q6_K, values.data(), q6k.data(), 256);
    w.add_tensor("conv.weight", GgmlType::F32, {2, 2, 2, 4}, values.data());
    w.add_tensor("blocks.0.norm", GgmlType::F16, {64}, halves.data());
    w.add_tensor("blocks.0.bias", GgmlType::BF16, {2, 32}, halves.data());
    w.add_tensor("blocks.0.q8.weight", GgmlType::Q8_0, {2, 32}, q8.data());
    w.add_tensor("blocks.0.q4k.weight", GgmlType::Q4_K, {2, 256}, q4k.data());
    w.add_tensor("blocks.0.q6k.weight", GgmlType::Q6_K, {1, 256}, q6k.data());
    const fs::path path = work / "builtin-seed.gguf";
    w.write(path.string());
    return read_file(path);
}

// The positions of the header's structural fields (counts, string lengths, value types, dims,
// tensor types and offsets), where targeted overwrites hit the reader's checks.
Seed analyze(std::string name, Bytes bytes, const fs::path& work) {
    Seed s{std::move(name), std::move(bytes)};
    s.fields = {{8, 8}, {16, 8}, {4, 4}};
    s.header_end = s.bytes.size();
    const fs::path path = work / "seed.gguf";
    write_file(path, s.bytes);
    try {
        const auto g = GgufFile::open(path.string());
        s.header_end = g->data_offset();
        for (const GgufKeyValue& kv : g->metadata()) {
            const size_t type_at = kv.type == GgufValueType::ARRAY ? kv.offset - 16 : kv.offset - 4;
            s.fields.push_back({type_at - 8 - kv.key.size(), 8});  // key length
            s.fields.push_back({type_at, 4});
            if (kv.type == GgufValueType::ARRAY) {
                s.fields.push_back({kv.offset - 12, 4});  // element type
                s.fields.push_back({kv.offset - 8, 8});   // count
                if (kv.element_type == GgufValueType::STRING && kv.count > 0) s.fields.push_back({kv.offset, 8});
            } else if (kv.type == GgufValueType::STRING) {
                s.fields.push_back({kv.offset, 8});
            }
        }
        // Tensor infos follow the metadata, in order: each starts with its name's u64 length.
        size_t at = 24;
        for (const GgufTensorInfo& t : g->tensors()) {
            Bytes prefixed(8, '\0');
            const uint64_t length = t.name.size();
            std::memcpy(prefixed.data(), &length, 8);
            size_t p = s.bytes.find(prefixed + t.name, at);
            if (p == Bytes::npos) continue;
            s.fields.push_back({p, 8});
            p += 8 + t.name.size();
            s.fields.push_back({p, 4});  // n_dims
            p += 4;
            std::vector<Field>& dims = s.groups.emplace_back();
            for (size_t d = 0; d < t.ggml_dims.size(); ++d, p += 8) dims.push_back({p, 8});
            s.fields.insert(s.fields.end(), dims.begin(), dims.end());
            s.fields.push_back({p, 4});      // type
            s.fields.push_back({p + 4, 8});  // offset
            at = p + 12;
        }
    } catch (const Error& e) {
        std::fprintf(stderr, "note: seed %s does not open (%s): mutated without field positions\n", s.name.c_str(),
                     e.what());
    }
    auto outside = [&](const Field& f) { return f.offset + size_t(f.width) > s.bytes.size(); };
    std::erase_if(s.fields, outside);
    for (auto& dims : s.groups) std::erase_if(dims, outside);
    return s;
}

std::vector<Seed> seeds(const fs::path& work) { return {analyze("builtin", builtin_gguf(work), work)}; }

Outcome exercise(const std::string& path, const fs::path&) {
    Outcome o;
    allowing_errors([&] {
        const auto g = GgufFile::open(path);
        o.opened = true;
        for (const GgufKeyValue& kv : g->metadata()) {
            const std::string_view key = kv.key;
            allowing_errors([&] { g->get_string(key); });
            allowing_errors([&] { g->get_bool(key); });
            allowing_errors([&] { g->get_u32(key); });
            allowing_errors([&] { g->get_i32(key); });
            allowing_errors([&] { g->get_u64(key); });
            allowing_errors([&] { g->get_i64(key); });
            allowing_errors([&] { g->get_f32(key); });
            allowing_errors([&] { g->get_string_array(key); });
            allowing_errors([&] { g->get_f32_array(key); });
            allowing_errors([&] { g->get_i32_array(key); });
        }
        for (const GgufTensorInfo& t : g->tensors()) {
            allowing_errors([&] {
                g->raw(t.name);
                g->dequantize(t.name, DType::F32);
                g->dequantize(t.name, DType::BF16);
                ++o.items;
            });
        }
    });
    allowing_errors([&] {
        const WeightStore store = WeightStore::open(path);
        allowing_errors([&] { store.config(); });
        for (const std::string& name : store.names()) {
            allowing_errors([&] {
                store.decodes(name);
                store.get(name);
            });
        }
        allowing_errors([&] { store.stored_bytes(""); });
        allowing_errors([&] { store.decoded_bytes(""); });
    });
    return o;
}

}  // namespace

const Target& gguf_target() {
    static const Target t{"gguf", ".gguf", seeds, analyze, exercise};
    return t;
}

}  // namespace ltx2::fuzz
