#pragma once
// ltx2_context: the model files a caller chose (fixed when the context was made), the models its
// generations keep loaded, and the one generation that may run on it at a time.
#include <atomic>
#include <memory>
#include <mutex>

#include "app/generate.h"
#include "capi/options.h"
#include "core/cancellation.h"
#include "pipelines/model_cache.h"

struct ltx2_context {
    // Given again before each generation's own options, so that the command line's checks that
    // involve both (--ic-lora only with the ic-lora pipeline, ...) see them as the CLI would.
    ltx2_options model_options;
    ltx2::GenerateRequest models;  // the model files, precision and memory budget (in GiB, fixed)
    bool demo = false;             // the demo's small defaults apply
    int threads = 0;               // --threads; 0: OpenMP's default
    std::unique_ptr<ltx2::ModelCache> kept_models;

    std::atomic<bool> generating{false};
    std::mutex running_mutex;
    ltx2::CancellationToken* running = nullptr;  // the running generation's token, under running_mutex
};

namespace ltx2::capi {

// A context for `model_options` (NULL: none): the demo written if asked for, the model files
// looked for. Throws StatusError.
std::unique_ptr<ltx2_context> create_context(const ltx2_options* model_options);

// Cancels the generation running on `context`, if one is.
void cancel_running(ltx2_context& context);

// Marks `context` as generating for its lifetime; throws StatusError (LTX2_ERROR_BUSY) when it is already.
class GeneratingScope {
public:
    explicit GeneratingScope(ltx2_context& context);
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
