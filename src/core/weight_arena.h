#pragma once
// Reused scratch memory for weights materialized one layer at a time (quantized or fp8
// tensors decoded to BF16): tensors handed out are views into chunks that survive reset(), so a
// model streamed layer by layer allocates and page-faults its decoded copies once, and its
// footprint is the largest layer rather than the whole model.
#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

#include "core/tensor.h"

namespace ltx2 {

class WeightArena {
public:
    // A contiguous tensor (contents undefined) valid until the next reset().
    Tensor allocate(const Shape& shape, DType dtype);
    // Makes all memory reusable. Throws if a tensor handed out is still referenced (a layer's
    // weights must be dropped before the next layer is materialized).
    void reset();
    size_t capacity_bytes() const;  // memory held (the high-water mark of one layer)
    size_t used_bytes() const;

private:
    struct Chunk {
        std::shared_ptr<Storage> storage;
        size_t used = 0;
    };
    mutable std::mutex mutex_;
    std::vector<Chunk> chunks_;
    size_t current_ = 0;
};

}  // namespace ltx2
