#pragma once
// The mutation engine the fuzz targets share (ltx2-fuzz --target NAME): a seed input with the
// byte positions of its structural fields, and a deterministic mutator (bit flips, interesting
// values over those fields, truncation, extension, duplicated or deleted regions, and
// structural edits of a JSON region: values replaced by extreme numbers, wrong types, keys
// removed or copied, arrays emptied or grown).
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace ltx2::fuzz {

using Bytes = std::string;

Bytes read_file(const std::filesystem::path& path);
// A new file, not a truncated one: ext4 flushes a file rewritten in place.
void write_file(const std::filesystem::path& path, const Bytes& bytes);

// An integer field of a seed: overwritten with interesting values by the mutator.
struct Field {
    size_t offset;
    int width;  // 1, 2, 4 or 8 bytes
    bool big_endian = false;
};

struct Seed {
    Seed(std::string name_, Bytes bytes_) : name(std::move(name_)), bytes(std::move(bytes_)) {}
    std::string name;
    Bytes bytes;
    size_t header_end = 0;  // mutations favour bytes before this (0: the whole input)
    std::vector<Field> fields;
    std::vector<std::vector<Field>> groups;  // fields mutated together (a tensor's dims, an image's sides)
    // A JSON text at [json_begin, json_end) edited structurally (json_end 0: none). When the text
    // is preceded by its byte length (a safetensors header), json_length_field says where.
    size_t json_begin = 0, json_end = 0;
    std::optional<Field> json_length_field;
};

// A seed whose whole content is JSON text.
Seed json_seed(std::string name, Bytes text);

class Mutator {
public:
    explicit Mutator(uint64_t seed) : rng_(seed) {}
    uint64_t below(uint64_t n) { return n == 0 ? 0 : rng_() % n; }
    Bytes mutate(const Seed& seed);

private:
    size_t position(const Seed& seed, const Bytes& b);
    uint64_t interesting(const Bytes& b);
    void mutate_bytes(const Seed& seed, Bytes& b);
    bool mutate_json(const Seed& seed, Bytes& b);  // false when the region does not parse
    std::mt19937_64 rng_;
};

}  // namespace ltx2::fuzz
