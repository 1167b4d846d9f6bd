// lora.fuse: LoRA fusion (ltx_core.loader.fuse_loras.apply_loras) into BF16 and F32 targets.
//
// Tolerances (the fixture's README: "bf16 result: exact or 1 bf16 ulp"): the fixture was made
// with torch 1.13, whose CPU bf16 matmul is not correctly rounded for some small shapes; this
// engine accumulates B·A in float32 and rounds once (tests/test_lora.cpp checks that against a
// double-precision recomputation). The allowance is one bf16 ulp at the tensor's scale, in the
// max|err| / max|ref| measure of every other check: near-cancelling elements (W + delta ≈ 0)
// inherit the delta's one-ulp difference, which is many ulps of their own small magnitude.
// The dbg deltas come straight from torch's bf16 matmul, so they get the bf16-path tolerance.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "io/weight_store.h"
#include "lora/lora.h"
#include "parity/kinds.h"

namespace ltx2 {

namespace {

const std::string kModelPrefix = "model.diffusion_model.";

// One bf16 ulp at the magnitude of v (the spacing of bf16 values around |v|).
double bf16_ulp(double v) {
    const double a = std::fabs(double(round_to_bf16(float(v))));
    if (a == 0.0 || !std::isfinite(a)) return std::ldexp(1.0, -133);
    int e;
    std::frexp(a, &e);  // a = m·2^e, m in [0.5, 1)
    return std::ldexp(1.0, std::max(e - 8, -133));
}

double max_abs(const Tensor& t) {
    double m = 0;
    for (float v : host_values(t)) m = std::max(m, std::fabs(double(v)));
    return m;
}

// One bf16 ulp of the largest value of `scale`, relative to the largest value of `ref`.
double one_bf16_ulp_relative(const Tensor& scale, const Tensor& ref) {
    const double m = max_abs(ref);
    return m > 0 ? bf16_ulp(max_abs(scale)) / m : 0.0;
}

constexpr double kBf16PathTolerance = 2e-2;  // golden/README.md: bf16 path

}  // namespace

void parity_lora_fuse(ParityRun& run) {
    const WeightStore base = WeightStore::open(run.model_path(), kModelPrefix);

    const nlohmann::json spec = run.meta_json("loras");
    LTX2_CHECK(spec.is_array() && !spec.empty(), "{}: metadata 'loras' must be a non-empty list", run.io_path());
    std::vector<LoraWithStrength> loras;
    for (const auto& item : spec) {
        LTX2_CHECK(item.is_object() && item.contains("file") && item["file"].is_string() && item.contains("strength") &&
                       item["strength"].is_number(),
                   "{}: each 'loras' entry needs a string 'file' and a numeric 'strength'", run.io_path());
        loras.push_back({LoraFile::open(run.sibling(item["file"].get<std::string>())), item["strength"].get<double>()});
    }

    const FusedWeights bf16 = fuse_loras(base, loras, DType::BF16, true);
    const FusedWeights f32 = fuse_loras(base, loras, DType::F32, true);

    struct Target {
        std::string out_prefix, dbg_prefix;
        const FusedWeights* fused;
        DType dtype;
    };
    const Target targets[] = {{"out.fused_bf16.", "dbg.delta_bf16.", &bf16, DType::BF16},
                              {"out.fused_f32.", "dbg.delta_f32.", &f32, DType::F32}};

    auto strip = [&](const std::string& name, const std::string& prefix) {
        std::string key = name.substr(prefix.size());
        LTX2_CHECK(key.rfind(kModelPrefix, 0) == 0, "{}: tensor '{}' does not name a '{}' key", run.io_path(), name,
                   kModelPrefix);
        return key.substr(kModelPrefix.size());
    };

    size_t outputs = 0;
    for (const auto& entry : run.io().entries()) {
        const std::string& name = entry.name;
        for (const Target& t : targets) {
            if (name.rfind(t.out_prefix, 0) == 0) {
                const std::string key = strip(name, t.out_prefix);
                auto it = t.fused->fused.find(key);
                const Tensor ref = run.input(name);
                if (it == t.fused->fused.end()) {
                    // Untouched: the base weight cast to D, exactly.
                    run.compare(name, base.get(key).to(t.dtype), 0.0);
                } else if (t.dtype == DType::BF16) {
                    run.compare(name, it->second, one_bf16_ulp_relative(ref, ref));
                } else {
                    const std::string delta_name = "dbg.delta_bf16." + kModelPrefix + key;
                    const Tensor delta = run.has(delta_name) ? run.input(delta_name) : t.fused->deltas.at(key);
                    run.compare(name, it->second, std::max(1e-6, one_bf16_ulp_relative(delta, ref)));
                }
                ++outputs;
            } else if (name.rfind(t.dbg_prefix, 0) == 0) {
                const std::string key = strip(name, t.dbg_prefix);
                auto it = t.fused->deltas.find(key);
                LTX2_CHECK(it != t.fused->deltas.end(), "{}: '{}' is a delta of a weight no LoRA touches",
                           run.io_path(), name);
                run.compare(name, it->second, kBf16PathTolerance);
            }
        }
    }
    LTX2_CHECK(outputs > 0, "{}: no out.fused_bf16.* / out.fused_f32.* tensors", run.io_path());
}

}  // namespace ltx2
