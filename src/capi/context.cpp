#include "capi/context.h"

#include <fmt/format.h>

#include <optional>
#include <sstream>

#include "app/demo_model.h"
#include "app/generation_options.h"
#include "app/memory_estimate.h"
#include "app/model_locator.h"
#include "capi/status.h"
#include "kernels/cpu/cpu_isa.h"

namespace ltx2::capi {

namespace {

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;

// The model files are fine when some pipeline finds all of its own (which pipeline runs is a
// generation's choice); when none does, the default pipeline's error lists what it misses and
// every place it looked at.
void check_some_pipeline_finds_its_files(app::ModelLocateRequest request) {
    std::optional<std::string> default_pipeline_error;
    std::istringstream choices(kPipelineChoices);  // "distilled | one-stage | ...", the default first
    for (std::string name; choices >> name;) {
        if (name == "|") continue;
        request.pipeline = parse_pipeline_kind(name);
        try {
            (void)app::locate_models(request);
            return;
        } catch (const Error& e) {
            if (!default_pipeline_error) default_pipeline_error = e.what();
        }
    }
    fail("no pipeline finds all of its model files; {}", default_pipeline_error.value_or("(no pipeline)"));
}

void check_model_files(app::ModelLocateRequest request, std::optional<PipelineKind> pipeline) {
    if (!pipeline) return check_some_pipeline_finds_its_files(std::move(request));
    request.pipeline = *pipeline;
    (void)app::locate_models(request);
}

}  // namespace

std::unique_ptr<ltx2_context> create_context(const ltx2_options* model_options, const ContextUse& use) {
    const ltx2_options no_options;
    const ltx2_options& options = model_options ? *model_options : no_options;
    // A bad $LTX2_CPU_ISA is the caller's to fix, named before any other work.
    in_phase(LTX2_ERROR_INVALID_ARGUMENT, [] { (void)cpu::cpu_isa(); });
    auto context = std::make_unique<ltx2_context>();
    CommandLine command_line;
    in_phase(LTX2_ERROR_INVALID_ARGUMENT, [&] {
        refuse_options_of(options, OptionPlace::Generation, "ltx2_context_create");
        command_line.parse(options.settings);
    });
    context->demo = command_line.app.count("--demo") > 0;
    if (context->demo) {
        // Written here so that a failure to write it is told apart from a bad option.
        const DemoRelease release =
            in_phase(LTX2_ERROR_INVALID_ARGUMENT, [&] { return parse_demo_release(command_line.cli.demo); });
        in_phase(LTX2_ERROR_MODEL_FILES, [&] { ensure_demo_model(default_demo_model_dir(release), release); });
    }
    GenerateRequest& models = context->models;
    in_phase(LTX2_ERROR_INVALID_ARGUMENT, [&] { apply_model_options(command_line.app, command_line.cli, models); });
    in_phase(LTX2_ERROR_MODEL_FILES, [&] { check_model_files(models.models, use.pipeline); });
    context->threads = command_line.cli.threads;
    if (use.keep_models) {
        // The memory the kept models take must not shrink the next generation's budget: it is fixed now.
        models.memory_budget_gib = app::memory_budget_bytes(models.memory_budget_gib) / kGiB;
        context->kept_models = std::make_unique<ModelCache>(kept_models_capacity_bytes(models.memory_budget_gib));
    }
    context->model_options = options;
    return context;
}

void cancel_running(ltx2_context& context) {
    const std::lock_guard lock(context.running_mutex);
    if (context.running) context.running->cancel();
}

GeneratingScope::GeneratingScope(ltx2_context& context, const CancellationToken* also)
    : context_(context), token_(also) {
    bool idle = false;
    if (!context.generating.compare_exchange_strong(idle, true))
        throw StatusError(LTX2_ERROR_BUSY,
                          "ltx2_generate: the context is running another generation; a context runs one at a time "
                          "(generations in parallel need a context each)");
    const std::lock_guard lock(context.running_mutex);
    context.running = &token_;
}

GeneratingScope::~GeneratingScope() {
    {
        const std::lock_guard lock(context_.running_mutex);
        context_.running = nullptr;
    }
    context_.generating.store(false);
}

}  // namespace ltx2::capi
