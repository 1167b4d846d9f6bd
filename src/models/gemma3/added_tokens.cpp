#include "models/gemma3/added_tokens.h"

namespace ltx2 {

namespace {
uint64_t edge_key(uint32_t node, unsigned char byte) { return (uint64_t(node) << 8) | byte; }
}  // namespace

AddedTokenMatcher::AddedTokenMatcher() : node_token_{-1} {}

std::optional<uint32_t> AddedTokenMatcher::child(uint32_t node, unsigned char byte) const {
    const auto it = edges_.find(edge_key(node, byte));
    if (it == edges_.end()) return std::nullopt;
    return it->second;
}

bool AddedTokenMatcher::add(std::string_view text, int32_t id) {
    if (text.empty()) return false;
    uint32_t node = 0;
    for (unsigned char byte : text) {
        const auto [it, inserted] = edges_.try_emplace(edge_key(node, byte), uint32_t(node_token_.size()));
        if (inserted) node_token_.push_back(-1);
        node = it->second;
    }
    if (node_token_[node] >= 0) return false;
    node_token_[node] = id;
    ++count_;
    return true;
}

std::optional<int32_t> AddedTokenMatcher::find(std::string_view text) const {
    uint32_t node = 0;
    for (unsigned char byte : text) {
        const auto next = child(node, byte);
        if (!next) return std::nullopt;
        node = *next;
    }
    if (text.empty() || node_token_[node] < 0) return std::nullopt;
    return node_token_[node];
}

AddedTokenMatcher::Match AddedTokenMatcher::longest_at(std::string_view text, size_t pos) const {
    Match best;
    uint32_t node = 0;
    for (size_t i = pos; i < text.size(); ++i) {
        const auto next = child(node, static_cast<unsigned char>(text[i]));
        if (!next) break;
        node = *next;
        if (node_token_[node] >= 0) best = {i + 1 - pos, node_token_[node]};
    }
    return best;
}

std::vector<AddedTokenMatcher::Piece> AddedTokenMatcher::split(std::string_view text) const {
    std::vector<Piece> pieces;
    size_t plain_start = 0;
    for (size_t pos = 0; pos < text.size();) {
        const Match m = count_ ? longest_at(text, pos) : Match{};
        if (m.length == 0) {
            ++pos;
            continue;
        }
        if (pos > plain_start) pieces.push_back({text.substr(plain_start, pos - plain_start), -1});
        pieces.push_back({text.substr(pos, m.length), m.id});
        pos += m.length;
        plain_start = pos;
    }
    if (plain_start < text.size()) pieces.push_back({text.substr(plain_start), -1});
    return pieces;
}

}  // namespace ltx2
