#pragma once
// Golden-parity runs: load a fixture's io file, run the computation its `kind` names,
// compare each output with the stored reference (max abs error / max |ref|).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/tensor.h"
#include "io/safetensors.h"

namespace ltx2 {

struct ParityCheck {
    std::string name;
    double max_abs_err = 0;
    double rel_err = 0;  // max_abs_err / max |ref| (max_abs_err when ref is all zero)
    double tolerance = 0;
    bool pass = false;
};

// A tensor's values in host memory, from whatever device it is on (the runner's own reads).
std::vector<float> host_values(const Tensor& t);

class ParityRun {
public:
    // tol_override: --tol; weights_override: --weights (replaces the model file the fixture names).
    ParityRun(const std::string& io_path, std::optional<double> tol_override, std::string weights_override);

    const SafetensorsFile& io() const { return *io_; }
    const std::string& io_path() const { return io_path_; }
    std::string kind() const;
    bool has(const std::string& name) const { return io_->has(name); }
    // An io tensor on the device computations run on (default_device(): the checked device under
    // LTX2_DEVICE=checked-cpu); host_input: in host memory, for values the runner itself reads.
    Tensor input(const std::string& name) const { return io_->tensor(name).to_device(default_device()); }
    Tensor host_input(const std::string& name) const { return io_->tensor(name); }
    bool has_meta(const std::string& key) const { return io_->metadata_value(key).has_value(); }
    std::string meta(const std::string& key) const;  // throws naming file and key when absent
    nlohmann::json meta_json(const std::string& key) const;  // parsed; throws naming file and key
    // A path relative to the io file's folder.
    std::string sibling(const std::string& relative) const;
    // The weights: --weights, else metadata `meta_key` (relative), else NAME.model.safetensors.
    std::string model_path(const std::string& meta_key = "model") const;
    // The model file the fixture names, ignoring --weights; and --weights itself ("" if not given).
    std::string fixture_model_path(const std::string& meta_key = "model") const;
    const std::string& weights_override() const { return weights_override_; }
    // The tokenizer.json: --tokenizer, else `default_relative` beside the io file.
    void set_tokenizer_override(std::string path) { tokenizer_override_ = std::move(path); }
    std::string tokenizer_path(const std::string& default_relative) const {
        return tokenizer_override_.empty() ? sibling(default_relative) : tokenizer_override_;
    }

    // Compares `got` with the io tensor `name` (shapes must match, after dropping size-1 dims).
    void compare(const std::string& name, const Tensor& got, double default_tolerance);
    // Same, against `ref` (e.g. some rows of the io tensor `name`), recorded under `name`.
    void compare_to(const std::string& name, const Tensor& got, const Tensor& ref, double default_tolerance);
    // Same, for a reference tensor that may be absent (dbg.*): skipped when absent.
    void compare_if_present(const std::string& name, const Tensor& got, double default_tolerance);

    const std::vector<ParityCheck>& checks() const { return checks_; }
    bool all_passed() const;

private:
    std::string io_path_;
    std::shared_ptr<SafetensorsFile> io_;
    std::optional<double> tol_override_;
    std::string weights_override_;
    std::string tokenizer_override_;
    std::vector<ParityCheck> checks_;
};

ParityCheck compare_tensors(const std::string& name, const Tensor& got, const Tensor& ref, double tolerance);

// Exact equality of integers we computed (token ids, masks, positions) with the io tensor
// `name`; throws naming the first difference.
void require_equal_ids(const ParityRun& run, const std::string& name, const std::vector<int64_t>& got);

using ParityKindFn = void (*)(ParityRun&);
// nullptr for an unknown kind.
ParityKindFn find_parity_kind(std::string_view kind);
std::vector<std::string> parity_kind_names();

}  // namespace ltx2
