#include "capi/generation.h"

#include "app/generation_options.h"
#include "app/model_locator.h"
#include "capi/progress_callback.h"
#include "capi/status.h"
#include "kernels/cpu/cpu_common.h"

namespace ltx2::capi {

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
    if (context.kept_models) request.releasable_bytes = double(context.kept_models->stats().held_bytes);
    request.decoded_in_result = command_line.in_memory;
    return request;
}

namespace {

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

Generation generate(ltx2_context& context, const ltx2_options& params, ProgressReporter& progress,
                    const CancellationToken* also_cancel, const std::function<void(const GenerateRequest&)>& checked) {
    GeneratingScope generating(context, also_cancel);
    Generation run;
    run.request = in_phase(LTX2_ERROR_INVALID_ARGUMENT, [&] { return request_for(context, params); });
    in_phase(LTX2_ERROR_MODEL_FILES, [&] {
        app::ModelLocateRequest files = run.request.models;
        files.pipeline = run.request.pipeline;
        (void)app::locate_models(files);
    });
    // Everything generate() checks before it loads a model, so that what fails later is the run's failure.
    in_phase(LTX2_ERROR_INVALID_ARGUMENT, [&] { check_generate_request(run.request); });
    if (checked) checked(run.request);

    const ThreadCountScope threads(context.threads);
    run.result = in_phase(LTX2_ERROR_GENERATION_FAILED, [&] {
        return ltx2::generate(run.request, progress, generating.token(), context.kept_models.get());
    });
    return run;
}

std::unique_ptr<ltx2_result> run_generation(ltx2_context& context, const ltx2_options& params,
                                            ltx2_progress_fn progress, void* user_data) {
    // The callback's non-zero return cancels through this token, which generate() follows.
    CancellationToken callback_cancel;
    ProgressCallback callback(progress, user_data, callback_cancel);
    ProgressReporter reporter(ProgressStyle::Quiet, stderr, callback.listener());
    const Generation run = generate(context, params, reporter, &callback_cancel,
                                    [&](const GenerateRequest& request) { callback.start(request.pipeline); });
    callback.done();
    return make_result(run.request, run.result);
}

}  // namespace ltx2::capi
