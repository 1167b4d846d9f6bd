#pragma once
// ltx2_generate: one generation on a context, its failures told apart by the phase they happen in
// (reading the options, finding the model files, checking the request, generating).
#include <memory>

#include "capi/context.h"
#include "capi/result.h"
#include "ltx2/ltx2.h"

namespace ltx2::capi {

// Throws StatusError (Cancelled when cancelled).
std::unique_ptr<ltx2_result> run_generation(ltx2_context& context, const ltx2_options& params,
                                            ltx2_progress_fn progress, void* user_data);

}  // namespace ltx2::capi
