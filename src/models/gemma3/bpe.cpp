#include "models/gemma3/bpe.h"

#include <fmt/format.h>

#include <algorithm>
#include <queue>

#include "core/error.h"
#include "models/gemma3/utf8.h"

namespace ltx2 {

BpeModel::BpeModel(const std::vector<std::string>& tokens, const std::vector<int32_t>& ids, BpeOptions options)
    : vocab_(tokens, ids), options_(options) {
    for (int b = 0; b < 256; ++b) {
        const auto id = find(fmt::format("<0x{:02X}>", b));
        byte_tokens_[b] = id ? *id : -1;
    }
}

void BpeModel::add_merge(int32_t left, int32_t right, uint32_t rank, int32_t merged) {
    merges_.insert_or_assign(left, right, Merge{rank, merged});
}

std::vector<BpeModel::Symbol> BpeModel::initial_symbols(std::string_view piece) const {
    std::vector<Symbol> symbols;
    symbols.reserve(piece.size());
    const auto add = [&](int32_t id, size_t bytes) {
        const auto index = int32_t(symbols.size());
        if (!symbols.empty()) symbols.back().next = index;
        symbols.push_back({id, index - 1, -1, uint32_t(bytes)});
    };
    std::optional<Symbol> pending_unk;  // an unknown run waiting to be emitted (fuse_unk)
    const auto flush_unk = [&] {
        if (pending_unk) add(pending_unk->id, pending_unk->bytes);
        pending_unk.reset();
    };
    for (size_t pos = 0; pos < piece.size();) {
        const Utf8Char ch = decode_utf8_at(piece, pos);
        LTX2_CHECK(ch.length != 0, "BPE: invalid UTF-8 at byte {} of a piece", pos);
        const std::string_view text = piece.substr(pos, ch.length);
        if (const auto id = find(text)) {
            flush_unk();
            add(*id, ch.length);
        } else if (options_.byte_fallback &&
                   std::all_of(text.begin(), text.end(), [&](char c) { return byte_tokens_[uint8_t(c)] >= 0; })) {
            flush_unk();
            for (char c : text) add(byte_tokens_[uint8_t(c)], 1);
        } else if (options_.unk_id) {
            if (pending_unk && options_.fuse_unk) {
                pending_unk->bytes += uint32_t(ch.length);
            } else {
                flush_unk();
                pending_unk = Symbol{*options_.unk_id, -1, -1, uint32_t(ch.length)};
            }
        } else {
            fail("BPE: character U+{:04X} has no token, no byte fallback token and there is no unknown token",
                 uint32_t(ch.code_point));
        }
        pos += ch.length;
    }
    flush_unk();
    return symbols;
}

void BpeModel::merge_all(std::vector<Symbol>& symbols) const {
    struct Candidate {
        uint32_t rank;
        int32_t pos;  // left symbol of the pair
        int32_t merged;
        bool operator>(const Candidate& o) const { return rank != o.rank ? rank > o.rank : pos > o.pos; }
    };
    std::priority_queue<Candidate, std::vector<Candidate>, std::greater<>> queue;
    const auto push_pair = [&](int32_t pos) {
        const Symbol& left = symbols[size_t(pos)];
        if (const Merge* m = merges_.find(left.id, symbols[size_t(left.next)].id))
            queue.push({m->rank, pos, m->merged});
    };
    for (int32_t pos = 0; pos + 1 < int32_t(symbols.size()); ++pos) push_pair(pos);

    while (!queue.empty()) {
        const Candidate top = queue.top();
        queue.pop();
        Symbol& left = symbols[size_t(top.pos)];
        if (left.bytes == 0 || left.next < 0) continue;
        Symbol& right = symbols[size_t(left.next)];
        // The pair may have changed since it was queued; merge only if it still yields `merged`.
        const Merge* current = merges_.find(left.id, right.id);
        if (!current || current->merged != top.merged) continue;

        left.id = top.merged;
        left.bytes += right.bytes;
        left.next = right.next;
        right.bytes = 0;
        if (left.next >= 0) symbols[size_t(left.next)].prev = top.pos;
        if (left.prev >= 0) push_pair(left.prev);
        if (left.next >= 0) push_pair(top.pos);
    }
}

void BpeModel::encode(std::string_view piece, std::vector<int32_t>& out) const {
    if (piece.empty()) return;
    if (options_.ignore_merges) {
        if (const auto id = find(piece)) {
            out.push_back(*id);
            return;
        }
    }
    std::vector<Symbol> symbols = initial_symbols(piece);
    merge_all(symbols);
    for (const Symbol& s : symbols)
        if (s.bytes != 0) out.push_back(s.id);
}

}  // namespace ltx2
