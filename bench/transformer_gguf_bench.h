#pragma once
// A full-size random-weight LTX transformer file in ComfyUI-GGUF's layout (convert.py: arch
// "ltxv", no `model.diffusion_model.` prefix, no config; 1-D tensors and the AdaLN tables F32,
// matrices Q4_K where the row is whole blocks, else BF16), from a tensor manifest, and the random
// byte recipes the transformer benchmarks share. Weights come out around ±0.02, so 48 blocks
// keep their activations finite.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bench_util.h"
#include "core/error.h"
#include "io/gguf_writer.h"

namespace ltx2::bench {

inline const std::string kTransformerPrefix = "model.diffusion_model.";

struct ManifestTensor {
    std::string name;  // without kTransformerPrefix
    Shape shape;
};

// The tensors listed under `section` of a transformer manifest ("tensors": the transformer;
// "text_connectors_same_prefix" in the LTX-2 manifest: the text connectors stored beside it).
inline std::vector<ManifestTensor> transformer_tensors(const nlohmann::json& manifest,
                                                       const std::string& section = "tensors") {
    const nlohmann::json& list = section == "tensors" ? manifest.at("tensors") : manifest.at(section).at("tensors");
    std::vector<ManifestTensor> out;
    for (const auto& t : list) {
        std::string name = t.at("name");
        LTX2_CHECK(name.starts_with(kTransformerPrefix), "manifest tensor '{}' lacks the prefix {}", name,
                   kTransformerPrefix);
        out.push_back({name.substr(kTransformerPrefix.size()), t.at("shape").get<Shape>()});
    }
    return out;
}

// Random bytes are cut from one pool (fast to produce, random-looking weights).
class BytePool {
public:
    explicit BytePool(size_t bytes) : pool_(bytes) {
        Rng rng{0x5eed};
        for (size_t i = 0; i + 8 <= bytes; i += 8) {
            const uint64_t v = rng.next();
            std::memcpy(&pool_[i], &v, 8);
        }
    }
    // n bytes from a varying offset, wrapping around.
    void fill(std::byte* dst, size_t n) {
        size_t at = (cursor_ += 7919 * 64) % pool_.size();
        while (n > 0) {
            const size_t take = std::min(n, pool_.size() - at);
            std::memcpy(dst, &pool_[at], take);
            dst += take;
            n -= take;
            at = 0;
        }
    }

private:
    std::vector<std::byte> pool_;
    size_t cursor_ = 0;
};

// Values ~U(-0.02, 0.02) in bf16 / f32, from random bits.
inline void random_bf16(BytePool& pool, std::byte* dst, size_t nbytes) {
    pool.fill(dst, nbytes);
    auto* v = reinterpret_cast<uint16_t*>(dst);
    for (size_t i = 0; i < nbytes / 2; ++i) v[i] = f32_to_bf16((float(v[i]) / 32768.0f - 1.0f) * 0.02f);
}
inline void random_f32(BytePool& pool, std::byte* dst, size_t nbytes) {
    pool.fill(dst, nbytes);
    auto* v = reinterpret_cast<uint32_t*>(dst);
    auto* f = reinterpret_cast<float*>(dst);
    for (size_t i = 0; i < nbytes / 4; ++i) f[i] = (float(v[i] >> 8) / 8388608.0f - 1.0f) * 0.02f;
}

// Q4_K blocks (d, dmin, 12 bytes of 6-bit scales/mins, 128 bytes of nibbles) with random
// scales and nibbles and fixed d/dmin: values d·sc·q − dmin·m spread over about ±0.02.
inline void random_q4_k(BytePool& pool, std::byte* dst, size_t nbytes) {
    pool.fill(dst, nbytes);
    const uint16_t d = f32_to_f16(3.0e-5f), dmin = f32_to_f16(2.2e-4f);
    for (size_t b = 0; b + 144 <= nbytes; b += 144) {
        std::memcpy(dst + b, &d, 2);
        std::memcpy(dst + b + 2, &dmin, 2);
    }
}

inline bool is_linear_weight(const ManifestTensor& t) { return t.shape.size() == 2 && t.name.ends_with(".weight"); }

inline void write_q4_k_gguf(const std::vector<ManifestTensor>& tensors, const std::string& path) {
    GgufWriter w;
    w.set_string("general.architecture", "ltxv");
    w.set_u32("general.quantization_version", 2);
    auto pool = std::make_shared<BytePool>(size_t(64) << 20);
    for (const ManifestTensor& t : tensors) {
        GgmlType type = GgmlType::F32;
        GgufWriter::Fill fill = [pool](std::byte* d, size_t n) { random_f32(*pool, d, n); };
        if (is_linear_weight(t) && t.shape[1] % 256 == 0) {
            type = GgmlType::Q4_K;
            fill = [pool](std::byte* d, size_t n) { random_q4_k(*pool, d, n); };
        } else if (is_linear_weight(t)) {
            type = GgmlType::BF16;
            fill = [pool](std::byte* d, size_t n) { random_bf16(*pool, d, n); };
        }
        w.add_tensor(t.name, type, t.shape, fill);
    }
    w.write(path);
}

}  // namespace ltx2::bench
