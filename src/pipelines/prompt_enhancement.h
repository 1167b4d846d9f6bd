#pragma once
// Prompt enhancement: a Gemma 3 instruct model rewrites the user's prompt into the detailed
// paragraph LTX was trained on (the reference's --enhance-prompt). The prompt goes into Gemma's
// chat template with our system prompt (enhancer_prompts.h), Gemma generates up to
// max_new_tokens tokens, and the text, special tokens left out, is cleaned as the reference
// cleans it. Sampling follows the reference's Gemma 3 settings: temperature 0.7, top-k / top-p
// from the model's generation_config.json (Gemma 3 instruct's 64 / 0.95 where it has none, e.g.
// a GGUF), seeded with the generation seed; or greedy.
#include <cstdint>
#include <string>

#include "core/precision.h"
#include "models/gemma3/generate.h"
#include "pipelines/enhancer_prompts.h"

namespace ltx2 {

struct PromptEnhancerSettings {
    std::string gemma;      // Hugging Face Gemma 3 instruct folder, or a llama.cpp .gguf
    std::string tokenizer;  // tokenizer.json; empty: GEMMA/tokenizer.json (a GGUF: its vocabulary)
    EnhanceMode mode = EnhanceMode::TextToVideo;
    int max_new_tokens = 512;  // the reference's limit
    bool greedy = false;
    uint64_t seed = 0;
    Precision precision = Precision::BF16;
};

struct EnhancedPrompt {
    std::string text;          // cleaned; empty when Gemma produced no letters
    std::string raw;           // decoded, special tokens left out, before cleaning
    int new_tokens = 0;
    StopReason stopped_by = StopReason::TokenLimit;
    SamplingOptions sampling;  // what was used
    double seconds = 0;        // generation time (prompt + new tokens)
};

// The reference's Gemma 3 enhancer temperature.
inline constexpr double kEnhancerTemperature = 0.7;

// Throws, before loading any weights, naming the path when it is not a Gemma 3 folder or GGUF,
// or when its tokenizer lacks the chat-turn tokens of an instruct model; and when the prompt is empty.
EnhancedPrompt enhance_prompt(const std::string& prompt, const PromptEnhancerSettings& settings);

}  // namespace ltx2
