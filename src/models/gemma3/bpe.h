#pragma once
// Byte-pair encoding of one pre-tokenized piece, with the semantics of Hugging Face
// `tokenizers`' BPE model: the piece starts as one symbol per character (characters missing
// from the vocabulary become their UTF-8 byte tokens `<0xNN>` with byte fallback, else the
// unknown token), then the adjacent pair with the lowest merge rank is merged, ties going to
// the leftmost pair, until no adjacent pair has a merge.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "models/gemma3/hash_tables.h"

namespace ltx2 {

struct BpeOptions {
    std::optional<int32_t> unk_id;  // token for characters that have no token
    bool fuse_unk = false;          // consecutive unknown characters become one unknown token
    bool byte_fallback = false;     // unknown characters become <0xNN> tokens, one per byte
    bool ignore_merges = false;     // a piece that is itself a vocabulary token is emitted as is
};

class BpeModel {
public:
    // The vocabulary is tokens[id] for the given ids (a repeated text keeps its first id);
    // `tokens` must outlive the model and not change.
    BpeModel(const std::vector<std::string>& tokens, const std::vector<int32_t>& ids, BpeOptions options);

    std::optional<int32_t> find(std::string_view text) const { return vocab_.find(text); }
    size_t vocab_size() const { return vocab_.size(); }

    // Adjacent symbols `left`, `right` merge into `merged`; lower ranks merge first. A second
    // merge of the same pair replaces the first (as a later `merges` entry does in the reference).
    void add_merge(int32_t left, int32_t right, uint32_t rank, int32_t merged);
    void reserve_merges(size_t count) { merges_.reserve(count); }
    size_t merge_count() const { return merges_.size(); }

    // Appends the ids of `piece` (valid UTF-8) to `out`.
    void encode(std::string_view piece, std::vector<int32_t>& out) const;

private:
    using Merge = MergeTable::Merge;
    struct Symbol {
        int32_t id;
        int32_t prev, next;  // neighbouring live symbols, -1 at the ends
        uint32_t bytes;      // 0 once merged into its left neighbour
    };
    std::vector<Symbol> initial_symbols(std::string_view piece) const;
    void merge_all(std::vector<Symbol>& symbols) const;

    TokenIndex vocab_;
    MergeTable merges_;
    std::array<int32_t, 256> byte_tokens_{};  // <0xNN> ids, -1 where the vocabulary lacks one
    BpeOptions options_;
};

}  // namespace ltx2
