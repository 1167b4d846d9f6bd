#pragma once
// The base of every model's weight loader: a tensor from the WeightStore with its exact shape
// and a dtype the model code computes with (F32 or BF16), counted so that a loader can report
// how many tensors it used and reject those it left unused.
#include <string>
#include <vector>

#include "core/error.h"
#include "io/weight_store.h"

namespace ltx2 {

class ModelWeightLoader {
public:
    // Tensors: every get() returns the tensor (decoded ones into `arena` when given).
    // ShapesOnly: get() checks what it would return (WeightStore::check) and returns an undefined
    // tensor, for layers a model materializes later, one at a time.
    enum class Mode { Tensors, ShapesOnly };
    explicit ModelWeightLoader(const WeightStore& store, WeightArena* arena = nullptr, Mode mode = Mode::Tensors)
        : store_(store), arena_(arena), mode_(mode) {}

    Tensor get(const std::string& name, const Shape& shape) {
        ++count_;
        if (mode_ == Mode::ShapesOnly) {
            store_.check(name, shape);
            return Tensor();
        }
        Tensor t = store_.get(name, shape, arena_);
        if (t.dtype() != DType::F32 && t.dtype() != DType::BF16)
            fail("{}: tensor '{}' has dtype {}, expected F32 or BF16", store_.describe(), name, dtype_name(t.dtype()));
        if (t.dtype() == DType::BF16) bf16_ = true;
        return t;
    }
    size_t count() const { return count_; }
    bool bf16() const { return bf16_; }  // any tensor so far was BF16

    // Fails when the store holds tensors that no get() asked for, other than those under
    // `foreign_prefixes` (parts of a shared checkpoint that other components read). `model`
    // completes "N unexpected tensor(s) for ...".
    void reject_unused(const std::vector<std::string>& foreign_prefixes, const std::string& model) const {
        std::vector<std::string> unexpected;
        for (const std::string& name : store_.unused_names()) {
            bool foreign = false;
            for (const std::string& prefix : foreign_prefixes) foreign = foreign || name.rfind(prefix, 0) == 0;
            if (!foreign) unexpected.push_back(name);
        }
        if (unexpected.empty()) return;
        std::string list;
        for (size_t i = 0; i < unexpected.size() && i < 5; ++i) list += (i ? ", '" : "'") + unexpected[i] + "'";
        if (unexpected.size() > 5) list += fmt::format(" and {} more", unexpected.size() - 5);
        fail("{}: {} unexpected tensor(s) for {}: {}", store_.describe(), unexpected.size(), model, list);
    }

protected:
    const WeightStore& store_;
    WeightArena* arena_;
    Mode mode_;

private:
    size_t count_ = 0;
    bool bf16_ = false;
};

}  // namespace ltx2
