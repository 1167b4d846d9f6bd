#pragma once
// The Gemma 3 tokenizer: text -> token ids, exactly as Hugging Face `tokenizers` encodes with
// Gemma 3's `tokenizer.json` (no special tokens added; see prompt_tokens.h for LTX's <bos> and
// padding). Steps: added tokens are cut out of the raw text (leftmost-longest), each remaining
// run is normalized (Replace steps, e.g. " " -> "▁"), split by the pre-tokenizer if the file has
// one, and byte-pair encoded as a whole (bpe.h).
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ltx2 {

// Token types as a GGUF vocabulary (llama.cpp, `tokenizer.ggml.token_type`) stores them.
enum class VocabTokenType : int32_t { Normal = 1, Unknown = 2, Control = 3, UserDefined = 4, Unused = 5, Byte = 6 };

class GemmaTokenizer {
public:
    // Reads a Hugging Face fast-tokenizer `tokenizer.json` with a BPE model. Errors name the
    // file and the JSON path that is missing or wrong, and settings this engine does not
    // implement (BPE dropout, subword prefixes/suffixes, added-token stripping, other
    // normalizers or pre-tokenizers) are refused rather than ignored.
    static GemmaTokenizer load(const std::string& tokenizer_json_path);

    // A vocabulary as GGUF files store it: token texts by id, sentencepiece scores, token types.
    // Unknown, control and user-defined tokens are matched in the raw text like added tokens;
    // normal, user-defined and byte tokens make up the BPE vocabulary (byte tokens `<0xNN>`
    // give byte fallback; the first unknown token is the unknown id); unused tokens are never
    // produced. Merge priority comes from `merges` ("left right", first = highest priority)
    // when given; otherwise, as sentencepiece BPE does, any two adjacent normal or
    // user-defined symbols whose concatenation is such a token may merge, the token with the
    // higher score first (equal scores: leftmost pair first). Text is normalized as Gemma's is
    // (space -> "▁", no dummy prefix).
    // Verified (tests): Gemma 3's vocabulary with scores ordered like tokenizer.json's merge
    // list, or with that list as `merges`, reproduces all 44 golden prompts; for Gemma 3 the
    // all-splits rule yields exactly tokenizer.json's 514,906 merges. Assumed, not verified
    // here: that a real Gemma 3 GGUF's scores and token types order and classify tokens that way.
    static GemmaTokenizer from_vocabulary(std::vector<std::string> tokens, const std::vector<float>& scores,
                                          const std::vector<int32_t>& token_types,
                                          const std::vector<std::string>& merges = {});

    GemmaTokenizer(GemmaTokenizer&&) noexcept;
    GemmaTokenizer& operator=(GemmaTokenizer&&) noexcept;
    ~GemmaTokenizer();

    // `text` must be valid UTF-8 (an error names the first bad byte offset otherwise).
    std::vector<int32_t> encode(std::string_view text) const;

    // Ids -> text, as Gemma's tokenizer.json decoder does: "▁" -> " ", byte tokens <0xNN> ->
    // their bytes (a run of them that is not valid UTF-8 gives one U+FFFD per byte). With
    // `skip_special`, special tokens (added tokens marked special; a GGUF's control and unknown
    // tokens) are left out, as Hugging Face's decode(skip_special_tokens=True).
    std::string decode(std::span<const int64_t> ids, bool skip_special = true) const;
    bool is_special(int32_t id) const;

    // Id of an added or vocabulary token by its exact text.
    std::optional<int32_t> find_token(std::string_view text) const;
    int32_t token_id(std::string_view text) const;  // throws naming the token and the source
    const std::string& token_text(int32_t id) const;

    size_t vocab_size() const;  // number of ids, added tokens included
    size_t added_token_count() const;
    size_t merge_count() const;
    const std::string& source() const;  // the file (or "vocabulary") it came from, for messages

    struct Impl;

private:
    explicit GemmaTokenizer(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace ltx2
