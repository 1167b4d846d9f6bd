#pragma once
// Gemma 3 settings from the metadata of a llama.cpp GGUF (`general.architecture` "gemma3").
//
// Read from the file: gemma3.embedding_length, block_count, feed_forward_length,
// attention.head_count, attention.head_count_kv (default: head_count), attention.key_length
// (default: embedding_length / head_count, as llama.cpp), attention.layer_norm_rms_epsilon,
// attention.sliding_window, rope.freq_base, rope.scaling.type / rope.scaling.factor ("linear"
// or none), context_length; the vocabulary size is the row count of token_embd.weight.
// llama.cpp does not store, and hard-codes, what this takes as it does: every 6th layer full
// attention (the 12B pattern), sliding-layer rope base 10000, and the score scale
// 1/sqrt(key_length) (1/sqrt(embedding_length / head_count) for the 62-layer 27B), unless the
// file gives gemma3.attention.scale.
#include "io/gguf.h"
#include "io/gguf_writer.h"
#include "models/gemma3/config.h"

namespace ltx2 {

Gemma3Config gemma3_config_from_gguf(const GgufFile& file);

// The metadata llama.cpp writes for `config` (for test and benchmark files); the score scale
// as gemma3.attention.scale when llama.cpp's rule would not give it. The layer pattern must be
// the default one. The vocabulary size is the token_embd rows the caller writes.
void set_gemma3_gguf_metadata(GgufWriter& writer, const Gemma3Config& config);

}  // namespace ltx2
