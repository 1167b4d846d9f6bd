// Golden-parity kinds of torch's CPU generator (see golden/rng/README.md) and of the Gaussian
// noiser (golden/components/README.md, `noiser`). Both are exact: tolerance 0.
#include "parity/kinds.h"

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "diffusion/noiser.h"
#include "core/torch_rng.h"

namespace ltx2 {

namespace {

constexpr double kExact = 0.0;

uint64_t json_seed(const ParityRun& run, const nlohmann::json& j) {
    if (j.is_number_unsigned()) return j.get<uint64_t>();
    if (j.is_number_integer()) return uint64_t(j.get<int64_t>());  // torch wraps negative seeds
    if (j.is_string()) return std::stoull(j.get<std::string>());
    fail("{}: seed {} is not an integer", run.io_path(), j.dump());
}

Shape json_shape(const ParityRun& run, const nlohmann::json& j) {
    LTX2_CHECK(j.is_array(), "{}: shape {} is not a list", run.io_path(), j.dump());
    Shape s;
    for (auto& v : j) s.push_back(v.get<int64_t>());
    return s;
}

}  // namespace

void parity_rng_torch_cpu_randn(ParityRun& run) {
    const nlohmann::json cases = run.meta_json("cases");
    LTX2_CHECK(cases.is_array(), "{}: metadata 'cases' must be a list", run.io_path());
    for (const auto& c : cases) {
        const uint64_t seed = json_seed(run, c.at("seed"));
        if (c.at("case").is_string()) {
            const std::string name = c.at("case").get<std::string>();
            LTX2_CHECK(name == "seq", "{}: unknown case '{}'", run.io_path(), name);
            const auto& shapes = c.at("shapes");
            LTX2_CHECK(shapes.is_array() && shapes.size() == 2, "{}: case seq needs two shapes", run.io_path());
            DType dt = DType::F32;
            if (c.contains("dtype") && c.at("dtype").get<std::string>() == "bfloat16") dt = DType::BF16;
            TorchGenerator g(seed);
            run.compare("out.seq.first", g.randn(json_shape(run, shapes[0]), dt).to(DType::F32), kExact);
            run.compare("out.seq.second", g.randn(json_shape(run, shapes[1]), dt).to(DType::F32), kExact);
            continue;
        }
        const int64_t k = c.at("case").get<int64_t>();
        const Shape shape = json_shape(run, c.at("shape"));
        const std::string base = "out.case" + std::to_string(k);
        if (run.has(base + ".f32")) {
            TorchGenerator g(seed);
            run.compare(base + ".f32", g.randn(shape, DType::F32), kExact);
        }
        if (run.has(base + ".bf16")) {
            TorchGenerator g(seed);
            run.compare(base + ".bf16", g.randn(shape, DType::BF16).to(DType::F32), kExact);
        }
    }
}

void parity_components_noiser(ParityRun& run) {
    const uint64_t seed = json_seed(run, run.meta_json("seed"));
    const nlohmann::json scales = run.meta_json("noise_scales");
    LTX2_CHECK(scales.is_array() && !scales.empty(), "{}: metadata 'noise_scales' must be a non-empty list",
               run.io_path());
    const Tensor latent = run.input("in.latent");
    const Tensor mask = run.input("in.denoise_mask");
    TorchGenerator g(seed);
    // Every call noises the same input state; the generator carries on between calls.
    for (size_t i = 0; i < scales.size(); ++i) {
        const std::string call = "call" + std::to_string(i + 1);
        NoisedLatent r = gaussian_noise_latent_with_noise(latent, mask, scales[i].get<double>(), g);
        run.compare_if_present("dbg." + call + ".noise", r.noise.to(DType::F32), kExact);
        run.compare("out." + call + ".latent", r.latent.to(DType::F32), kExact);
    }
}

}  // namespace ltx2
