#pragma once
// ltx2_context: the model files a caller chose (fixed when the context was made), the models its
// generations keep loaded, and the one generation that may run on it at a time.
#include <atomic>
#include <memory>
#include <mutex>
#include <optional>

#include "app/generate.h"
#include "capi/options.h"
#include "core/cancellation.h"
#include "pipelines/model_cache.h"

struct ltx2_context {
    // Given again before each generation's own options, so that the command line's checks that
    // involve both (--ic-lora only with the ic-lora pipeline, ...) see them as the CLI would.
    ltx2_options model_options;
    ltx2::GenerateRequest models;  // the model files, precision and memory budget (in GiB)
    bool demo = false;             // the demo's small defaults apply
    int threads = 0;               // --threads; 0: OpenMP's default
    // The models kept between generations (the budget is then fixed in `models`); null for a
    // context of one generation, which frees each model after use.
    std::unique_ptr<ltx2::ModelCache> kept_models;

    std::atomic<bool> generating{false};
    std::mutex running_mutex;
    ltx2::CancellationToken* running = nullptr;  // the running generation's token, under running_mutex
};

namespace ltx2::capi {

// How a context will be used; the C API's contexts take the defaults.
struct ContextUse {
    // Models are kept loaded between generations, within a memory budget fixed now. Without: one
    // generation (the command line), whose budget is what is available when it runs.
    bool keep_models = true;
    // The one pipeline its generations use (the command line's --pipeline): only its model files
    // must be found. Without: any pipeline that finds all of its files will do.
    std::optional<PipelineKind> pipeline;
};

// A context for `model_options` (NULL: none): the demo written if asked for, the model files
// looked for. Throws StatusError.
std::unique_ptr<ltx2_context> create_context(const ltx2_options* model_options, const ContextUse& use = {});

// Cancels the generation running on `context`, if one is.
void cancel_running(ltx2_context& context);

// Marks `context` as generating for its lifetime; throws StatusError (LTX2_ERROR_BUSY) when it is
// already. Its token is cancelled by ltx2_cancel and follows `also` (a caller's own token) when given.
class GeneratingScope {
public:
    explicit GeneratingScope(ltx2_context& context, const CancellationToken* also = nullptr);
    ~GeneratingScope();
    GeneratingScope(const GeneratingScope&) = delete;
    GeneratingScope& operator=(const GeneratingScope&) = delete;

    // The token ltx2_cancel reaches while this scope lasts.
    const CancellationToken& token() const { return token_; }
    CancellationToken& token() { return token_; }

private:
    ltx2_context& context_;
    CancellationToken token_;
};

}  // namespace ltx2::capi
