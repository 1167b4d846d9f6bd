#include "fuzz/mutator.h"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <limits>

#include <nlohmann/json.hpp>

#include "core/error.h"

namespace ltx2::fuzz {

namespace fs = std::filesystem;
using nlohmann::json;

Bytes read_file(const fs::path& path) {
    std::ifstream f(path, std::ios::binary);
    LTX2_CHECK(f.good(), "{}: cannot read", path.string());
    return Bytes(std::istreambuf_iterator<char>(f), {});
}

void write_file(const fs::path& path, const Bytes& bytes) {
    fs::remove(path);
    std::ofstream f(path, std::ios::binary);
    f.write(bytes.data(), std::streamsize(bytes.size()));
    LTX2_CHECK(f.good(), "{}: cannot write", path.string());
}

Seed json_seed(std::string name, Bytes text) {
    Seed s{std::move(name), std::move(text)};
    s.json_end = s.bytes.size();
    return s;
}

namespace {

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

void put(Bytes& b, const Field& f, uint64_t v) {
    if (f.offset + size_t(f.width) > b.size()) return;
    for (int i = 0; i < f.width; ++i) {
        const int shift = 8 * (f.big_endian ? f.width - 1 - i : i);
        b[f.offset + size_t(i)] = char((v >> shift) & 0xff);
    }
}

// Every value in a JSON document, for picking one to edit.
void collect(json& j, std::vector<json*>& nodes, std::vector<std::string>& keys) {
    nodes.push_back(&j);
    if (j.is_object()) {
        for (auto it = j.begin(); it != j.end(); ++it) {
            keys.push_back(it.key());
            collect(it.value(), nodes, keys);
        }
    } else if (j.is_array()) {
        for (json& e : j) collect(e, nodes, keys);
    }
}

json interesting_json(uint64_t pick, uint64_t random) {
    switch (pick % 24) {
        case 0: return nullptr;
        case 1: return true;
        case 2: return false;
        case 3: return 0;
        case 4: return -1;
        case 5: return 1;
        case 6: return int64_t(random % 70) - 3;
        case 7: return std::numeric_limits<int32_t>::max();
        case 8: return int64_t(std::numeric_limits<int32_t>::max()) + 1;
        case 9: return std::numeric_limits<int64_t>::min();
        case 10: return std::numeric_limits<int64_t>::max();
        case 11: return std::numeric_limits<uint64_t>::max();
        case 12: return uint64_t(1) << (random % 64);
        case 13: return 0.5;
        case 14: return -0.5;
        case 15: return 1e308;
        case 16: return -1e308;
        case 17: return 5e-324;
        case 18: return "";
        case 19: return std::string(1 + random % 300, char('a' + random % 26));
        case 20: return json::array();
        case 21: return json::object();
        case 22: return json::array({1, 2, 3});
        default: return "\xe2\x96\x81<0x0A>";
    }
}

}  // namespace

size_t Mutator::position(const Seed& seed, const Bytes& b) {
    if (b.empty()) return 0;
    const size_t header = seed.header_end == 0 ? b.size() : std::min(seed.header_end, b.size());
    return below(4) != 0 && header > 0 ? below(header) : below(b.size());
}

uint64_t Mutator::interesting(const Bytes& b) {
    if (below(8) == 0) return b.size() + below(3) - 1;  // the input size, give or take one
    if (below(8) == 0) return rng_() % 40;               // type ids, small counts and dims
    if (below(8) == 0) return uint64_t(1) << below(64);
    return kInteresting64[below(std::size(kInteresting64))];
}

Bytes Mutator::mutate(const Seed& seed) {
    Bytes b = seed.bytes;
    const int count = below(2) ? 1 : 2 + int(below(3));
    for (int i = 0; i < count; ++i)
        if (seed.json_end == 0 || below(3) == 0 || !mutate_json(seed, b)) mutate_bytes(seed, b);
    return b;
}

void Mutator::mutate_bytes(const Seed& seed, Bytes& b) {
    switch (below(12)) {
        case 0:
        case 1:  // bit flip
            if (!b.empty()) b[position(seed, b)] ^= char(1u << below(8));
            break;
        case 2: {  // interesting byte
            static constexpr uint8_t kBytes[] = {0, 1, 0x7f, 0x80, 0xff, 0x20, '"', '\\', '{', '['};
            if (!b.empty()) b[position(seed, b)] = char(kBytes[below(std::size(kBytes))]);
            break;
        }
        case 3:
        case 4:
        case 5: {  // a structural field of the seed, overwritten with an interesting value
            if (seed.fields.empty()) break;
            put(b, seed.fields[below(seed.fields.size())], interesting(b));
            break;
        }
        case 6: {  // an interesting integer anywhere, mostly in the header
            static constexpr int kWidths[] = {1, 2, 4, 8};
            put(b, Field{position(seed, b), kWidths[below(4)], below(2) == 0}, interesting(b));
            break;
        }
        case 7: {  // truncation, mostly near the header's end
            const size_t near = seed.header_end == 0 ? b.size() : std::min(b.size(), seed.header_end + 64);
            b.resize(below(3) ? below(near + 1) : below(b.size() + 1));
            break;
        }
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
        case 10: {  // every field of one group at once (zero-element tensors with huge dims, ...)
            if (seed.groups.empty()) break;
            for (const Field& f : seed.groups[below(seed.groups.size())])
                if (below(2)) put(b, f, interesting(b));
            break;
        }
        case 11: {  // a decimal number of a text (a header, a PNM size) replaced by an interesting one
            const size_t at = b.find_first_of("0123456789", position(seed, b));
            if (at == Bytes::npos) break;
            const size_t end = std::min(b.find_first_not_of("0123456789", at), b.size());
            const Bytes digits = below(4) == 0 ? Bytes(1 + below(40), char('1' + below(9)))
                                               : std::to_string(interesting(b));
            b.replace(at, end - at, below(8) == 0 ? "-" + digits : digits);
            break;
        }
    }
}

bool Mutator::mutate_json(const Seed& seed, Bytes& b) {
    // The region as it stands in `b` (earlier edits may have moved its end).
    size_t end = seed.json_end;
    if (seed.json_length_field) {
        const Field& f = *seed.json_length_field;
        if (f.offset + size_t(f.width) > b.size()) return false;
        uint64_t length = 0;
        std::memcpy(&length, b.data() + f.offset, size_t(f.width));  // little-endian host
        end = seed.json_begin + length;
    } else if (seed.json_end == seed.bytes.size()) {
        end = b.size();
    }
    if (end > b.size() || end < seed.json_begin) return false;
    json doc = json::parse(b.begin() + std::ptrdiff_t(seed.json_begin), b.begin() + std::ptrdiff_t(end), nullptr,
                           false);
    if (doc.is_discarded()) return false;
    std::vector<json*> nodes;
    std::vector<std::string> keys;
    collect(doc, nodes, keys);
    json& node = *nodes[below(nodes.size())];
    switch (below(8)) {
        case 0:
        case 1:
        case 2: node = interesting_json(below(1000), rng_()); break;
        case 3: node = *nodes[below(nodes.size())]; break;  // a copy of another value (maybe its parent)
        case 4:  // a member or element removed, or all of them
            if (node.is_object() && !node.empty()) {
                auto it = node.begin();
                std::advance(it, std::ptrdiff_t(below(node.size())));
                node.erase(it);
            } else if (node.is_array() && !node.empty()) {
                if (below(4) == 0) node.clear();
                else node.erase(below(node.size()));
            } else {
                node = nullptr;
            }
            break;
        case 5:  // a member added under a name used elsewhere, or an element duplicated
            if (node.is_object() && !keys.empty()) node[keys[below(keys.size())]] = interesting_json(below(1000), rng_());
            else if (node.is_array() && !node.empty()) node.push_back(node[below(node.size())]);
            else if (node.is_array()) node.push_back(interesting_json(below(1000), rng_()));
            break;
        case 6:  // numbers nudged, strings edited
            if (node.is_number_unsigned()) node = node.get<uint64_t>() + below(5) - 2;  // wraps
            else if (node.is_number_integer()) node = int64_t(uint64_t(node.get<int64_t>()) + below(5) - 2);
            else if (node.is_number_float()) node = -node.get<double>() * double(1 + below(4));
            else if (node.is_string()) {
                std::string s = node.get<std::string>();
                if (below(2) && !s.empty()) s.resize(below(s.size()));
                else s += keys.empty() ? "x" : keys[below(keys.size())];
                node = s;
            }
            break;
        default:  // a value replaced by a wrong-typed one of the same document
            node = below(2) ? json(json::array({node})) : json(json::object({{"value", node}}));
            break;
    }
    const Bytes text = doc.dump(below(4) == 0 ? 2 : -1, ' ', false, json::error_handler_t::replace);
    b.replace(seed.json_begin, end - seed.json_begin, text);
    if (seed.json_length_field && below(8) != 0) put(b, *seed.json_length_field, text.size());
    return true;
}

}  // namespace ltx2::fuzz
