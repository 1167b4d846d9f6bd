// ltx2-fuzz-gguf: a deterministic mutation fuzzer for the GGUF reader. From a seed, each
// iteration takes one input (the files given, a --corpus folder, and a built-in GGUF of the
// ltx2-quantize kind with every metadata value type, original shapes and a non-default
// alignment), mutates it (bit flips, interesting byte / u32 / u64 values written over the
// header's count, length, type, dim and offset fields, truncation, extension, duplicated or
// deleted regions), writes it and reads everything back: GgufFile::open, every metadata value
// through every typed getter, every tensor raw and dequantized (F32 and BF16), and the same
// file through WeightStore (names, config, every tensor). Only ltx2::Error may come out; any
// other exception fails the run (exit 1, the input kept beside the work file), and a crash or
// a sanitizer report ends the process. The input being tried is always at the path printed
// first, so it survives a crash.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <typeinfo>
#include <vector>

#include <unistd.h>

#include "core/error.h"
#include "io/gguf.h"
#include "io/gguf_writer.h"
#include "io/weight_store.h"
#include "kernels/cpu/quantize.h"

namespace fs = std::filesystem;
using namespace ltx2;

namespace {

using Bytes = std::string;

Bytes read_file(const fs::path& path) {
    std::ifstream f(path, std::ios::binary);
    LTX2_CHECK(f.good(), "{}: cannot read", path.string());
    return Bytes(std::istreambuf_iterator<char>(f), {});
}

void write_file(const fs::path& path, const Bytes& bytes) {
    fs::remove(path);  // a new file, not a truncated one: ext4 flushes a file rewritten in place
    std::ofstream f(path, std::ios::binary);
    f.write(bytes.data(), std::streamsize(bytes.size()));
    LTX2_CHECK(f.good(), "{}: cannot write", path.string());
}

// A GGUF as ltx2-quantize writes it (config, a merged 5-D shape, quantized and float tensors),
// plus every value type the writer has and a 64-byte alignment.
Bytes builtin_seed(const fs::path& work) {
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

// Byte positions of the seed's structural fields (counts, string lengths, value types, dims,
// tensor types and offsets), where targeted overwrites hit the reader's checks.
struct Field {
    size_t offset;
    int width;  // 4 or 8 bytes
};

struct Seed {
    std::string name;
    Bytes bytes;
    size_t header_end = 0;  // where the data section starts (the whole file if it does not parse)
    std::vector<Field> fields;
    std::vector<std::vector<Field>> tensor_dims;  // each tensor's dim fields
};

Seed analyze(std::string name, Bytes bytes, const fs::path& work) {
    Seed s{std::move(name), std::move(bytes), 0, {{8, 8}, {16, 8}, {4, 4}}, {}};
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
            std::vector<Field>& dims = s.tensor_dims.emplace_back();
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
    for (auto& dims : s.tensor_dims) std::erase_if(dims, outside);
    return s;
}

constexpr uint64_t kInteresting64[] = {0,
                                       1,
                                       2,
                                       3,
                                       4,
                                       5,
                                       7,
                                       8,
                                       31,
                                       32,
                                       33,
                                       0x7f,
                                       0x80,
                                       0xff,
                                       0x100,
                                       0x7fff,
                                       0xffff,
                                       0x10000,
                                       0x7fffffff,
                                       0x80000000,
                                       0xffffffff,
                                       uint64_t(1) << 32,
                                       uint64_t(1) << 40,
                                       uint64_t(1) << 56,
                                       uint64_t(1) << 62,
                                       uint64_t(1) << 63,
                                       (uint64_t(1) << 63) - 1,
                                       ~uint64_t(0),
                                       ~uint64_t(0) - 1,
                                       ~uint64_t(0) - 31};

class Mutator {
public:
    explicit Mutator(uint64_t seed) : rng_(seed) {}

    uint64_t below(uint64_t n) { return n == 0 ? 0 : rng_() % n; }

    Bytes mutate(const Seed& seed) {
        Bytes b = seed.bytes;
        const int count = below(2) ? 1 : 2 + int(below(3));
        for (int i = 0; i < count; ++i) mutate_once(seed, b);
        return b;
    }

private:
    // Mostly inside the header (where the structure is), sometimes anywhere.
    size_t position(const Seed& seed, const Bytes& b) {
        if (b.empty()) return 0;
        const size_t header = std::min(seed.header_end, b.size());
        return below(4) != 0 && header > 0 ? below(header) : below(b.size());
    }

    uint64_t interesting(const Bytes& b) {
        if (below(8) == 0) return b.size() + below(3) - 1;  // the file size, give or take one
        if (below(8) == 0) return rng_() % 40;               // value / ggml type ids, small dims
        if (below(8) == 0) return uint64_t(1) << below(64);
        return kInteresting64[below(std::size(kInteresting64))];
    }

    void put(Bytes& b, size_t at, uint64_t v, int width) {
        if (at + size_t(width) > b.size()) return;
        std::memcpy(b.data() + at, &v, size_t(width));  // little-endian host
    }

    void mutate_once(const Seed& seed, Bytes& b) {
        switch (below(11)) {
            case 0:
            case 1:  // bit flip
                if (!b.empty()) b[position(seed, b)] ^= char(1u << below(8));
                break;
            case 2: {  // interesting byte
                static constexpr uint8_t kBytes[] = {0, 1, 0x7f, 0x80, 0xff, 0x20};
                if (!b.empty()) b[position(seed, b)] = char(kBytes[below(std::size(kBytes))]);
                break;
            }
            case 3:
            case 4:
            case 5: {  // a structural field of the seed, overwritten with an interesting value
                if (seed.fields.empty()) break;
                const Field& f = seed.fields[below(seed.fields.size())];
                put(b, f.offset, interesting(b), f.width);
                break;
            }
            case 6:  // an interesting u32 / u64 anywhere in the header
                put(b, position(seed, b), interesting(b), below(2) ? 4 : 8);
                break;
            case 7:  // truncation, mostly near the header / data boundary
                b.resize(below(3) ? below(std::min(b.size(), seed.header_end + 64) + 1) : below(b.size() + 1));
                break;
            case 8: {  // extension: zeros, 0xff or random bytes
                const size_t n = 1 + below(256);
                const int kind = int(below(3));
                for (size_t i = 0; i < n; ++i) b.push_back(kind == 0 ? '\0' : kind == 1 ? '\xff' : char(rng_()));
                break;
            }
            case 9: {  // a region duplicated over or into another place, or deleted
                if (b.size() < 2) break;
                const size_t from = position(seed, b), len = 1 + below(std::min<size_t>(64, b.size() - from));
                const Bytes chunk = b.substr(from, len);
                const size_t to = position(seed, b);
                const int kind = int(below(3));
                if (kind == 0) b.insert(to, chunk);
                else if (kind == 1) b.replace(to, std::min(len, b.size() - to), chunk);
                else b.erase(from, len);
                break;
            }
            case 10: {  // every dim of one tensor at once (zero-element tensors with huge dims, ...)
                if (seed.tensor_dims.empty()) break;
                for (const Field& f : seed.tensor_dims[below(seed.tensor_dims.size())])
                    if (below(2)) put(b, f.offset, interesting(b), f.width);
                break;
            }
        }
    }

    std::mt19937_64 rng_;
};

template <class Fn>
void allowing_errors(Fn&& fn) {
    try {
        fn();
    } catch (const Error&) {
    }
}

struct Outcome {
    bool opened = false;
    size_t tensors_read = 0;
};

// Everything a consumer could read from the file; only ltx2::Error may escape.
Outcome exercise(const std::string& path) {
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
                ++o.tensors_read;
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

int main(int argc, char** argv) {
    CLI::App app{"Mutation fuzzer for the GGUF reader (GgufFile and WeightStore on .gguf files). Deterministic for\n"
                 "a given --seed and inputs; exit 0 when only ltx2::Error came out, 1 on any other exception.",
                 "ltx2-fuzz-gguf"};
    uint64_t seed = 1;
    uint64_t iterations = 10000;
    double seconds = 0;
    std::string corpus, work;
    std::vector<std::string> inputs;
    app.add_option("inputs", inputs, "valid GGUF files to mutate (a built-in one is always used too)");
    app.add_option("--seed", seed, "random seed");
    app.add_option("--iterations", iterations, "number of mutated inputs to try");
    app.add_option("--seconds", seconds, "stop early after this long (0: no limit)");
    app.add_option("--corpus", corpus, "folder whose files are extra inputs");
    app.add_option("--work-dir", work, "where the input being tried is written (default: a temp folder)");
    CLI11_PARSE(app, argc, argv);

    try {
        const fs::path dir = work.empty() ? fs::temp_directory_path() / fmt::format("ltx2-fuzz-gguf-{}", getpid())
                                          : fs::path(work);
        fs::create_directories(dir);
        std::vector<Seed> seeds;
        seeds.push_back(analyze("builtin", builtin_seed(dir), dir));
        if (!corpus.empty()) {
            LTX2_CHECK(fs::is_directory(corpus), "--corpus {}: not a folder", corpus);
            std::vector<fs::path> files;
            for (const auto& e : fs::directory_iterator(corpus))
                if (e.is_regular_file()) files.push_back(e.path());
            std::sort(files.begin(), files.end());  // directory order is not deterministic
            for (const auto& f : files) inputs.push_back(f.string());
        }
        for (const std::string& in : inputs) seeds.push_back(analyze(in, read_file(in), dir));

        const std::string path = (dir / "input.gguf").string();
        std::printf("ltx2-fuzz-gguf: seed %llu, %llu iterations over %zu inputs; the input being tried is %s\n",
                    (unsigned long long)seed, (unsigned long long)iterations, seeds.size(), path.c_str());
        std::fflush(stdout);
        uint64_t opened = 0, tensors = 0;
        // Tries `bytes`; false (with the input kept and reported) when anything but Error escaped.
        auto try_input = [&](const Bytes& bytes, const std::string& what) {
            write_file(path, bytes);
            try {
                const Outcome o = exercise(path);
                opened += o.opened;
                tensors += o.tensors_read;
                return true;
            } catch (const std::exception& e) {
                const fs::path kept = dir / fmt::format("failure-seed{}.gguf", seed);
                fs::copy_file(path, kept, fs::copy_options::overwrite_existing);
                std::fprintf(stderr, "FAIL on %s: %s escaped: %s\ninput kept at %s\n", what.c_str(), typeid(e).name(),
                             e.what(), kept.c_str());
                return false;
            }
        };
        for (const Seed& s : seeds)  // as given first: a corpus may hold inputs that once failed
            if (!try_input(s.bytes, "input " + s.name)) return 1;
        Mutator mutator(seed);
        const auto start = std::chrono::steady_clock::now();
        uint64_t done = 0;
        for (; done < iterations; ++done) {
            if (seconds > 0 && std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() > seconds)
                break;
            const Seed& s = seeds[mutator.below(seeds.size())];
            if (!try_input(mutator.mutate(s), fmt::format("iteration {} (a mutation of {})", done, s.name))) return 1;
        }
        std::printf("ltx2-fuzz-gguf: %llu inputs tried, %llu opened, %llu tensors read; only ltx2::Error came out\n",
                    (unsigned long long)done, (unsigned long long)opened, (unsigned long long)tensors);
        if (work.empty()) fs::remove_all(dir);
        return 0;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
}
