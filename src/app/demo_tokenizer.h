#pragma once
// A small tokenizer for the demo model in the real Gemma 3 `tokenizer.json` format (BPE with
// byte fallback, "▁" for spaces, the same special tokens at the same ids), its merges learned
// deterministically from a fixed English text.
#include <cstdint>
#include <string>

namespace ltx2 {

struct DemoTokenizer {
    std::string json_text;   // the tokenizer.json contents
    int64_t vocab_size = 0;  // ids 0 .. vocab_size − 1
};

DemoTokenizer build_demo_tokenizer();

}  // namespace ltx2
