// The engine's layers (DESIGN.md, issue 17) hold by this test, not by discipline: every
// `#include "LAYER/..."` under src/ must go to a layer the including one may use.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <string>

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
    {"service", {"core", "io", "pipelines", "app"}},
};

}  // namespace

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
