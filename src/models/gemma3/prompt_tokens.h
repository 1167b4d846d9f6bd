#pragma once
// A prompt as LTX-2's text encoder feeds it to Gemma 3 (LTXVGemmaTokenizer): stripped like
// Python's str.strip(), tokenized, <bos> prepended (no <eos>), cut on the right to
// `max_length` ids (<bos> kept), then left-padded with <pad>; the mask marks real tokens.
// Decide padding by the mask, never by the id: a literal "<pad>" in a prompt is a real token.
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "models/gemma3/tokenizer.h"

namespace ltx2 {

struct PromptTokens {
    std::vector<int64_t> ids;    // max_length entries
    std::vector<int64_t> mask;   // 1 on real tokens (the last real_tokens entries), 0 on padding
    int real_tokens = 0;         // <bos> included, after truncation
    int untruncated_tokens = 0;  // <bos> included, before truncation
    bool truncated = false;
};

// Python's str.strip(): removes U+0009-000D, U+001C-0020, U+0085, U+00A0, U+1680,
// U+2000-200A, U+2028, U+2029, U+202F, U+205F, U+3000 from both ends (not U+200B, not U+FEFF).
// Throws naming the byte offset when `text` is not valid UTF-8.
std::string_view strip_python_whitespace(std::string_view text);
bool is_python_whitespace(char32_t c);

// Whether an empty (or all-whitespace) prompt is an error. The reference encodes it as <bos>
// alone; we refuse it for the prompt itself, where it is surely a mistake, and accept it where
// the reference's behaviour is wanted (an explicitly empty negative prompt).
enum class EmptyPrompt { Reject, Allow };

// Strips, rejects an empty result ("prompt is empty") unless allowed, tokenizes and lays out the
// ids; warns on stderr (truncation_warning) when the prompt does not fit. max_length >= 2.
PromptTokens tokenize_prompt(const GemmaTokenizer& tokenizer, std::string_view prompt, int max_length = 1024,
                             EmptyPrompt empty = EmptyPrompt::Reject);

// <bos> + `text_ids`, truncated and left-padded to max_length (the layout step alone).
PromptTokens layout_prompt_tokens(std::span<const int32_t> text_ids, int32_t bos_id, int32_t pad_id, int max_length);

// "prompt has N tokens (with <bos>), more than max_length M: keeping the first M".
std::string truncation_warning(const PromptTokens& tokens);

}  // namespace ltx2
