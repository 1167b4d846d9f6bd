// ltx2: prompt in, MP4 with synchronized video and audio out. Also `inspect` (describe a
// checkpoint) and `download` (fetch model files into the Hugging Face cache).
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>

#include "app/demo_model.h"
#include "app/gemma_folder.h"
#include "app/generate.h"
#include "app/generation_options.h"
#include "app/hub_download.h"
#include "app/inspect.h"
#include "app/pipeline_defaults_help.h"
#include "app/option_suggestions.h"
#include "app/progress_output.h"
#include "app/run_summary.h"
#include "capi/context.h"
#include "capi/generation.h"
#include "capi/options.h"
#include "service/server.h"
#include "service/worker.h"
#include "core/error.h"
#include "io/live_temps.h"
#include "kernels/cpu/cpu_common.h"
#include "kernels/cpu/cpu_isa.h"
#include "ops/op_profile.h"
#include "ltx2/version.h"

namespace {


using namespace ltx2;
using namespace ltx2::cpu;

int download(const std::string& repo, std::vector<std::string> files, const std::string& revision) {
    app::HubDownloadRequest request;
    request.repo = repo;
    request.revision = revision;
    request.progress = [](const app::DownloadProgress& p) {
        std::fprintf(stderr, "\r%s: %.1f / %.1f MiB (%.1f MiB/s)\033[K", p.file.c_str(), double(p.bytes_done) / 1048576.0,
                     double(p.bytes_total) / 1048576.0, p.bytes_per_second / 1048576.0);
    };
    auto fetch = [&](std::vector<std::string> names) {
        request.files = std::move(names);
        auto got = app::hub_download(request);
        std::fprintf(stderr, "\n");
        for (const auto& f : got) std::printf("%s%s\n", f.path.string().c_str(), f.was_cached ? " (cached)" : "");
        return got;
    };
    if (!files.empty()) {
        fetch(files);
        return 0;
    }
    if (repo.rfind("google/gemma-3", 0) != 0)
        fail("download {}: name the files to fetch (e.g. ltx-2-19b-distilled.safetensors)", repo);
    // A whole Gemma folder: the small files first, then the shards its index lists.
    const auto small = fetch({"config.json", "tokenizer.json", "tokenizer_config.json", "model.safetensors.index.json"});
    fetch(app::safetensors_index_shards(small.back().path));
    return 0;
}

// `ltx2 serve` and `ltx2 worker`: the model options as given; what belongs to one generation
// comes with each request.
service::VideoRequests::Settings server_settings(const CLI::App& app, const GenerationCli& cli, const char* command,
                                                 std::string model_name, size_t max_prompt_chars) {
    for (const CLI::Option* option : app.get_options()) {
        const std::string& group = option->get_group();
        const bool per_request = group == "Generation" || group == "Output" || group.rfind("Guidance", 0) == 0;
        if (per_request && option->count() > 0)
            fail("{}: {} is set per request (a field of POST /v1/videos), not for the server", command,
                 option->get_name());
    }
    service::VideoRequests::Settings settings;
    settings.model_options = capi::options_given_on(app).models;
    const bool demo = app.count("--demo") > 0;
    if (model_name.empty())
        model_name = !demo ? "ltx-2" : parse_demo_release(cli.demo) == DemoRelease::Ltx23 ? "ltx-2.3-demo" : "ltx-2-demo";
    settings.model_id = model_name;
    settings.max_prompt_chars = max_prompt_chars;
    return settings;
}

}  // namespace

int main(int argc, char** argv) {
    remove_live_temps_on_signals();
    CLI::App app{"ltx2.cpp: Lightricks LTX-2 video + audio generation, native C++.\n\n"
                 "  ltx2 -p \"a cat playing the piano\" -o cat.mp4          (models from --model-dir or the HF cache)\n"
                 "  ltx2 --demo -p \"a cat\" --frames 25 -o demo.mp4        (built-in tiny model, seconds)\n"
                 "  ltx2 --demo 2.3 -p \"a cat\" --frames 17 -o demo.mp4    (the same in the LTX-2.3 layout)\n"
                 "  ltx2 --demo 2.3 --pipeline a2v --audio-path song.mp3 -p \"a singer\" -f 17 -o a2v.mp4\n"
                 "  ltx2 --demo 2.3 --pipeline retake --video-path a2v.mp4 --start-time 0.2 --end-time 0.5 -p \"a "
                 "dog\" -o retake.mp4\n"
                 "  ltx2 --demo --pipeline ic-lora --video-conditioning demo.mp4 -p \"a dog\" -o ic.mp4   (the demo's "
                 "IC-LoRA)\n"
                 "  ltx2 download Lightricks/LTX-2 ltx-2-19b-distilled.safetensors\n"
                 "  ltx2 locate --demo   /   ltx2 inspect FILE.gguf   /   LTX2_MODEL_DIR=DIR ltx2 -p ...\n",
                 "ltx2"};
    app.set_version_flag("--version", [] { return "ltx2 " LTX2_VERSION_STRING "\n" + cpu::cpu_paths_description(); });
    app.require_subcommand(0, 1);
    GenerationCli cli;
    add_generation_options(app, cli);

    std::string inspect_path;
    app::InspectOptions inspect_options;
    auto* inspect_cmd = app.add_subcommand(
        "inspect", "validate a model file (.safetensors or .gguf: tensors, every metadata key, the embedded config, "
                   "which LTX parts of which release) or a Gemma 3 folder (config, tokenizer, shards: what is there "
                   "and what is missing)");
    inspect_cmd->add_option("path", inspect_path, "a .safetensors or .gguf file, or a Gemma 3 folder")->required();
    inspect_cmd->add_flag("--tensors", inspect_options.list_tensors, "also list every tensor with type and shape");
    inspect_cmd->add_flag("--full-metadata", inspect_options.full_metadata,
                          "print long metadata values (a config JSON, a tokenizer's vocabulary) whole");

    std::string repo, revision = "main";
    std::vector<std::string> files;
    auto* download_cmd =
        app.add_subcommand("download", "fetch model files into the Hugging Face cache (resumable, checked)");
    download_cmd->add_option("repo", repo, "repository, e.g. Lightricks/LTX-2 or google/gemma-3-12b-it")->required();
    download_cmd->add_option("files", files, "files to fetch (a Gemma repository: all of it when none are named)");
    download_cmd->add_option("--revision", revision, "branch, tag or commit")->capture_default_str();

    auto* locate_cmd = app.add_subcommand(
        "locate", "show which model files the pipeline would use, given the same model options as a generation "
                  "(exit 0: all found, 3: something missing); with --demo, the demo model's files");
    locate_cmd->add_option("--pipeline", cli.pipeline, kPipelineChoices)
        ->capture_default_str();
    add_model_file_options(*locate_cmd, cli);

    service::ServeOptions serve_options;
    std::string served_model_name;
    size_t max_prompt_chars = service::VideoRequests::Settings{}.max_prompt_chars;
    auto* serve_cmd = app.add_subcommand(
        "serve", "run an OpenAI-compatible video service (POST /v1/videos, ...) with a web page at /; the model "
                 "options (--demo, --model-dir, --checkpoint, ..., --threads, --memory-budget) are given as for "
                 "generating, the rest per request");
    serve_cmd->fallthrough();
    serve_cmd->add_option("--host", serve_options.host, "address to listen on (loopback by default)")
        ->capture_default_str();
    serve_cmd->add_option("--port", serve_options.port, "port (0: any free port, printed at start)")
        ->capture_default_str();
    serve_cmd->add_option("--data-dir", serve_options.data_dir, "folder for jobs and results (kept across restarts)")
        ->required();
    serve_cmd->add_option("--max-queue", serve_options.max_queue, "jobs that may wait; more are refused (429)")
        ->capture_default_str();
    serve_cmd->add_option("--keep-hours", serve_options.keep_hours,
                          "delete finished jobs and their files after this many hours (0: keep)")
        ->capture_default_str();
    serve_cmd->add_option("--api-key", serve_options.api_key, "require 'Authorization: Bearer KEY' on /v1 and /metrics")
        ->envname("LTX2_API_KEY");
    serve_cmd->add_option("--cors-origin", serve_options.cors_origin,
                          "allow this origin's pages to call the API (no CORS headers without it)");
    serve_cmd->add_option("--max-body-mb", serve_options.max_body_mb, "largest request body in MiB (uploads included)")
        ->capture_default_str();
    serve_cmd->add_option("--max-prompt-chars", max_prompt_chars, "longest prompt in bytes")->capture_default_str();
    serve_cmd->add_option("--served-model-name", served_model_name,
                          "the model id of the API [ltx-2; with --demo ltx-2-demo / ltx-2.3-demo]");
    serve_cmd->add_option("--redis", serve_options.redis_url,
                          "keep the jobs in Redis (redis://HOST[:PORT][/DB]) for `ltx2 worker`s to run, instead of "
                          "running them in this process (docs/DEPLOYMENT.md)");

    service::WorkerOptions worker_options;
    auto* worker_cmd = app.add_subcommand(
        "worker", "run the jobs of an `ltx2 serve --redis` front end (any number of workers, on any machines, "
                  "sharing its --data-dir); model options as for generating (docs/DEPLOYMENT.md)");
    worker_cmd->fallthrough();
    worker_cmd->add_option("--redis", worker_options.redis_url, "the front end's Redis, redis://HOST[:PORT][/DB]")
        ->required();
    worker_cmd->add_option("--data-dir", worker_options.data_dir, "the front end's data folder (a shared filesystem)")
        ->required();
    worker_cmd->add_option("--name", worker_options.name, "this worker's name in the queue [HOSTNAME-PID]");
    worker_cmd->add_option("--claim-timeout", worker_options.claim_timeout_s,
                           "seconds without a heartbeat after which another worker takes over a job")
        ->capture_default_str();
    worker_cmd->add_option("--max-attempts", worker_options.max_attempts,
                           "a job started this many times without ending is marked failed")
        ->capture_default_str();

    app.footer("\n" + app::pipeline_defaults_help());  // after the subcommands: their help goes without it
    if (argc == 1) {
        std::fprintf(stderr, "%s", app.help().c_str());
        return 2;
    }
    // Set for a generation: its errors end the progress stream too (an `error` event in json).
    std::optional<ProgressReporter> progress;
    auto failed = [&](const std::string& message, int exit_code) {
        std::fprintf(stderr, "error: %s\n", message.c_str());
        if (progress) progress->error(message, exit_code);
        return exit_code;
    };
    try {
        cpu::cpu_isa();  // a bad $LTX2_CPU_ISA stops here, before any work
    } catch (const Error& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 2;
    }
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);
        if (dynamic_cast<const CLI::ExtrasError*>(&e) != nullptr)
            for (const std::string& hint : app::unknown_option_hints(app, argc, argv))
                std::fprintf(stderr, "%s\n", hint.c_str());
        if (code != 0 && cli.progress == "json") {  // the options that were read ask for the json stream
            try {
                ProgressReporter(ProgressStyle::Json, open_progress_output(cli.progress_fd)).error(e.what(), 2);
            } catch (const Error&) {  // a bad --progress-fd: the message above is all there is
            }
        }
        return code == 0 ? 0 : 2;
    }
    try {
        if (*inspect_cmd) {
            std::printf("%s", app::inspect_model_path(inspect_path, inspect_options).c_str());
            return 0;
        }
        if (*download_cmd) return download(repo, files, revision);
        if (*locate_cmd) {
            app::ModelLocateRequest request;
            request.pipeline = parse_pipeline_kind(cli.pipeline);
            apply_model_file_options(*locate_cmd, cli, request);
            try {
                std::printf("%s", app::locate_models(request).describe().c_str());
                if (locate_cmd->count("--demo") > 0) std::printf("%s", describe_demo_model(*request.model_dir).c_str());
            } catch (const Error& e) {
                std::fprintf(stderr, "%s\n", e.what());
                return 3;
            }
            return 0;
        }
        if (*serve_cmd) {
            service::serve(serve_options, server_settings(app, cli, "serve", served_model_name, max_prompt_chars));
            return 0;
        }
        if (*worker_cmd) {
            service::run_worker(worker_options, server_settings(app, cli, "worker", "", max_prompt_chars));
            return 0;
        }
        const ProgressStyle style = parse_progress_style(cli.progress);
        progress.emplace(style, open_progress_output(cli.progress_fd));
        // Through the library, as ltx2_context_create and ltx2_generate run it: one generation,
        // its progress on this program's stream.
        const capi::GivenOptions given = capi::options_given_on(app);
        capi::ContextUse one_generation;
        one_generation.keep_models = false;
        one_generation.pipeline = parse_pipeline_kind(cli.pipeline);
        const std::unique_ptr<ltx2_context> context = capi::create_context(&given.models, one_generation);
        const auto started = std::chrono::steady_clock::now();
        const capi::Generation run = capi::generate(*context, given.params, *progress);
        progress->finish(run_summary_json(run.request, run.result), run_summary_line(run.request, run.result));
        if (op_profiling())  // $LTX2_PROFILE_OPS=1: where the time went, op by op
            std::fprintf(stderr, "%s", describe_op_profile(op_profile(), std::chrono::duration<double>(
                                                                             std::chrono::steady_clock::now() - started)
                                                                             .count())
                                           .c_str());
        return 0;
    } catch (const std::exception& e) {
        return failed(e.what(), 1);
    }
}
