// gemma3.generate_greedy: the prompt enhancer's input and greedy decoding. Our chat template over
// the fixture's system prompt and user message must give its chat_text exactly, and the token
// layout (double <bos>, left padding to a multiple of 8, mask, positions) its in.* ids exactly.
// Then greedy generation with the KV cache on the real tokens (padding never influences them):
// each step's logits within 1e-5 of that step's max |logit|, the generated ids exact.
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "models/gemma3/generate.h"
#include "models/gemma3/tokenizer.h"
#include "parity/kinds.h"
#include "pipelines/enhancer_prompts.h"

namespace ltx2 {

void parity_gemma3_generate_greedy(ParityRun& run) {
    constexpr double kLogitTolerance = 1e-5;
    const std::string user_message = enhancer_user_message(EnhanceMode::TextToVideo, run.meta("user_prompt"));
    LTX2_CHECK(user_message == run.meta("user_message"), "{}: our user turn is '{}', the fixture's user_message '{}'",
               run.io_path(), user_message, run.meta("user_message"));
    const std::string chat = gemma3_chat_text(run.meta("system_prompt"), user_message);
    LTX2_CHECK(chat == run.meta("chat_text"), "{}: our chat template gives\n{}\nthe fixture's chat_text is\n{}",
               run.io_path(), chat, run.meta("chat_text"));

    const GemmaTokenizer tokenizer = GemmaTokenizer::load(run.tokenizer_path(run.meta("tokenizer")));
    const EnhancerInput input = enhancer_input(tokenizer, chat);
    require_equal_ids(run, "in.input_ids", input.ids);
    require_equal_ids(run, "in.attention_mask", input.mask);
    require_equal_ids(run, "in.position_ids", input.positions);

    Gemma3GenerateOptions options;
    options.max_new_tokens = std::stoi(run.meta("max_new_tokens"));
    options.stop_ids = run.meta_json("eos_token_ids").get<std::vector<int64_t>>();
    std::vector<Tensor> logits;
    options.on_step = [&](int, const Tensor& step_logits, int64_t) { logits.push_back(step_logits); };
    const Gemma3Model model = Gemma3Model::load(run.model_path(), Precision::F32);
    const Gemma3Generation generated = gemma3_generate(model, input.real_ids(), options);

    const Tensor ref_logits = run.input("out.logits");
    LTX2_CHECK(ref_logits.dim() == 2 && ref_logits.size(0) == int64_t(logits.size()),
               "{}: out.logits has shape {}, we generated {} steps (ended by the {})", run.io_path(),
               shape_str(ref_logits.shape()), logits.size(), stop_reason_name(generated.stopped_by));
    for (size_t step = 0; step < logits.size(); ++step)
        run.compare_to(fmt::format("out.logits[{}]", step), logits[step], ref_logits.select(0, int64_t(step)),
                       kLogitTolerance);
    require_equal_ids(run, "out.generated_ids", generated.ids);
}

}  // namespace ltx2
