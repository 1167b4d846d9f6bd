#include "core/weight_arena.h"

#include <algorithm>

#include "core/error.h"

namespace ltx2 {

namespace {
constexpr size_t kChunkBytes = size_t(64) << 20;
constexpr size_t kAlign = 64;
}  // namespace

Tensor WeightArena::allocate(const Shape& shape, DType dtype) {
    for (int64_t d : shape) LTX2_CHECK(d >= 0, "weight arena: negative dimension in shape {}", shape_str(shape));
    const size_t bytes = std::max<size_t>(size_t(shape_numel(shape)) * dtype_size(dtype), 1);
    const size_t padded = (bytes + kAlign - 1) / kAlign * kAlign;
    std::lock_guard lock(mutex_);
    while (current_ < chunks_.size() && chunks_[current_].used + padded > chunks_[current_].storage->size())
        ++current_;
    if (current_ == chunks_.size()) chunks_.push_back({std::make_shared<OwnedStorage>(std::max(kChunkBytes, padded)), 0});
    Chunk& c = chunks_[current_];
    Tensor t = Tensor::view_of(c.storage, c.used, shape, dtype);
    c.used += padded;
    return t;
}

void WeightArena::reset() {
    std::lock_guard lock(mutex_);
    for (Chunk& c : chunks_) {
        LTX2_CHECK(c.storage.use_count() == 1,
                   "weight arena: reset while {} tensor(s) still use its memory (weights of the previous layer were "
                   "not released)",
                   c.storage.use_count() - 1);
        c.used = 0;
    }
    current_ = 0;
}

size_t WeightArena::capacity_bytes() const {
    std::lock_guard lock(mutex_);
    size_t n = 0;
    for (const Chunk& c : chunks_) n += c.storage->size();
    return n;
}

size_t WeightArena::used_bytes() const {
    std::lock_guard lock(mutex_);
    size_t n = 0;
    for (const Chunk& c : chunks_) n += c.used;
    return n;
}

}  // namespace ltx2
