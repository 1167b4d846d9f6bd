#pragma once
// What the prompt enhancer says to Gemma: our system prompts (text-to-video, image-to-video),
// the user turn, Gemma 3's chat template, and the token layout the reference feeds generate()
// (LTXGemmaTextEncoder._enhance at 400fd31).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "models/gemma3/tokenizer.h"

namespace ltx2 {

enum class EnhanceMode { TextToVideo, ImageToVideo };

// Our own instructions (not the reference's text). The image-to-video one tells the model that
// the clip starts from an image it is not shown: our Gemma has no vision tower.
std::string_view enhancer_system_prompt(EnhanceMode mode);

// The user turn around the prompt: "user prompt: PROMPT" (text-to-video, as the reference) or
// "User Raw Input Prompt: PROMPT." (image-to-video, the reference's text part; no image part).
std::string enhancer_user_message(EnhanceMode mode, std::string_view prompt);

// Gemma 3's chat template for one system and one user message plus the generation prompt:
// "<bos><start_of_turn>user\n" + system + "\n\n" + strip(user) + "<end_of_turn>\n<start_of_turn>model\n"
// (the system text is taken as is, the user text stripped like Jinja's trim).
std::string gemma3_chat_text(std::string_view system, std::string_view user);

// The ids generate() receives: the tokenizer's <bos> prepended to the chat text's tokens (which
// begin with the template's own <bos>: the reference's processor adds special tokens, so the row
// starts <bos><bos>), left-padded with <pad> to a multiple of 8; mask 1 on real tokens; positions
// cumsum(mask) − 1 with padding at 1 (generate()'s convention).
struct EnhancerInput {
    std::vector<int64_t> ids, mask, positions;
    int64_t padding = 0;  // leading <pad> entries
    std::vector<int64_t> real_ids() const { return {ids.begin() + padding, ids.end()}; }
};
EnhancerInput enhancer_input(const GemmaTokenizer& tokenizer, std::string_view chat_text);

// The reference's clean_response: curly quotes, dashes, no-break spaces, primes and minus signs
// to ASCII, then everything before the first letter dropped; we also drop trailing whitespace.
// "Letter" is ASCII A-Z/a-z or a code point outside the common punctuation and symbol blocks
// (Latin-1 signs, U+2000-2BFF, CJK punctuation, fullwidth signs, emoji), close to Python's isalpha.
std::string clean_enhanced_prompt(std::string_view text);

}  // namespace ltx2
