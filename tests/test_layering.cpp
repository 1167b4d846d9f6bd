// The engine's layers (DESIGN.md, issue 17) hold by this test, not by discipline: every
// `#include "LAYER/..."` under src/ must go to a layer the including one may use. Includes that
// break the rule today are listed below as debts: a new one fails, and a debt that is paid (the
// include is gone) fails too until it is struck from the list, so the list only shrinks.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <string>

namespace fs = std::filesystem;

namespace {

// What each layer may include besides itself. Models, diffusion, pipelines and LoRA are meant to
// reach the kernels only through a backend-neutral op API (issue 17); io and kernels are peers.
const std::map<std::string, std::set<std::string>> kMayUse = {
    {"core", {}},
    {"io", {"core"}},
    {"kernels", {"core"}},
    {"models", {"core", "io"}},
    {"diffusion", {"core"}},
    {"lora", {"core", "io"}},
    {"pipelines", {"core", "io", "models", "diffusion", "lora"}},
    {"app", {"core", "io", "kernels", "models", "diffusion", "lora", "pipelines"}},
    {"parity", {"core", "io", "kernels", "models", "diffusion", "lora", "pipelines"}},
    {"service", {"core", "io", "pipelines", "app"}},
};

// (file under src/, included header) pairs that break the rule today: the kernels reached
// directly from models and LoRA (until the op API), and the weight decoding io calls in the
// kernels (until it moves behind that API).
const std::set<std::pair<std::string, std::string>> kDebts = {
    {"io/gguf.cpp", "kernels/cpu/dequant.h"},
    {"io/gguf_source.cpp", "kernels/cpu/dequant.h"},
    {"io/weight_store.cpp", "kernels/cpu/fp8.h"},
    {"lora/lora.cpp", "kernels/cpu/linear.h"},
    {"models/audio_vae/model.cpp", "kernels/cpu/conv.h"},
    {"models/audio_vae/model.cpp", "kernels/cpu/elementwise.h"},
    {"models/audio_vae/model.cpp", "kernels/cpu/norm.h"},
    {"models/diffvae/blocks.cpp", "kernels/cpu/elementwise.h"},
    {"models/diffvae/blocks.cpp", "kernels/cpu/linear.h"},
    {"models/diffvae/blocks.cpp", "kernels/cpu/neighborhood_attention.h"},
    {"models/diffvae/blocks.cpp", "kernels/cpu/norm.h"},
    {"models/diffvae/blocks.cpp", "kernels/cpu/rope_axes.h"},
    {"models/diffvae/blocks.h", "kernels/cpu/attention.h"},
    {"models/diffvae/decoder.cpp", "kernels/cpu/elementwise.h"},
    {"models/diffvae/decoder.cpp", "kernels/cpu/linear.h"},
    {"models/diffvae/decoder.cpp", "kernels/cpu/rope_axes.h"},
    {"models/diffvae/geometry.cpp", "kernels/cpu/elementwise.h"},
    {"models/duration_head/duration_head.cpp", "kernels/cpu/attention.h"},
    {"models/duration_head/duration_head.cpp", "kernels/cpu/elementwise.h"},
    {"models/duration_head/duration_head.cpp", "kernels/cpu/linear.h"},
    {"models/gemma3/model.cpp", "kernels/cpu/attention.h"},
    {"models/gemma3/model.cpp", "kernels/cpu/cpu_common.h"},
    {"models/gemma3/model.cpp", "kernels/cpu/dequant.h"},
    {"models/gemma3/model.cpp", "kernels/cpu/elementwise.h"},
    {"models/gemma3/model.cpp", "kernels/cpu/ggml_matvec.h"},
    {"models/gemma3/model.cpp", "kernels/cpu/linear.h"},
    {"models/gemma3/model.cpp", "kernels/cpu/norm.h"},
    {"models/gemma3/model.cpp", "kernels/cpu/rope.h"},
    {"models/gemma3/weights.cpp", "kernels/cpu/dequant.h"},
    {"models/text_encoder/config.h", "kernels/cpu/rope.h"},
    {"models/text_encoder/embeddings_connector.cpp", "kernels/cpu/elementwise.h"},
    {"models/text_encoder/embeddings_connector.cpp", "kernels/cpu/linear.h"},
    {"models/text_encoder/embeddings_connector.cpp", "kernels/cpu/norm.h"},
    {"models/text_encoder/embeddings_connector.cpp", "kernels/cpu/rope.h"},
    {"models/text_encoder/stacked_states.cpp", "kernels/cpu/elementwise.h"},
    {"models/text_encoder/stacked_states.cpp", "kernels/cpu/linear.h"},
    {"models/transformer/attention.cpp", "kernels/cpu/linear.h"},
    {"models/transformer/attention.cpp", "kernels/cpu/norm.h"},
    {"models/transformer/attention.h", "kernels/cpu/attention.h"},
    {"models/transformer/attention.h", "kernels/cpu/rope.h"},
    {"models/transformer/block.cpp", "kernels/cpu/elementwise.h"},
    {"models/transformer/block.cpp", "kernels/cpu/linear.h"},
    {"models/transformer/block.cpp", "kernels/cpu/norm.h"},
    {"models/transformer/config.h", "kernels/cpu/rope.h"},
    {"models/transformer/modality.h", "kernels/cpu/rope.h"},
    {"models/transformer/model.cpp", "kernels/cpu/elementwise.h"},
    {"models/transformer/model.cpp", "kernels/cpu/linear.h"},
    {"models/transformer/model.cpp", "kernels/cpu/norm.h"},
    {"models/transformer/modulation.cpp", "kernels/cpu/elementwise.h"},
    {"models/transformer/preprocess.cpp", "kernels/cpu/elementwise.h"},
    {"models/transformer/preprocess.cpp", "kernels/cpu/linear.h"},
    {"models/transformer/text_attention.cpp", "kernels/cpu/elementwise.h"},
    {"models/transformer/timestep.cpp", "kernels/cpu/elementwise.h"},
    {"models/transformer/timestep.cpp", "kernels/cpu/linear.h"},
    {"models/upsampler/model.cpp", "kernels/cpu/conv.h"},
    {"models/upsampler/model.cpp", "kernels/cpu/elementwise.h"},
    {"models/video_vae/config.h", "kernels/cpu/conv.h"},
    {"models/video_vae/model.cpp", "kernels/cpu/conv.h"},
    {"models/video_vae/model.cpp", "kernels/cpu/elementwise.h"},
    {"models/video_vae/model.cpp", "kernels/cpu/linear.h"},
    {"models/video_vae/model.cpp", "kernels/cpu/norm.h"},
    {"models/vocoder/generator.cpp", "kernels/cpu/conv.h"},
    {"models/vocoder/generator.cpp", "kernels/cpu/elementwise.h"},
    {"models/vocoder/model.cpp", "kernels/cpu/conv.h"},
    {"models/vocoder/model.cpp", "kernels/cpu/elementwise.h"},
    {"models/vocoder/ops.cpp", "kernels/cpu/conv.h"},
    {"models/vocoder/ops.cpp", "kernels/cpu/elementwise.h"},
    {"models/vocoder/ops.cpp", "kernels/cpu/fir_resample.h"},
    {"models/vocoder/ops.cpp", "kernels/cpu/linear.h"},
};

}  // namespace

TEST(Layering, IncludesFollowTheLayersAndTheDebtListOnlyShrinks) {
    const fs::path src = fs::path(LTX2_GOLDEN_DIR).parent_path().parent_path() / "src";
    ASSERT_TRUE(fs::is_directory(src)) << src;
    const std::regex include_line(R"(^\s*#\s*include\s*"([a-z_0-9]+)/([^"]+)\")");
    std::set<std::pair<std::string, std::string>> found;
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
            const std::pair<std::string, std::string> include{relative, target + "/" + m[2].str()};
            found.insert(include);
            EXPECT_TRUE(kDebts.count(include))
                << "src/" << relative << " includes " << include.second << ": the " << layer << " layer may not use "
                << target;
        }
    }
    EXPECT_GT(files, 300u);
    for (const auto& debt : kDebts)
        EXPECT_TRUE(found.count(debt)) << "src/" << debt.first << " no longer includes " << debt.second
                                       << ": strike it from kDebts in tests/test_layering.cpp";
}
