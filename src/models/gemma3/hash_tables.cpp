#include "models/gemma3/hash_tables.h"

#include <algorithm>
#include <bit>
#include <functional>

namespace ltx2 {

namespace {

size_t table_capacity(size_t count) { return std::bit_ceil(std::max<size_t>(16, 2 * count)); }

uint64_t mix(uint64_t x) {  // splitmix64 finalizer
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ULL;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

uint64_t pair_key(int32_t left, int32_t right) { return (uint64_t(uint32_t(left)) << 32) | uint32_t(right); }

}  // namespace

TokenIndex::TokenIndex(const std::vector<std::string>& tokens, const std::vector<int32_t>& ids)
    : tokens_(&tokens), slots_(table_capacity(ids.size()), Slot{0, -1}) {
    const size_t mask = slots_.size() - 1;
    for (int32_t id : ids) {
        const std::string& text = tokens[size_t(id)];
        const auto hash = uint32_t(std::hash<std::string_view>{}(text));
        size_t i = hash & mask;
        while (slots_[i].id >= 0 && !(slots_[i].hash == hash && tokens[size_t(slots_[i].id)] == text))
            i = (i + 1) & mask;
        if (slots_[i].id >= 0) continue;
        slots_[i] = {hash, id};
        ++size_;
    }
}

std::optional<int32_t> TokenIndex::find(std::string_view text) const {
    const auto hash = uint32_t(std::hash<std::string_view>{}(text));
    const size_t mask = slots_.size() - 1;
    for (size_t i = hash & mask; slots_[i].id >= 0; i = (i + 1) & mask)
        if (slots_[i].hash == hash && (*tokens_)[size_t(slots_[i].id)] == text) return slots_[i].id;
    return std::nullopt;
}

void MergeTable::reserve(size_t count) {
    if (table_capacity(count) > slots_.size()) rehash(table_capacity(count));
}

void MergeTable::rehash(size_t capacity) {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(capacity, Slot{kEmpty, {}});
    for (const Slot& s : old)
        if (s.key != kEmpty) slots_[slot_of(s.key)] = s;
}

size_t MergeTable::slot_of(uint64_t key) const {
    const size_t mask = slots_.size() - 1;
    size_t i = mix(key) & mask;
    while (slots_[i].key != kEmpty && slots_[i].key != key) i = (i + 1) & mask;
    return i;
}

void MergeTable::insert_or_assign(int32_t left, int32_t right, Merge merge) {
    if (2 * (size_ + 1) > slots_.size()) rehash(table_capacity(size_ + 1));
    const uint64_t key = pair_key(left, right);
    Slot& slot = slots_[slot_of(key)];
    if (slot.key == kEmpty) ++size_;
    slot = {key, merge};
}

const MergeTable::Merge* MergeTable::find(int32_t left, int32_t right) const {
    if (slots_.empty()) return nullptr;
    const Slot& slot = slots_[slot_of(pair_key(left, right))];
    return slot.key == kEmpty ? nullptr : &slot.merge;
}

}  // namespace ltx2
