#pragma once
// One generation on a context, its failures told apart by the phase they happen in (reading the
// options, finding the model files, checking the request, generating). ltx2_generate is this with
// a progress callback; the ltx2 program and the server call it with their own progress reporter.
#include <functional>
#include <memory>

#include "app/generate.h"
#include "app/progress.h"
#include "capi/context.h"
#include "capi/result.h"
#include "core/cancellation.h"
#include "ltx2/ltx2.h"

namespace ltx2::capi {

// What one generation was asked (the seed drawn, the outputs given) and what it made.
struct Generation {
    GenerateRequest request;
    GenerateResult result;
};

// The request `params` make on `context`, as `ltx2 <model options> <params>` makes it (the command
// line's parsing and checks), with the model files, precision and memory budget the context fixed.
// Throws ltx2::Error, CLI::ParseError or StatusError naming the option; loads nothing.
GenerateRequest request_for(const ltx2_context& context, const ltx2_options& params);

// Runs the generation of `params` on `context`: its events go to `progress`; it stops at its next
// check when ltx2_cancel is called or `also_cancel` (when given) is cancelled. `checked` (when
// given) sees the request once it is checked, before anything is loaded. Throws StatusError
// (LTX2_ERROR_BUSY when the context is generating already), or Cancelled.
Generation generate(ltx2_context& context, const ltx2_options& params, ProgressReporter& progress,
                    const CancellationToken* also_cancel = nullptr,
                    const std::function<void(const GenerateRequest&)>& checked = {});

// ltx2_generate: progress to the caller's callback. Throws StatusError (Cancelled when cancelled).
std::unique_ptr<ltx2_result> run_generation(ltx2_context& context, const ltx2_options& params,
                                            ltx2_progress_fn progress, void* user_data);

}  // namespace ltx2::capi
