// The extern "C" functions of include/ltx2/ltx2.h: each checks its arguments and runs its work
// inside the error boundary (capi/status.h).
#include "ltx2/ltx2.h"

#include "capi/context.h"
#include "capi/generation.h"
#include "capi/options.h"
#include "capi/result.h"
#include "capi/status.h"
#include "ltx2/version.h"

using ltx2::capi::guarded;
using ltx2::capi::require;

extern "C" {

const char* ltx2_version(void) { return LTX2_VERSION_STRING; }

const char* ltx2_status_name(ltx2_status status) {
    switch (status) {
        case LTX2_OK: return "LTX2_OK";
        case LTX2_ERROR_INVALID_ARGUMENT: return "LTX2_ERROR_INVALID_ARGUMENT";
        case LTX2_ERROR_MODEL_FILES: return "LTX2_ERROR_MODEL_FILES";
        case LTX2_ERROR_CANCELLED: return "LTX2_ERROR_CANCELLED";
        case LTX2_ERROR_OUT_OF_MEMORY: return "LTX2_ERROR_OUT_OF_MEMORY";
        case LTX2_ERROR_BUSY: return "LTX2_ERROR_BUSY";
        case LTX2_ERROR_GENERATION_FAILED: return "LTX2_ERROR_GENERATION_FAILED";
        case LTX2_ERROR_INTERNAL: return "LTX2_ERROR_INTERNAL";
    }
    return "unknown status";
}

const char* ltx2_last_error(void) { return ltx2::capi::last_error(); }

ltx2_options* ltx2_options_create(void) {
    ltx2_options* options = nullptr;
    (void)guarded([&] { options = new ltx2_options(); });
    return options;
}

ltx2_status ltx2_options_set(ltx2_options* options, const char* name, const char* value) {
    return guarded([&] {
        require(options, "ltx2_options_set", "options");
        ltx2::capi::set_option(*options, name, value);
    });
}

void ltx2_options_free(ltx2_options* options) { delete options; }

ltx2_status ltx2_context_create(const ltx2_options* model_options, ltx2_context** out) {
    return guarded([&] {
        require(out, "ltx2_context_create", "out");
        *out = nullptr;
        *out = ltx2::capi::create_context(model_options).release();
    });
}

void ltx2_context_free(ltx2_context* context) { delete context; }

void ltx2_cancel(ltx2_context* context) {
    (void)guarded([&] {
        if (context != nullptr) ltx2::capi::cancel_running(*context);
    });
}

ltx2_status ltx2_generate(ltx2_context* context, const ltx2_options* params, ltx2_progress_fn progress,
                          void* user_data, ltx2_result** out) {
    return guarded([&] {
        require(out, "ltx2_generate", "out");
        *out = nullptr;
        require(context, "ltx2_generate", "context");
        require(params, "ltx2_generate", "params");
        *out = ltx2::capi::run_generation(*context, *params, progress, user_data).release();
    });
}

void ltx2_result_free(ltx2_result* result) { delete result; }

const char* ltx2_result_output(const ltx2_result* result) { return result ? result->output.c_str() : ""; }
int64_t ltx2_result_frame_count(const ltx2_result* result) { return result ? result->frame_count : 0; }
int64_t ltx2_result_width(const ltx2_result* result) { return result ? result->width : 0; }
int64_t ltx2_result_height(const ltx2_result* result) { return result ? result->height : 0; }
double ltx2_result_fps(const ltx2_result* result) { return result ? result->fps : 0; }
int64_t ltx2_result_audio_sample_count(const ltx2_result* result) { return result ? result->audio_sample_count : 0; }
int ltx2_result_audio_sample_rate(const ltx2_result* result) { return result ? result->audio_sample_rate : 0; }
int ltx2_result_audio_channels(const ltx2_result* result) { return result ? result->audio_channels : 0; }
const char* ltx2_result_model(const ltx2_result* result) { return result ? result->model.c_str() : ""; }
uint64_t ltx2_result_seed(const ltx2_result* result) { return result ? result->seed : 0; }

const uint8_t* ltx2_result_pixels(const ltx2_result* result) {
    return result && result->pixels.defined() ? result->pixels.data<uint8_t>() : nullptr;
}

const float* ltx2_result_audio(const ltx2_result* result) {
    return result && !result->audio.empty() ? result->audio.data() : nullptr;
}

}  // extern "C"
