#include "pipelines/prompt_enhancement.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <optional>

#include "core/error.h"
#include "models/gemma3/generation_config.h"
#include "models/gemma3/gguf_tokenizer.h"
#include "models/gemma3/gguf_weights.h"
#include "models/gemma3/prompt_tokens.h"

namespace ltx2 {

namespace {

namespace fs = std::filesystem;

// Gemma 3 instruct's generation_config.json values, for models that ship none.
constexpr int kDefaultTopK = 64;
constexpr double kDefaultTopP = 0.95;

GemmaTokenizer enhancer_tokenizer(const PromptEnhancerSettings& s, const std::optional<Gemma3Gguf>& gguf) {
    if (!s.tokenizer.empty()) return GemmaTokenizer::load(s.tokenizer);
    if (gguf) return gemma_tokenizer_from_gguf(*gguf->file);
    return GemmaTokenizer::load((fs::path(s.gemma) / "tokenizer.json").string());
}

void check_instruct_tokens(const GemmaTokenizer& tokenizer, const std::string& gemma) {
    for (const char* token : {"<bos>", "<start_of_turn>", "<end_of_turn>"})
        if (!tokenizer.find_token(token))
            fail("{}: the tokenizer ({}) has no {} token; prompt enhancement needs a Gemma 3 instruct model with its "
                 "chat template (e.g. google/gemma-3-12b-it or gemma-3-4b-it)",
                 gemma, tokenizer.source(), token);
}

// Generation ends at the model's EOS ids and at the chat's end of turn, whatever the config lists.
std::vector<int64_t> stop_ids(const GenerationConfig& config, const GemmaTokenizer& tokenizer) {
    std::vector<int64_t> ids = config.eos_token_ids;
    for (const char* token : {"<eos>", "<end_of_turn>"})
        if (const auto id = tokenizer.find_token(token); id && std::find(ids.begin(), ids.end(), *id) == ids.end())
            ids.push_back(*id);
    return ids;
}

}  // namespace

EnhancedPrompt enhance_prompt(const std::string& prompt, const PromptEnhancerSettings& s) {
    if (strip_python_whitespace(prompt).empty()) fail("--enhance-prompt: the prompt is empty; there is nothing to enhance");
    LTX2_CHECK(s.max_new_tokens >= 1, "prompt enhancement: the token limit {} must be at least 1", s.max_new_tokens);
    std::error_code ec;
    const bool gguf_file = is_gguf_path(s.gemma);
    if (!gguf_file && !fs::is_directory(s.gemma, ec))
        fail("{}: expected a Hugging Face Gemma 3 instruct folder (config.json, tokenizer.json, weights) or a "
             "llama.cpp Gemma 3 .gguf file",
             s.gemma);
    std::optional<Gemma3Gguf> gguf;
    if (gguf_file) gguf = open_gemma3_gguf(s.gemma);  // the header only; checks the architecture
    if (!gguf) (void)load_gemma3_config(s.gemma);  // a folder that is not Gemma 3 fails here, before the tokenizer
    const GenerationConfig generation = gguf ? GenerationConfig{} : load_generation_config(s.gemma);
    const GemmaTokenizer tokenizer = enhancer_tokenizer(s, gguf);
    check_instruct_tokens(tokenizer, s.gemma);

    const std::string chat = gemma3_chat_text(enhancer_system_prompt(s.mode), enhancer_user_message(s.mode, prompt));
    const std::vector<int64_t> ids = enhancer_input(tokenizer, chat).real_ids();

    Gemma3GenerateOptions options;
    options.max_new_tokens = s.max_new_tokens;
    options.stop_ids = stop_ids(generation, tokenizer);
    options.seed = s.seed;
    options.sampling.greedy = s.greedy;
    if (!s.greedy) {
        options.sampling.temperature = kEnhancerTemperature;
        options.sampling.top_k = generation.top_k.value_or(kDefaultTopK);
        options.sampling.top_p = generation.top_p.value_or(kDefaultTopP);
    }

    const auto start = std::chrono::steady_clock::now();
    const Gemma3Model model = gguf ? Gemma3Model::load(*gguf, s.precision) : Gemma3Model::load(s.gemma, s.precision);
    const Gemma3Generation generated = gemma3_generate(model, ids, options);

    EnhancedPrompt out;
    // The stop token is no text (a GGUF may type <end_of_turn> as user-defined, not special).
    std::vector<int64_t> text_ids = generated.ids;
    if (generated.stopped_by == StopReason::StopToken) text_ids.pop_back();
    out.raw = tokenizer.decode(text_ids, /*skip_special=*/true);
    out.text = clean_enhanced_prompt(out.raw);
    out.new_tokens = int(generated.ids.size());
    out.stopped_by = generated.stopped_by;
    out.sampling = options.sampling;
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return out;
}

}  // namespace ltx2
