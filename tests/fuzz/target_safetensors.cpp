// --target safetensors: the safetensors reader (SafetensorsFile and WeightStore). Seeds: files
// with every float dtype, float8 weights with their scales, integer tensors, an empty tensor,
// a misaligned tensor, and `config` / `model_version` metadata. Exercise: open, every tensor
// viewed and read, the metadata; the same file through WeightStore (with and without the
// official key prefix): names, config, model version, every tensor checked and served.
#include <nlohmann/json.hpp>

#include "core/random_tensor.h"
#include "fuzz/target.h"
#include "io/safetensors.h"
#include "io/weight_store.h"
#include "models/model_version.h"

namespace ltx2::fuzz {

namespace fs = std::filesystem;

Seed safetensors_seed(std::string name, Bytes bytes, const fs::path&) {
    Seed s{std::move(name), std::move(bytes)};
    s.fields = {{0, 8}};
    if (s.bytes.size() >= 8) {
        uint64_t length = 0;
        for (int i = 7; i >= 0; --i) length = (length << 8) | uint8_t(s.bytes[size_t(i)]);
        if (length <= s.bytes.size() - 8) {
            s.header_end = 8 + size_t(length);
            s.json_begin = 8;
            s.json_end = s.header_end;
            s.json_length_field = Field{0, 8};
        }
    }
    return s;
}

namespace {

Bytes written(const fs::path& path, const std::vector<std::pair<std::string, Tensor>>& tensors,
              const std::map<std::string, std::string>& metadata) {
    write_safetensors(path.string(), tensors, metadata);
    return read_file(path);
}

std::vector<Seed> seeds(const fs::path& work) {
    const fs::path path = work / "seed.safetensors";
    Tensor f8 = Tensor::zeros({4, 8}, DType::F8_E4M3);
    for (int64_t i = 0; i < f8.numel(); ++i) f8.data<uint8_t>()[i] = uint8_t(0x30 + i);
    Tensor ids = Tensor::zeros({3}, DType::I64);
    ids.data<int64_t>()[1] = -5;
    std::vector<Seed> out;
    out.push_back(safetensors_seed(
        "builtin-floats",
        written(path,
                {{"model.diffusion_model.blocks.0.weight", random_uniform_tensor({4, 8}, DType::F32, 1, 1)},
                 {"model.diffusion_model.blocks.0.bias", random_uniform_tensor({8}, DType::BF16, 1, 2)},
                 {"model.diffusion_model.norm.weight", random_uniform_tensor({2, 2, 2}, DType::F32, 1, 3).to(DType::F16)},
                 {"model.diffusion_model.fp8.weight", f8},
                 {"model.diffusion_model.fp8.weight_scale", Tensor::from_f32({}, {0.25f})},
                 {"model.diffusion_model.fp8.input_scale", Tensor::from_f32({}, {1.0f})},
                 {"model.diffusion_model.empty", Tensor::zeros({0, 4}, DType::BF16)},
                 {"ids", ids},
                 {"mask", Tensor::zeros({5}, DType::BOOL)}},
                {{"config", R"({"transformer": {"num_layers": 1, "caption_channels": 3840}, "vae": {"dims": 3}})"},
                 {"model_version", "2.3.0"},
                 {"format", "pt"}})));
    // A byte tensor first puts the F32 one at an odd offset: served as an aligned copy.
    const std::string header = R"({"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},)"
                               R"("w":{"dtype":"F32","shape":[2],"data_offsets":[1,9]}})";
    Bytes misaligned(8, '\0');
    for (int i = 0; i < 8; ++i) misaligned[size_t(i)] = char((header.size() >> (8 * i)) & 0xff);
    out.push_back(safetensors_seed("builtin-misaligned", misaligned + header + Bytes(9, '\x3f')));
    return out;
}

// Reads every byte of a tensor (a view of the mapping may point anywhere the header said).
uint64_t touch(const Tensor& t) {
    const auto* p = static_cast<const uint8_t*>(t.raw());
    uint64_t sum = 0;
    for (size_t i = 0; i < t.nbytes(); ++i) sum += p[i];
    return sum;
}

Outcome exercise(const std::string& path, const fs::path&) {
    Outcome o;
    uint64_t sum = 0;
    allowing_errors([&] {
        const auto file = SafetensorsFile::open(path);
        o.opened = true;
        for (const TensorEntry& e : file->entries())
            allowing_errors([&] {
                sum += touch(file->tensor(e.name));
                ++o.items;
            });
        for (const auto& [key, value] : file->metadata()) sum += file->metadata_value(key)->size();
    });
    for (const char* prefix : {"", "model.diffusion_model."}) {
        allowing_errors([&] {
            const WeightStore store = WeightStore::open(path, prefix);
            allowing_errors([&] { store.config(); });
            allowing_errors([&] { model_semantics(store); });
            allowing_errors([&] { store.metadata("model_version"); });
            for (const std::string& name : store.names()) {
                allowing_errors([&] {
                    store.decodes(name);
                    const Tensor t = store.get(name);
                    sum += touch(t);
                    store.check(name, t.shape());
                });
            }
            allowing_errors([&] { store.stored_bytes(""); });
            allowing_errors([&] { store.decoded_bytes(""); });
            store.unused_names();
        });
    }
    o.items += sum == 1;  // keeps the reads
    return o;
}

}  // namespace

const Target& safetensors_target() {
    static const Target t{"safetensors", ".safetensors", seeds, safetensors_seed, exercise};
    return t;
}

}  // namespace ltx2::fuzz
