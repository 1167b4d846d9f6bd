#include "gemma_gguf.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <set>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/error.h"
#include "models/gemma3/config.h"
#include "models/gemma3/gguf_config.h"
#include "models/gemma3/gguf_names.h"
#include "models/gemma3/gguf_vocabulary.h"

namespace ltx2 {

namespace {

namespace fs = std::filesystem;

const std::string kTable = "embed_tokens.weight";

// The key prefix of the text model's tensors ("language_model.model.", "model.", ...): what
// precedes the one embedding table.
std::string text_model_prefix(const std::vector<std::string>& names, const std::string& path) {
    std::vector<std::string> prefixes;
    for (const std::string& n : names)
        if (n.ends_with(kTable) && (n.size() == kTable.size() || n[n.size() - kTable.size() - 1] == '.'))
            prefixes.push_back(n.substr(0, n.size() - kTable.size()));
    LTX2_CHECK(prefixes.size() == 1, "{}: expected one Gemma 3 token table '...{}', found {}", path, kTable,
               prefixes.size());
    return prefixes.front();
}

// "vision_tower.*, multi_modal_projector.*": the top-level groups of `names`.
std::string groups(const std::vector<std::string>& names) {
    std::set<std::string> tops;
    for (const std::string& n : names) tops.insert(n.substr(0, n.find('.')) + ".*");
    return fmt::format("{}", fmt::join(tops, ", "));
}

// The special-token ids llama.cpp reads with the vocabulary (convert_hf_to_gguf.py takes them
// from the tokenizer files; Gemma's are these texts), and its BOS-prepending rule.
void set_special_tokens(GgufWriter& writer, const GgufVocabulary& v) {
    const std::pair<const char*, const char*> specials[] = {
        {"bos", "<bos>"}, {"eos", "<eos>"}, {"unknown", "<unk>"}, {"padding", "<pad>"}};
    for (const auto& [role, text] : specials) {
        const auto it = std::find(v.tokens.begin(), v.tokens.end(), text);
        if (it != v.tokens.end())
            writer.set_u32(fmt::format("tokenizer.ggml.{}_token_id", role), uint32_t(it - v.tokens.begin()));
    }
    writer.set_bool("tokenizer.ggml.add_bos_token", true);
    writer.set_bool("tokenizer.ggml.add_eos_token", false);
}

void add_vocabulary(GgufWriter& writer, const fs::path& folder, const std::string& out) {
    const fs::path tokenizer = folder / "tokenizer.json";
    if (!fs::exists(tokenizer)) {
        std::fprintf(stderr,
                     "warning: %s has no tokenizer.json: %s holds no vocabulary, so `--gemma %s` will then need a "
                     "tokenizer\n",
                     folder.string().c_str(), out.c_str(), out.c_str());
        return;
    }
    const GgufVocabulary vocabulary = gguf_vocabulary_from_tokenizer_json(tokenizer.string());
    set_gguf_vocabulary(writer, vocabulary);
    set_special_tokens(writer, vocabulary);
}

}  // namespace

void write_gemma3_gguf(const WeightStore& checkpoint, const std::string& weights_path, const std::string& name,
                       const TargetType& target, const std::string& out) {
    const fs::path folder = fs::absolute(weights_path).parent_path();
    const fs::path config_json = folder / "config.json";
    LTX2_CHECK(fs::exists(config_json), "{}: a Gemma 3 checkpoint needs its config.json beside it ({} is missing)",
               weights_path, config_json.string());
    const Gemma3Config config = load_gemma3_config(config_json.string());

    const std::vector<std::string> names = checkpoint.names();
    const std::string prefix = text_model_prefix(names, weights_path);
    std::vector<std::string> text, skipped;
    for (const std::string& n : names) (n.starts_with(prefix) ? text : skipped).push_back(n);
    if (!skipped.empty())
        std::fprintf(stderr,
                     "skipping %zu tensors outside the text model (%s): a gemma3 GGUF holds the text model only\n",
                     skipped.size(), groups(skipped).c_str());

    GgufWriter writer;
    set_gemma3_gguf_metadata(writer, config);
    set_quantized_file_metadata(writer, name, target);
    add_vocabulary(writer, folder, out);

    const int64_t block = ggml_type_traits(target.type).block_elems;
    Progress progress(text.size());
    size_t quantized = 0;
    for (const std::string& full : text) {
        const std::string hf = full.substr(prefix.size());
        std::string key;
        try {
            key = gemma3_llama_cpp_name(hf);
        } catch (const Error& e) {
            fail("{}: tensor '{}': {}", weights_path, full, e.what());
        }
        const Tensor t = checkpoint.get(full).contiguous();
        LTX2_CHECK(dtype_is_float(t.dtype()), "{}: tensor '{}' has dtype {}, expected a float type", weights_path, full,
                   dtype_name(t.dtype()));
        const size_t bytes_in = t.nbytes();
        auto done = [&progress, &checkpoint, full, bytes_in] {
            progress.done(full, bytes_in);
            checkpoint.release(full);
        };
        if (hf.ends_with("norm.weight")) {
            LTX2_CHECK(t.dim() == 1, "{}: tensor '{}' has shape {}, expected a 1-D norm weight", weights_path, full,
                       shape_str(t.shape()));
            // Gemma's RMSNorm scales by 1 + w; llama.cpp stores that sum.
            auto plus_one = [](float* x, size_t n) {
                for (size_t i = 0; i < n; ++i) x[i] += 1.0f;
            };
            add_rows_tensor(writer, key, GgmlType::F32, t.shape(), t, full, plus_one, done);
            continue;
        }
        LTX2_CHECK(t.dim() == 2 && t.size(0) > 0, "{}: tensor '{}' has shape {}, expected a 2-D matrix", weights_path,
                   full, shape_str(t.shape()));
        const bool whole_blocks = t.size(1) % block == 0;
        quantized += whole_blocks;
        add_rows_tensor(writer, key, whole_blocks ? target.type : GgmlType::F16, t.shape(), t, full, nullptr, done);
    }
    writer.write(out);
    std::fprintf(stderr, "%s: gemma3 (llama.cpp layout), %zu tensors, %zu quantized to %s, the others F16 (matrices) "
                 "or F32 (norms)\n",
                 out.c_str(), text.size(), quantized, std::string(ggml_type_name(target.type)).c_str());
}

}  // namespace ltx2
