#include "pipelines/text_encoding.h"

#include <fmt/ranges.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>

#include "core/error.h"
#include "core/log.h"
#include "io/weight_store.h"
#include "models/gemma3/gguf_tokenizer.h"
#include "models/gemma3/gguf_weights.h"
#include "models/gemma3/weights.h"
#include "models/gemma3/tokenizer.h"
#include "models/text_encoder/config.h"
#include "models/text_encoder/padding.h"
#include "pipelines/model_loading.h"

namespace ltx2 {

std::vector<Tensor> prompt_hidden_states(const Gemma3Model& gemma, const PromptTokens& tokens) {
    const int64_t T = int64_t(tokens.ids.size()), V = tokens.real_tokens;
    LTX2_CHECK(V >= 1 && V <= T && tokens.mask.size() == size_t(T),
               "prompt tokens: {} real tokens in a row of {} ids with {} mask entries", V, T, tokens.mask.size());
    return gemma.hidden_states(std::span<const int64_t>(tokens.ids).subspan(size_t(T - V)), T - V);
}

EncodedPrompt project_prompt(const EmbeddingsProcessor& text, PromptTokens tokens, const std::vector<Tensor>& states) {
    const int64_t T = int64_t(tokens.ids.size());
    const StreamFeatures real = text.features(states);  // [V, W] each
    const int64_t V = real.video.size(0);
    LTX2_CHECK(V == tokens.real_tokens, "text projection: {} rows for {} real tokens", V, tokens.real_tokens);

    EncodedPrompt out;
    const StreamFeatures padding = text.padding_features();
    out.video_features = left_padded_rows(real.video, padding.video, T);
    // 19B has one feature stream for both connectors: share it rather than copy it.
    out.audio_features = real.audio.storage() == real.video.storage() ? out.video_features
                                                        : left_padded_rows(real.audio, padding.audio, T);
    const StreamFeatures contexts = text.contexts(real, T);
    out.video_context = contexts.video.unsqueeze(0);
    out.audio_context = contexts.audio.unsqueeze(0);
    out.context_mask = EmbeddingsProcessor::context_mask(T);
    out.tokens = std::move(tokens);
    return out;
}

void check_gemma_fits_projection(const Gemma3Config& gemma, const std::string& gemma_source,
                                 const WeightStore& store) {
    const std::string ltx_source = store.describe();
    const bool v2 = store.has_config() &&
                    parse_text_encoder_config(store.config(), ltx_source).feature_extractor == FeatureExtractorVersion::V2;
    const std::string name = v2 ? "video_aggregate_embed" : "aggregate_embed";
    const Tensor weight = store.get(name + ".weight");
    LTX2_CHECK(weight.dim() == 2, "{}: {}{}.weight has shape {}, expected 2 dims", ltx_source, kFeatureExtractorPrefix,
               name, shape_str(weight.shape()));
    const int64_t features = int64_t(gemma.hidden_size) * (gemma.num_hidden_layers + 1);
    if (features != weight.size(1))
        fail("{}: {}{} takes {} features, but the Gemma model at {} gives {} ({} hidden states of width {}); LTX "
             "needs Gemma 3 12B (49 x 3840)",
             ltx_source, kFeatureExtractorPrefix, name, weight.size(1), gemma_source, features,
             gemma.num_hidden_layers + 1, gemma.hidden_size);
    if (gemma.hidden_size != gemma3_12b_config().hidden_size) return;  // a small test/demo model
    const std::vector<std::string> diffs = check_matches_12b(gemma);
    if (!diffs.empty())
        warn("{}: differs from Gemma 3 12B, which LTX-2 was trained with: {}", gemma_source, fmt::join(diffs, "; "));
}

EmbeddingsProcessor load_embeddings_processor(const LtxModelFiles& files, Precision precision) {
    return EmbeddingsProcessor::load(files.open(LtxPart::TextProjection), files.open(LtxPart::VideoConnector),
                                     files.open(LtxPart::AudioConnector), precision);
}

std::vector<EncodedPrompt> encode_prompts(const TextEncoderFiles& files, const std::vector<std::string>& prompts,
                                          const TextEncodingOptions& options) {
    auto progress = [&](const char* stage, size_t i) {
        if (options.progress) options.progress(stage, i);
    };
    const LtxModelFiles ltx = LtxModelFiles::resolve(files.ltx, kTextParts);
    std::optional<Gemma3Gguf> gguf;  // a llama.cpp file: config, vocabulary and weights in one
    if (is_gguf_path(files.gemma)) gguf = open_gemma3_gguf(files.gemma);
    check_gemma_fits_projection(gguf ? gguf->config : load_gemma3_config(files.gemma), files.gemma,
                                ltx.open(LtxPart::TextProjection));
    std::vector<PromptTokens> tokens;
    {
        const GemmaTokenizer tokenizer =
            !files.tokenizer.empty() ? GemmaTokenizer::load(files.tokenizer)
            : gguf                   ? gemma_tokenizer_from_gguf(*gguf->file)
                                     : GemmaTokenizer::load((std::filesystem::path(files.gemma) / "tokenizer.json").string());
        for (size_t i = 0; i < prompts.size(); ++i) {
            progress("tokenize", i);
            const EmptyPrompt empty = i < options.empty_prompts.size() ? options.empty_prompts[i] : EmptyPrompt::Reject;
            tokens.push_back(tokenize_prompt(tokenizer, prompts[i], options.max_length, empty));
        }
    }

    std::vector<std::vector<Tensor>> states;
    {
        const std::string key = fmt::format("gemma|{}|{}", files_identity({files.gemma}), precision_name(options.precision));
        auto estimate = [&] {
            return gguf ? size_t(std::filesystem::file_size(files.gemma))
                        : held_bytes_estimate(open_gemma3_weights(files.gemma), "", options.precision);
        };
        const auto gemma = load_through<Gemma3Model>(options.cache, key, estimate, [&] {
            return std::make_shared<const Gemma3Model>(gguf ? Gemma3Model::load(*gguf, options.precision)
                                                            : Gemma3Model::load(files.gemma, options.precision));
        });
        for (size_t i = 0; i < prompts.size(); ++i) {
            progress("gemma", i);
            states.push_back(prompt_hidden_states(*gemma, tokens[i]));
        }
    }
    gguf.reset();  // without a cache, Gemma's weights are unmapped here, before the projection stack loads

    const std::string key =
        fmt::format("text-projection|{}|{}", ltx_files_key(files.ltx), precision_name(options.precision));
    auto estimate_text = [&] {
        size_t bytes = 0;
        for (LtxPart part : kTextParts) bytes += held_bytes_estimate(ltx.open(part), "", options.precision);
        return bytes;
    };
    const auto text = load_through<EmbeddingsProcessor>(options.cache, key, estimate_text, [&] {
        return std::make_shared<const EmbeddingsProcessor>(load_embeddings_processor(ltx, options.precision));
    });
    std::vector<EncodedPrompt> out;
    for (size_t i = 0; i < prompts.size(); ++i) {
        progress("project", i);
        out.push_back(project_prompt(*text, std::move(tokens[i]), states[i]));
        states[i].clear();
    }
    return out;
}

}  // namespace ltx2
