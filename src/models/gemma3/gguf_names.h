#pragma once
// Gemma 3 tensor names in GGUF files made by llama.cpp (convert_hf_to_gguf.py, architecture
// "gemma3": token_embd, output_norm, blk.N.attn_q, ...) and the Hugging Face names the model
// loads them by (embed_tokens, norm, layers.N.self_attn.q_proj, ...).
#include <string>

namespace ltx2 {

// The Hugging Face name of a llama.cpp tensor key; "" for `output.weight` (an untied output
// head the text model does not use); other unknown keys come back unchanged, so that the
// loader reports them as unexpected under the file's own name.
std::string gemma3_name_from_llama_cpp(const std::string& gguf_key);

// The llama.cpp key of a Hugging Face Gemma 3 text-model name ("layers.3.mlp.up_proj.weight"
// -> "blk.3.ffn_up.weight"). Throws for a name the text model does not have.
std::string gemma3_llama_cpp_name(const std::string& hf_name);

}  // namespace ltx2
