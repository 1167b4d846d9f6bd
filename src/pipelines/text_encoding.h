#pragma once
// Prompt → LTX text contexts: Gemma 3 tokenizer, Gemma 3 hidden states of the real tokens,
// the feature extractor and the video/audio embeddings connectors (EmbeddingsProcessor; the
// checkpoint's config selects LTX-2 19B or LTX-2.3 semantics). Stages load one after the other:
// Gemma is released before the connectors load, and everything is released before the
// transformer loads.
//
// What the transformer receives: LTX-2 19B: video and audio contexts [1, T, caption_channels]
// (3840), which its caption projections map to the stream widths. LTX-2.3: the video context
// at the video stream width (4096) and the audio context at the audio stream width (2048); the
// 2.3 transformer has no caption projection (caption_proj_before_connector). Both: an all-ones
// context mask [1, T] (registers count as real tokens).
#include <functional>
#include <string>
#include <vector>

#include "core/tensor.h"
#include "core/precision.h"
#include "models/gemma3/model.h"
#include "models/gemma3/prompt_tokens.h"
#include "models/text_encoder/embeddings_processor.h"
#include "pipelines/model_cache.h"
#include "pipelines/model_files.h"

namespace ltx2 {

struct EncodedPrompt {
    PromptTokens tokens;
    // Feature-extractor outputs in the reference's left-padded layout, [1, T, W] F32; padding
    // rows hold the projection of zero features (19B: 0, one stream for both; 2.3: the bias).
    Tensor video_features;
    Tensor audio_features;
    Tensor video_context;  // [1, T, Wv] F32 (19B: caption_channels; 2.3: the video stream width)
    Tensor audio_context;  // [1, T, Wa] F32 (19B: caption_channels; 2.3: the audio stream width)
    Tensor context_mask;   // [1, T] I64, all ones (the registers count as real)
};

// Hidden states of one prompt's real tokens (Gemma 3 on tokens.ids[T − V ..] at their
// absolute positions): the only part of the padded 1024-token row that matters downstream.
std::vector<Tensor> prompt_hidden_states(const Gemma3Model& gemma, const PromptTokens& tokens);

// Feature extractor + connectors on the hidden states of the real tokens.
EncodedPrompt project_prompt(const EmbeddingsProcessor& text, PromptTokens tokens, const std::vector<Tensor>& states);

// Checks, before anything heavy runs, that Gemma's hidden states fit the feature extractor
// (D·(L+1) features) of the text projection store (LtxPart::TextProjection), and warns when a
// Gemma of the 12B width differs from Gemma 3 12B in any setting LTX fixes.
void check_gemma_fits_projection(const Gemma3Config& gemma, const std::string& gemma_source,
                                 const WeightStore& text_projection);

// The text stack of LTX model files: feature extractor and connectors.
EmbeddingsProcessor load_embeddings_processor(const LtxModelFiles& files, Precision precision);

struct TextEncoderFiles {
    std::string gemma;      // Hugging Face Gemma 3 folder, or a llama.cpp Gemma 3 .gguf
    std::string tokenizer;  // tokenizer.json; empty: GEMMA/tokenizer.json (a GGUF: its embedded vocabulary)
    LtxFilePaths ltx;       // the files holding text_embedding_projection.* and the connectors
};

struct TextEncodingOptions {
    Precision precision = Precision::BF16;
    int max_length = 1024;
    // Per prompt (missing entries: Reject): whether an empty prompt is accepted.
    std::vector<EmptyPrompt> empty_prompts;
    // Called with a stage name ("tokenize", "gemma", "project") and the prompt index.
    std::function<void(const std::string& stage, size_t prompt)> progress;
    // Gemma and the projection stack are taken from (and kept in) this cache when given.
    ModelCache* cache = nullptr;
};

// Encodes every prompt (e.g. positive and negative): the tokenizer and Gemma run for all
// prompts, Gemma is released (unless options.cache keeps it), then the projection stack runs
// for all prompts.
std::vector<EncodedPrompt> encode_prompts(const TextEncoderFiles& files, const std::vector<std::string>& prompts,
                                          const TextEncodingOptions& options = {});

}  // namespace ltx2
