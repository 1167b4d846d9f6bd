#include "models/gemma3/generate.h"

#include <algorithm>

#include "core/error.h"
#include "ops/host.h"

namespace ltx2 {

const char* stop_reason_name(StopReason reason) {
    return reason == StopReason::StopToken ? "stop token" : "token limit";
}

Gemma3Generation gemma3_generate(const Gemma3Model& model, std::span<const int64_t> prompt_ids,
                                 const Gemma3GenerateOptions& options) {
    LTX2_CHECK(!prompt_ids.empty(), "gemma3 generation: the prompt has no tokens");
    LTX2_CHECK(options.max_new_tokens >= 1, "gemma3 generation: max_new_tokens {} must be at least 1",
               options.max_new_tokens);
    const int64_t positions = int64_t(prompt_ids.size()) + options.max_new_tokens;
    LTX2_CHECK(positions <= model.config().max_position_embeddings,
               "gemma3 generation: {} prompt tokens + {} new ones exceed the model's {} positions", prompt_ids.size(),
               options.max_new_tokens, model.config().max_position_embeddings);
    TokenSampler sampler(options.sampling, options.seed);
    // The last generated token is never run through the model, so the cache needs one row less.
    Gemma3KvCache cache = Gemma3KvCache::with_capacity(model.config(), positions - 1);

    Gemma3Generation out;
    Tensor hidden = model.extend(prompt_ids, cache);
    for (int step = 0; step < options.max_new_tokens; ++step) {
        const Tensor logits = model.logits(hidden);
        const int64_t id = sampler.next(copy_to_host(logits));  // the token is chosen on the host
        out.ids.push_back(id);
        if (options.on_step) options.on_step(step, logits, id);
        if (std::find(options.stop_ids.begin(), options.stop_ids.end(), id) != options.stop_ids.end()) {
            out.stopped_by = StopReason::StopToken;
            return out;
        }
        if (step + 1 < options.max_new_tokens) hidden = model.extend(std::span<const int64_t>(&id, 1), cache);
    }
    out.stopped_by = StopReason::TokenLimit;
    return out;
}

}  // namespace ltx2
