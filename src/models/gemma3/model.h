#pragma once
// Gemma 3 text model (Hugging Face Gemma3ForConditionalGeneration, text only) returning every
// hidden state, as LTX-2's text encoder consumes them.
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "io/weight_store.h"
#include "core/precision.h"
#include "models/gemma3/config.h"
#include "models/gemma3/gguf_weights.h"
#include "models/gemma3/kv_cache.h"
#include "models/gemma3/weights.h"

namespace ltx2 {

class Gemma3Model {
public:
    // PATH: a Hugging Face Gemma 3 folder (config.json + model.safetensors or a sharded index),
    // or a llama.cpp .gguf file (any type the dequantizer reads).
    // F32: float32 copies of the weights, float32 compute (the goldens' arithmetic). BF16: the
    // mapped bf16 weights in place, bf16 products with float32 accumulation; each layer's weights
    // are prefetched before it runs and released after, so the model streams through memory.
    // A GGUF's layers are decoded one at a time, just before they run, into one reused arena
    // (peak: one decoded layer), and its token table only for the rows a prompt uses.
    static Gemma3Model load(const std::string& path, Precision precision);
    static Gemma3Model load(const WeightStore& store, const Gemma3Config& config, Precision precision);
    static Gemma3Model load(const Gemma3Gguf& gguf, Precision precision);

    const Gemma3Config& config() const { return config_; }
    Precision precision() const { return precision_; }
    int num_hidden_states() const { return config_.num_hidden_layers + 1; }

    // The hidden states of a prompt's real tokens only, token i at absolute position
    // first_position + i (a left-padded row of T ids with V real ones: first_position = T − V;
    // padding never influences real tokens, so this equals the padded run on those rows).
    // Returns num_hidden_states() F32 [V, hidden]: [0] the scaled embeddings, [i] the output of
    // layer i − 1, the last one with the final norm applied.
    std::vector<Tensor> hidden_states(std::span<const int64_t> ids, int64_t first_position) const;

    // The reference computation on a whole padded row: ids[T], mask[T] (1 real, 0 padding),
    // positions 0..T−1, padding keys invisible; a row that sees no key (every left-padding row)
    // gets attention output 0. Returns num_hidden_states() F32 [T, hidden].
    std::vector<Tensor> hidden_states_padded(std::span<const int64_t> ids, std::span<const int64_t> mask) const;

    // Incremental decoding: runs `ids` at positions cache.length, cache.length + 1, ..., each
    // attending to the cached tokens and the earlier ones of `ids`, and appends their keys and
    // values to the cache. Returns the last token's final-normed hidden state, F32 [hidden].
    // The same arithmetic as hidden_states() on the whole sequence (tests check it), except that
    // a GGUF's one-token steps read its blocks in place in float32 (ggml_matvec) instead of
    // decoding each layer to the compute dtype.
    Tensor extend(std::span<const int64_t> ids, Gemma3KvCache& cache) const;

    // Next-token logits of a final hidden state [hidden]: its products with every row of the
    // token table (Gemma 3 ties its output head to the embedding and applies no final
    // soft-capping). F32 [vocab]. A GGUF's table is read in place in float32 (ggml_matvec); a
    // table in another dtype than the compute one (bf16 at F32) is converted block by block.
    Tensor logits(const Tensor& hidden) const;

private:
    struct LayerStreamer;  // the arena a GGUF's layers are decoded into
    Gemma3Model(Gemma3Config config, Precision precision, std::shared_ptr<const WeightStore> store,
                std::shared_ptr<const Gemma3Weights> weights, std::shared_ptr<LayerStreamer> streamer = nullptr)
        : config_(std::move(config)),
          precision_(precision),
          store_(std::move(store)),
          weights_(std::move(weights)),
          streamer_(std::move(streamer)) {}
    // With `cache`: keys/values are appended to it, attention spans it, and only the final
    // hidden state is returned.
    std::vector<Tensor> forward(std::span<const int64_t> ids, int64_t first_position, const Tensor& key_mask,
                                Gemma3KvCache* cache = nullptr) const;
    void advise(const std::string& prefix, bool need) const;

    Gemma3Config config_;
    Precision precision_;
    std::shared_ptr<const WeightStore> store_;  // residency hints while streaming layers
    std::shared_ptr<const Gemma3Weights> weights_;
    std::shared_ptr<LayerStreamer> streamer_;  // set for a GGUF
};

}  // namespace ltx2
