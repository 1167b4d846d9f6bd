#pragma once
// Added tokens (special or not) are found in the raw text before anything else runs: at each
// position the longest added token starting there wins, scanning left to right
// (leftmost-longest, as the reference's Aho-Corasick matcher does).
#include <cstdint>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace ltx2 {

class AddedTokenMatcher {
public:
    AddedTokenMatcher();

    // Returns false (and adds nothing) when `text` is empty or already added.
    bool add(std::string_view text, int32_t id);
    size_t size() const { return count_; }
    std::optional<int32_t> find(std::string_view text) const;  // exact match

    // The text cut into runs of plain text (id -1) and added tokens (their id), in order.
    struct Piece {
        std::string_view text;
        int32_t id;
    };
    std::vector<Piece> split(std::string_view text) const;

private:
    struct Match {
        size_t length = 0;
        int32_t id = -1;
    };
    Match longest_at(std::string_view text, size_t pos) const;
    std::optional<uint32_t> child(uint32_t node, unsigned char byte) const;

    // A byte trie: node 0 is the root; an edge is keyed by (node << 8 | byte).
    std::vector<int32_t> node_token_;  // token ending at each node, -1 if none
    std::unordered_map<uint64_t, uint32_t> edges_;
    size_t count_ = 0;
};

}  // namespace ltx2
