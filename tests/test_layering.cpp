// The engine's layers (docs/ARCHITECTURE.md) hold by these tests, not by discipline: every
// `#include "LAYER/..."` under src/ must go to a layer the including one may use, and the layers
// above the op API reach tensor data only through ops (the checked-device goldens prove it at run
// time; this finds it in the source).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

// What each layer may include besides itself. Models, diffusion, pipelines and LoRA reach the
// hardware only through the backend-neutral op API (ops/); the CPU kernels implement it.
const std::map<std::string, std::set<std::string>> kMayUse = {
    {"core", {}},
    {"ops", {"core"}},
    {"io", {"core", "ops"}},
    {"kernels", {"core", "ops"}},
    {"models", {"core", "io", "ops"}},
    {"diffusion", {"core", "ops"}},
    {"lora", {"core", "io", "ops"}},
    {"pipelines", {"core", "io", "ops", "models", "diffusion", "lora"}},
    {"app", {"core", "io", "ops", "kernels", "models", "diffusion", "lora", "pipelines"}},
    {"parity", {"core", "io", "ops", "kernels", "models", "diffusion", "lora", "pipelines"}},
    {"service", {"core", "io", "pipelines", "app", "capi"}},
    {"capi", {"core", "kernels", "pipelines", "app"}},
};

// Layers that must not touch tensor data themselves.
const std::vector<std::string> kAboveTheOps = {"models", "diffusion", "pipelines", "lora"};

// Data accesses they keep, each read once while loading weights (host memory, not a computed
// tensor), or a method that only shares the name. A stale entry fails too, so the list only shrinks.
const std::set<std::pair<std::string, std::string>> kAllowedDataAccess = {
    {"models/gemma3/weights.cpp", "get(name + \".weight\", {width}).to_vector()"},  // norms stored as 1 + w
    {"models/vocoder/weights.cpp", "log_alpha.to_vector()"},                     // Activation1d tables
    {"models/vocoder/weights.cpp", "log_beta.to_vector()"},
    {"models/vocoder/weights.cpp", "filter.to_vector()"},
    {"models/video_vae/model.cpp", "m.to_vector()"},  // timestep_scale_multiplier, a config scalar
    {"models/vocoder/weights.cpp", "l.bf16()"},        // the loader's dtype
    {"pipelines/model_loading.cpp", "model.bf16()"},   // LTXModel::bf16(): the weights' dtype
    {"pipelines/stage_runner.cpp", "model.bf16()"},
};

}  // namespace

TEST(Layering, LayersAboveTheOpsReachTensorDataOnlyThroughOps) {
    const fs::path src = fs::path(LTX2_GOLDEN_DIR).parent_path().parent_path() / "src";
    const std::regex access(R"(([A-Za-z_][\w]*(\([^()]*(\{[^{}]*\})?[^()]*\))?)\.(f32|bf16|raw|to_vector)\(\)|\.data<|\.at\(\{)");
    std::set<std::pair<std::string, std::string>> found;
    for (const std::string& layer : kAboveTheOps)
        for (const auto& entry : fs::recursive_directory_iterator(src / layer)) {
            if (!entry.is_regular_file()) continue;
            const std::string relative = fs::relative(entry.path(), src).generic_string();
            std::ifstream in(entry.path());
            int number = 0;
            for (std::string line; std::getline(in, line);) {
                ++number;
                for (std::sregex_iterator m(line.begin(), line.end(), access), end; m != end; ++m) {
                    const std::pair<std::string, std::string> use{relative, m->str()};
                    found.insert(use);
                    EXPECT_TRUE(kAllowedDataAccess.count(use))
                        << "src/" << relative << ":" << number << " touches tensor data (" << m->str()
                        << "): call an op (src/ops) instead";
                }
            }
        }
    for (const auto& allowed : kAllowedDataAccess)
        EXPECT_TRUE(found.count(allowed)) << "src/" << allowed.first << " no longer has " << allowed.second
                                          << ": strike it from kAllowedDataAccess in tests/test_layering.cpp";
}

TEST(Layering, EveryIncludeGoesToALayerTheIncludingOneMayUse) {
    const fs::path src = fs::path(LTX2_GOLDEN_DIR).parent_path().parent_path() / "src";
    ASSERT_TRUE(fs::is_directory(src)) << src;
    const std::regex include_line(R"(^\s*#\s*include\s*"([a-z_0-9]+)/([^"]+)\")");
    size_t files = 0;
    for (const auto& entry : fs::recursive_directory_iterator(src)) {
        if (!entry.is_regular_file()) continue;
        const std::string relative = fs::relative(entry.path(), src).generic_string();
        const std::string layer = relative.substr(0, relative.find('/'));
        const auto rule = kMayUse.find(layer);
        if (rule == kMayUse.end()) {
            ADD_FAILURE() << "src/" << relative << ": the layer '" << layer << "' is not in the layering test's table";
            continue;
        }
        ++files;
        std::ifstream in(entry.path());
        std::smatch m;
        for (std::string line; std::getline(in, line);) {
            if (!std::regex_search(line, m, include_line)) continue;
            const std::string target = m[1].str();
            if (target == layer || !kMayUse.count(target) || rule->second.count(target)) continue;
            ADD_FAILURE() << "src/" << relative << " includes " << target << "/" << m[2].str() << ": the " << layer
                          << " layer may not use " << target;
        }
    }
    EXPECT_GT(files, 300u);
}
