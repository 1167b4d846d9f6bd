#pragma once
// The transformer's parameters as zero-copy views into the checkpoint (F32 or BF16), grouped
// the way the reference modules group them. Loaded by official module path, shapes checked
// against the config.
#include <string>
#include <vector>

#include "core/tensor.h"
#include "io/weight_store.h"
#include "models/transformer/config.h"

namespace ltx2 {

struct LinearWeights {
    Tensor weight;  // [out, in]
    Tensor bias;    // [out] or undefined
};

struct AttentionWeights {
    LinearWeights to_q, to_k, to_v, to_out;
    Tensor q_norm, k_norm;         // RMSNorm weights over the whole inner width
    LinearWeights to_gate_logits;  // per-head gates; only with apply_gated_attention
    int heads = 0;
    int head_dim = 0;
};

struct FeedForwardWeights {
    LinearWeights proj_in;   // net.0.proj (dim → 4·dim), GELU(tanh) after it
    LinearWeights proj_out;  // net.2
};

// AdaLayerNormSingle: sinusoid(256) → linear_1 → SiLU → linear_2 = embedded timestep;
// linear(SiLU(embedded)) = modulation (coefficient · dim).
struct AdaLNWeights {
    LinearWeights linear_1, linear_2, linear;
    int coefficient = 6;
};

struct CaptionProjectionWeights {
    LinearWeights linear_1, linear_2;  // GELU(tanh) between them
};

// Everything of one stream outside the blocks.
struct StreamWeights {
    LinearWeights patchify_proj;
    Tensor keyframes_embedding;                   // [1, dim]; video with TransformerConfig::keyframes_embedding
    AdaLNWeights adaln;                           // adaln_rows() · dim
    AdaLNWeights prompt_adaln;                    // 2 · dim; with cross_attention_adaln and prompt_adaln
    CaptionProjectionWeights caption_projection;  // with caption_projection
    Tensor scale_shift_table;  // [2, dim] output modulation
    LinearWeights proj_out;
    // Audio+video model only.
    AdaLNWeights cross_scale_shift_adaln;  // 4 · dim
    AdaLNWeights cross_gate_adaln;         // 1 · dim
};

// One stream's part of a block.
struct BlockStreamWeights {
    AttentionWeights attn1;  // self-attention
    AttentionWeights attn2;  // text cross-attention
    FeedForwardWeights ff;
    Tensor scale_shift_table;     // [adaln_rows(), dim]
    Tensor prompt_scale_shift_table;  // [2, dim] text K/V shift, scale (cross_attention_adaln)
    Tensor cross_scale_shift_table;  // [5, dim] scale_shift_table_a2v_ca_{video,audio} (AV only)
};

struct BlockWeights {
    BlockStreamWeights video, audio;
    AttentionWeights audio_to_video_attn;  // q video, kv audio (AV only)
    AttentionWeights video_to_audio_attn;  // q audio, kv video (AV only)
};

// The text cross-attentions of one block (what the text K/V cache needs).
struct BlockTextAttention {
    AttentionWeights video, audio;
    Tensor video_prompt_table, audio_prompt_table;  // prompt_scale_shift_table (cross_attention_adaln)
};

struct TransformerWeights {
    StreamWeights video, audio;
    std::vector<BlockWeights> blocks;  // empty when the blocks are streamed
    size_t tensor_count = 0;  // parameters taken from the store
    bool bf16 = false;        // weights stored as BF16 → the bf16 compute path (from patchify_proj)
};

// Name prefixes (after the `model.diffusion_model.` prefix) of tensors that share the
// transformer's prefix in the official single file but belong to the text encoder.
const std::vector<std::string>& transformer_foreign_prefixes();

// Resident: every block's tensors are held (views of the mapping, or decoded copies).
// Streamed: the blocks' tensors are checked (presence, shapes, dtypes, fp8 scales) but not
// read; the model materializes one block at a time with load_block_weights.
enum class BlockResidency { Resident, Streamed };

// Loads every parameter outside the blocks, and the blocks per `residency`; errors name the
// file and tensor on a missing tensor, a wrong shape, a dtype other than F32/BF16 (or one that
// decodes to BF16), and any tensor under the prefix that no module owns (the text connectors
// excepted).
TransformerWeights load_transformer_weights(const WeightStore& store, const TransformerConfig& config,
                                            BlockResidency residency = BlockResidency::Resident);

std::string transformer_block_prefix(int index);  // "transformer_blocks.N."
// One block's weights, decoded tensors into `arena` (which the caller resets after the block).
BlockWeights load_block_weights(const WeightStore& store, const TransformerConfig& config, int index,
                                WeightArena* arena);
BlockTextAttention load_block_text_attention(const WeightStore& store, const TransformerConfig& config, int index,
                                             WeightArena* arena);

}  // namespace ltx2
