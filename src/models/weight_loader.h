#pragma once
// The base of every model's weight loader: a tensor from the WeightStore with its exact shape
// and a dtype the model code computes with (F32 or BF16), counted so that a loader can report
// how many tensors it used.
#include <string>

#include "core/error.h"
#include "io/weight_store.h"

namespace ltx2 {

class ModelWeightLoader {
public:
    explicit ModelWeightLoader(const WeightStore& store) : store_(store) {}

    Tensor get(const std::string& name, const Shape& shape) {
        Tensor t = store_.get(name, shape);
        if (t.dtype() != DType::F32 && t.dtype() != DType::BF16)
            fail("{}: tensor '{}' has dtype {}, expected F32 or BF16", store_.describe(), name, dtype_name(t.dtype()));
        if (t.dtype() == DType::BF16) bf16_ = true;
        ++count_;
        return t;
    }
    size_t count() const { return count_; }
    bool bf16() const { return bf16_; }  // any tensor so far was BF16

protected:
    const WeightStore& store_;

private:
    size_t count_ = 0;
    bool bf16_ = false;
};

}  // namespace ltx2
