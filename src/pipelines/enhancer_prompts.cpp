#include "pipelines/enhancer_prompts.h"

#include <fmt/format.h>

#include <utility>

#include "core/error.h"
#include "models/gemma3/prompt_tokens.h"
#include "models/gemma3/utf8.h"

namespace ltx2 {

namespace {

constexpr const char* kTextToVideoSystemPrompt =
    "You write prompts for a video generator that turns one paragraph of text into a short clip with sound. "
    "Rewrite the user's idea as that paragraph. Keep every subject, action, style and spoken line the user "
    "gives (quote speech word for word) and add nothing that contradicts them. In the present tense, describe "
    "the main subject and how it looks, the action as it unfolds over a few seconds, the place, the camera "
    "(framing, angle, movement), the light and colours, and what is heard: ambient sound, music, voices and "
    "who speaks. Use plain, concrete, visual words. No lists, headings, notes or questions. Answer with the "
    "paragraph only, at most 200 words.";

constexpr const char* kImageToVideoSystemPrompt =
    "You write prompts for a video generator that animates a still image into a short clip with sound. The "
    "image is the clip's first frame. You are not shown the image, so do not invent what it contains beyond "
    "what the user says about it. Rewrite the user's request as one paragraph describing what happens from "
    "that first frame on: how the subjects move, how the camera moves, how the light changes, and what is "
    "heard: ambient sound, music, voices and who speaks. Keep everything the user asks for, quote speech word "
    "for word, write in the present tense with plain, concrete, visual words. No lists, headings, notes or "
    "questions. Answer with the paragraph only, at most 200 words.";

// Characters the reference's clean_response maps to ASCII.
constexpr std::pair<char32_t, char> kAsciiReplacements[] = {
    {U'\u2018', '\''}, {U'\u2019', '\''}, {U'\u201C', '"'}, {U'\u201D', '"'}, {U'\u2014', '-'},
    {U'\u2013', '-'},  {U'\u00A0', ' '},  {U'\u2032', '\''}, {U'\u2212', '-'},
};

bool is_letter(char32_t c) {
    if (c < 0x80) return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
    if (c == 0xAA || c == 0xB5 || c == 0xBA) return true;  // ª µ º
    if (c < 0xC0 || c == 0xD7 || c == 0xF7) return false;
    if (c >= 0x2000 && c <= 0x2BFF) return false;   // punctuation, symbols, arrows, shapes
    if (c >= 0x3000 && c <= 0x303F) return false;   // CJK punctuation
    if (c >= 0xFE30 && c <= 0xFE4F) return false;   // CJK compatibility forms
    if (c >= 0xFF00 && c <= 0xFF20) return false;   // fullwidth signs and digits
    if (c >= 0xE000 && c <= 0xF8FF) return false;   // private use
    if (c >= 0xFFF0 && c <= 0xFFFF) return false;   // specials (U+FFFD)
    if (c >= 0x1F000 && c <= 0x1FAFF) return false;  // emoji and pictographs
    return true;
}

}  // namespace

std::string_view enhancer_system_prompt(EnhanceMode mode) {
    return mode == EnhanceMode::TextToVideo ? kTextToVideoSystemPrompt : kImageToVideoSystemPrompt;
}

std::string enhancer_user_message(EnhanceMode mode, std::string_view prompt) {
    return mode == EnhanceMode::TextToVideo ? fmt::format("user prompt: {}", prompt)
                                            : fmt::format("User Raw Input Prompt: {}.", prompt);
}

std::string gemma3_chat_text(std::string_view system, std::string_view user) {
    return fmt::format("<bos><start_of_turn>user\n{}\n\n{}<end_of_turn>\n<start_of_turn>model\n", system,
                       strip_python_whitespace(user));
}

EnhancerInput enhancer_input(const GemmaTokenizer& tokenizer, std::string_view chat_text) {
    constexpr int64_t kAlignment = 8;
    const int32_t bos = tokenizer.token_id("<bos>");
    const int32_t pad = tokenizer.find_token("<pad>").value_or(0);
    const std::vector<int32_t> text_ids = tokenizer.encode(chat_text);
    const int64_t real = int64_t(text_ids.size()) + 1;
    EnhancerInput in;
    in.padding = (kAlignment - real % kAlignment) % kAlignment;
    in.ids.assign(size_t(in.padding), pad);
    in.ids.push_back(bos);
    in.ids.insert(in.ids.end(), text_ids.begin(), text_ids.end());
    in.mask.assign(size_t(in.padding), 0);
    in.mask.resize(in.ids.size(), 1);
    in.positions.assign(size_t(in.padding), 1);
    for (int64_t i = 0; i < real; ++i) in.positions.push_back(i);
    return in;
}

std::string clean_enhanced_prompt(std::string_view text) {
    check_utf8(text, "enhanced prompt");
    std::string out;
    bool letter_seen = false;
    for (size_t pos = 0; pos < text.size();) {
        const Utf8Char ch = decode_utf8_at(text, pos);
        std::string_view piece = text.substr(pos, ch.length);
        char ascii = 0;
        for (const auto& [from, to] : kAsciiReplacements)
            if (ch.code_point == from) ascii = to;
        if (ascii) piece = std::string_view(&ascii, 1);
        letter_seen = letter_seen || is_letter(ascii ? char32_t(ascii) : ch.code_point);
        if (letter_seen) out.append(piece);
        pos += ch.length;
    }
    while (!out.empty() && (out.back() == ' ' || out.back() == '\n' || out.back() == '\t' || out.back() == '\r'))
        out.pop_back();
    return out;
}

}  // namespace ltx2
