#include "capi/generation.h"

#include "app/generation_options.h"
#include "app/model_locator.h"
#include "capi/progress_callback.h"
#include "capi/status.h"
#include "kernels/cpu/cpu_common.h"

namespace ltx2::capi {

namespace {

// The request as `ltx2 <model options> <params>` makes it (the command line's parsing and checks),
// with the model files, precision and memory budget the context fixed.
GenerateRequest request_for(const ltx2_context& context, const ltx2_options& params) {
    refuse_options_of(params, OptionPlace::Context, "ltx2_generate");
    CommandLine command_line;
    std::vector<OptionSetting> settings = context.model_options.settings;
    settings.insert(settings.end(), params.settings.begin(), params.settings.end());
    command_line.parse(settings);
    GenerateRequest request = build_generation_request(command_line.app, command_line.cli, context.demo);
    request.models = context.models.models;
    request.precision = context.models.precision;
    request.memory_budget_gib = context.models.memory_budget_gib;
    // Kept models are released before they would stand in the way; generate() says so too.
    request.releasable_bytes = double(context.kept_models->stats().held_bytes);
    request.decoded_in_result = command_line.in_memory;
    return request;
}

// --threads for the calling thread, during one generation (OpenMP's thread count is the thread's own).
class ThreadCountScope {
public:
    explicit ThreadCountScope(int threads) : before_(cpu::kernel_threads()), set_(threads > 0) {
        if (set_) cpu::set_kernel_threads(threads);
    }
    ~ThreadCountScope() {
        if (set_) cpu::set_kernel_threads(before_);
    }
    ThreadCountScope(const ThreadCountScope&) = delete;
    ThreadCountScope& operator=(const ThreadCountScope&) = delete;

private:
    int before_;
    bool set_;
};

}  // namespace

std::unique_ptr<ltx2_result> run_generation(ltx2_context& context, const ltx2_options& params,
                                            ltx2_progress_fn progress, void* user_data) {
    GeneratingScope generating(context);
    const GenerateRequest request =
        in_phase(LTX2_ERROR_INVALID_ARGUMENT, [&] { return request_for(context, params); });
    in_phase(LTX2_ERROR_MODEL_FILES, [&] {
        app::ModelLocateRequest files = request.models;
        files.pipeline = request.pipeline;
        (void)app::locate_models(files);
    });
    // Everything generate() checks before it loads a model, so that what fails later is the run's failure.
    in_phase(LTX2_ERROR_INVALID_ARGUMENT, [&] { check_generate_request(request); });

    ProgressCallback callback(request.pipeline, progress, user_data, generating.token());
    ProgressReporter reporter(ProgressStyle::Quiet, stderr, callback.listener());
    const ThreadCountScope threads(context.threads);
    const GenerateResult generated = in_phase(LTX2_ERROR_GENERATION_FAILED, [&] {
        return generate(request, reporter, generating.token(), context.kept_models.get());
    });
    callback.done();
    return make_result(request, generated);
}

}  // namespace ltx2::capi
