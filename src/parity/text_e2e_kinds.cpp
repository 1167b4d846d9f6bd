// ltx2.text_e2e / ltx23.text_e2e: prompt text → LTX text contexts through the real tokenizer,
// Gemma 3 (real tokens only) and the LTX text stack (19B: feature extractor V1; 2.3: V2 and
// separate stream widths). The fixture's `prompt` is tokenized first and the ids and mask must
// equal in.input_ids / in.attention_mask exactly before the models run.
// Tolerance (golden text/README 5 and ltx23/text/README 4): 2e-5 of the absmax (19B: ≤
// 2e-5·max(1, absmax), which compare()'s error / absmax meets or is stricter than); the context
// mask exact.
#include <string>
#include <vector>

#include "core/error.h"
#include "models/gemma3/tokenizer.h"
#include "parity/kinds.h"
#include "pipelines/text_encoding.h"

namespace ltx2 {

namespace {

constexpr double kTol = 2e-5;

// Tokens, Gemma and the text stack of the fixture's files, checked to be the `expected` version.
EncodedPrompt encode_fixture_prompt(const ParityRun& run, FeatureExtractorVersion expected) {
    if (run.has_meta("compute_dtype") && run.meta("compute_dtype") != "float32")
        fail("{}: compute_dtype '{}' is not supported, expected float32", run.io_path(), run.meta("compute_dtype"));
    const int max_length = run.has_meta("max_length") ? std::stoi(run.meta("max_length")) : 1024;

    const GemmaTokenizer tokenizer = GemmaTokenizer::load(run.tokenizer_path("gemma3_tokenizer/tokenizer.json"));
    PromptTokens tokens = tokenize_prompt(tokenizer, run.meta("prompt"), max_length);
    require_equal_ids(run, "in.input_ids", tokens.ids);
    require_equal_ids(run, "in.attention_mask", tokens.mask);

    const std::string gemma_path = run.sibling(run.meta("gemma"));
    const std::string ltx_path = run.model_path("ltx_weights");
    check_gemma_fits_projection(load_gemma3_config(gemma_path), gemma_path,
                                WeightStore::open(ltx_path, kFeatureExtractorPrefix));
    std::vector<Tensor> states;
    {
        const Gemma3Model gemma = Gemma3Model::load(gemma_path, Precision::F32);
        states = prompt_hidden_states(gemma, tokens);
    }
    const EmbeddingsProcessor text = EmbeddingsProcessor::load(ltx_path, Precision::F32);
    if (text.config().feature_extractor != expected)
        fail("{}: the fixture is for feature extractor {}, but the config of {} selects the other one", run.io_path(),
             expected == FeatureExtractorVersion::V2 ? "V2 (LTX-2.3)" : "V1 (LTX-2 19B)", ltx_path);
    return project_prompt(text, std::move(tokens), states);
}

}  // namespace

void parity_ltx2_text_e2e(ParityRun& run) {
    const EncodedPrompt encoded = encode_fixture_prompt(run, FeatureExtractorVersion::V1);
    run.compare("out.projected", encoded.video_features, kTol);
    run.compare("out.video_context", encoded.video_context, kTol);
    run.compare("out.audio_context", encoded.audio_context, kTol);
    run.compare("out.context_mask", encoded.context_mask.to(DType::F32), 0.0);
}

void parity_ltx23_text_e2e(ParityRun& run) {
    const EncodedPrompt encoded = encode_fixture_prompt(run, FeatureExtractorVersion::V2);
    run.compare_if_present("dbg.video_features", encoded.video_features, kTol);
    run.compare_if_present("dbg.audio_features", encoded.audio_features, kTol);
    run.compare("out.video_context", encoded.video_context, kTol);
    run.compare("out.audio_context", encoded.audio_context, kTol);
    run.compare("out.context_mask", encoded.context_mask.to(DType::F32), 0.0);
}

}  // namespace ltx2
