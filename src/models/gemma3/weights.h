#pragma once
// Gemma 3 text-model weights under their Hugging Face module names (the store strips the
// checkpoint's `language_model.model.` prefix). Precision::F32 holds F32 copies of the
// matrices, Precision::BF16 the file's own tensors (zero-copy views of the mapping). Norm
// weights are held as F32 (1 + w), the factor Gemma's RMSNorm applies. The embedding table is
// always the file's tensor: rows are converted when looked up, never the whole table.
//
// A llama.cpp GGUF (see gguf_weights.h) is read through a store under the Hugging Face names
// plus the file itself: its norm weights are stored as 1 + w already (convert_hf_to_gguf.py
// adds the 1) and are held as stored; its decoder layers are streamed: checked at load, then
// materialized one at a time (load_gemma3_layer) into a reused arena, block-quantized and F16
// tensors decoded to BF16 (F32 with Precision::F32), F32/BF16 ones as views of the mapping.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "core/weight_arena.h"
#include "io/gguf.h"
#include "io/weight_store.h"
#include "core/precision.h"
#include "models/gemma3/config.h"

namespace ltx2 {

struct Gemma3LayerWeights {
    Tensor q_proj, k_proj, v_proj, o_proj;  // [out, in]
    Tensor q_norm, k_norm;                  // (1 + w) [head_dim]
    Tensor input_norm, post_attention_norm, pre_feedforward_norm, post_feedforward_norm;  // (1 + w) [hidden]
    Tensor gate_proj, up_proj, down_proj;   // [out, in]
};

struct Gemma3Weights {
    Tensor embed_tokens;  // [vocab, hidden], as stored; a GGUF's raw view (U8 rows of blocks for block types)
    GgmlTensor embed_ggml;  // a GGUF's table as stored (blocks defined): its rows read in place
    Tensor final_norm;    // (1 + w) [hidden]
    std::vector<Gemma3LayerWeights> layers;  // empty when streamed
    bool streamed = false;                   // layers come from load_gemma3_layer, one at a time
    size_t tensor_count = 0;
};

// The text model's tensors in a Hugging Face Gemma 3 checkpoint: PATH is the model folder
// (model.safetensors or model.safetensors.index.json inside), a .safetensors file or an index.
// The key prefix is found among the known layouts (`language_model.model.` of the released
// Gemma3ForConditionalGeneration files, `model.language_model.`, `model.` of Gemma3ForCausalLM).
WeightStore open_gemma3_weights(const std::string& path);

// Every tensor the config implies, with its exact shape. Vision-tower and projector tensors are
// ignored; any other tensor the model does not use is an error.
// `llama_cpp`: the GGUF behind `store` when it is a llama.cpp file (the layers are then
// streamed); null for a Hugging Face checkpoint.
Gemma3Weights load_gemma3_weights(const WeightStore& store, const Gemma3Config& config, Precision precision,
                                  const GgufFile* llama_cpp = nullptr);

// One decoder layer of a streamed llama.cpp GGUF, decoded tensors in `arena` (which the caller
// resets once the layer's weights are dropped).
Gemma3LayerWeights load_gemma3_layer(const WeightStore& store, const Gemma3Config& config, int layer,
                                     Precision precision, const GgufFile& llama_cpp, WeightArena& arena);

std::string gemma3_layer_prefix(int layer);  // "layers.N."

}  // namespace ltx2
