#include "parity/parity.h"

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/error.h"

namespace ltx2 {

ParityRun::ParityRun(const std::string& io_path, std::optional<double> tol_override, std::string weights_override)
    : io_path_(io_path), tol_override_(tol_override), weights_override_(std::move(weights_override)) {
    io_ = SafetensorsFile::open(io_path);
}

std::string ParityRun::kind() const {
    auto k = io_->metadata_value("kind");
    if (!k) fail("{}: no `kind` in the file's __metadata__; not a golden io file", io_path_);
    return *k;
}

std::string ParityRun::meta(const std::string& key) const {
    auto v = io_->metadata_value(key);
    if (!v) fail("{}: metadata key '{}' is missing", io_path_, key);
    return *v;
}

nlohmann::json ParityRun::meta_json(const std::string& key) const {
    const std::string text = meta(key);
    try {
        return nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
        fail("{}: metadata '{}' is not valid JSON: {}", io_path_, key, e.what());
    }
}

std::string ParityRun::sibling(const std::string& relative) const {
    return (std::filesystem::path(io_path_).parent_path() / relative).string();
}

std::string ParityRun::model_path(const std::string& meta_key) const {
    return weights_override_.empty() ? fixture_model_path(meta_key) : weights_override_;
}

std::string ParityRun::fixture_model_path(const std::string& meta_key) const {
    if (auto v = io_->metadata_value(meta_key)) return sibling(*v);
    std::string name = std::filesystem::path(io_path_).filename().string();
    const std::string suffix = ".io.safetensors";
    if (name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0)
        name = name.substr(0, name.size() - suffix.size());
    return sibling(name + ".model.safetensors");
}

namespace {
Shape squeeze(const Shape& s) {
    Shape out;
    for (auto v : s)
        if (v != 1) out.push_back(v);
    return out;
}
}  // namespace

std::vector<float> host_values(const Tensor& t) { return t.to_device(Device::Cpu).to_vector(); }

void require_equal_ids(const ParityRun& run, const std::string& name, const std::vector<int64_t>& got) {
    const Tensor ref = run.host_input(name).to(DType::I64);
    LTX2_CHECK(size_t(ref.numel()) == got.size(), "{}: {} has {} entries, we computed {}", run.io_path(), name,
               ref.numel(), got.size());
    const int64_t* r = ref.data<int64_t>();
    for (size_t i = 0; i < got.size(); ++i)
        LTX2_CHECK(r[i] == got[i], "{}: {}[{}] is {}, we computed {}", run.io_path(), name, i, r[i], got[i]);
}

ParityCheck compare_tensors(const std::string& name, const Tensor& got, const Tensor& ref, double tolerance) {
    ParityCheck c;
    c.name = name;
    c.tolerance = tolerance;
    if (squeeze(got.shape()) != squeeze(ref.shape()))
        fail("{}: computed shape {} does not match the reference shape {}", name, shape_str(got.shape()),
             shape_str(ref.shape()));
    std::vector<float> g = host_values(got), r = host_values(ref);
    double max_ref = 0, max_err = 0;
    bool nan = false;
    for (size_t i = 0; i < r.size(); ++i) {
        max_ref = std::max(max_ref, std::fabs(double(r[i])));
        double e = std::fabs(double(g[i]) - double(r[i]));
        if (std::isnan(e)) nan = !(std::isnan(g[i]) && std::isnan(r[i]));
        else max_err = std::max(max_err, e);
    }
    c.max_abs_err = nan ? INFINITY : max_err;
    c.rel_err = max_ref > 0 ? c.max_abs_err / max_ref : c.max_abs_err;
    c.pass = !nan && c.rel_err <= tolerance;
    return c;
}

void ParityRun::compare(const std::string& name, const Tensor& got, double default_tolerance) {
    checks_.push_back(compare_tensors(name, got, io_->tensor(name), tol_override_.value_or(default_tolerance)));
}

void ParityRun::compare_to(const std::string& name, const Tensor& got, const Tensor& ref, double default_tolerance) {
    checks_.push_back(compare_tensors(name, got, ref, tol_override_.value_or(default_tolerance)));
}

void ParityRun::compare_if_present(const std::string& name, const Tensor& got, double default_tolerance) {
    if (io_->has(name)) compare(name, got, default_tolerance);
}

bool ParityRun::all_passed() const {
    if (checks_.empty()) return false;
    for (const auto& c : checks_)
        if (!c.pass) return false;
    return true;
}

}  // namespace ltx2
