#pragma once
// One streaming pass over a `tokenizer.json`: the two big tables (model.vocab: 262k entries,
// model.merges: 515k pairs for Gemma 3) go straight into compact arrays; everything else,
// which is small, becomes a JSON document. A full DOM of the 33 MB file would cost ~190 MB.
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace ltx2 {

struct TokenizerJsonTables {
    std::shared_ptr<nlohmann::json> document;  // the file without model.vocab and model.merges

    bool has_vocab = false;  // model.vocab was an object
    std::vector<std::pair<std::string, uint64_t>> vocab;

    bool has_merges = false;  // model.merges was an array
    size_t merge_count() const { return merge_starts.size() / 2; }
    std::string_view merge_left(size_t i) const { return part(2 * i); }
    std::string_view merge_right(size_t i) const { return part(2 * i + 1); }

    // Left and right texts of every merge back to back; starts[2i], starts[2i+1] begin merge i.
    std::string merge_text;
    std::vector<uint32_t> merge_starts;

private:
    std::string_view part(size_t k) const {
        const size_t end = k + 1 < merge_starts.size() ? merge_starts[k + 1] : merge_text.size();
        return std::string_view(merge_text).substr(merge_starts[k], end - merge_starts[k]);
    }
};

// Throws ltx2::Error naming `path` when the file cannot be read, is not JSON (with the byte
// position), is not an object at the top, or has malformed vocab / merges entries.
TokenizerJsonTables read_tokenizer_json(const std::string& path);

}  // namespace ltx2
