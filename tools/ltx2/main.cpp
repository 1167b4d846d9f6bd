// ltx2: prompt in, MP4 with synchronized video and audio out. Also `inspect` (describe a
// checkpoint) and `download` (fetch model files into the Hugging Face cache).
#include <CLI/CLI.hpp>

#include <cstdio>
#include <fstream>
#include <map>
#include <optional>
#include <nlohmann/json.hpp>
#include <sstream>

#include "app/demo_model.h"
#include "models/model_version.h"
#include "app/gemma_folder.h"
#include "app/generate.h"
#include "app/generation_options.h"
#include "app/hub_download.h"
#include "app/option_suggestions.h"
#include "app/progress_output.h"
#include "app/run_summary.h"
#include "service/server.h"
#include "core/error.h"
#include "io/gguf.h"
#include "io/live_temps.h"
#include "io/safetensors.h"
#include "models/gemma3/gguf_weights.h"
#include "pipelines/model_files.h"
#include "kernels/cpu/cpu_common.h"
#include "ltx2/version.h"

namespace {


using namespace ltx2;

// Groups tensor names by their first two dotted components ("model.diffusion_model", "vae.decoder").
std::string component_of(const std::string& name) {
    auto first = name.find('.');
    if (first == std::string::npos) return name;
    auto second = name.find('.', first + 1);
    return second == std::string::npos ? name.substr(0, first) : name.substr(0, second);
}

// One tensor of a model file, as stored.
struct StoredTensor {
    std::string name, type;
    Shape shape;
};

// Every tensor of a .safetensors or .gguf file, and its `config` text (a GGUF's `ltx2.config`).
std::vector<StoredTensor> stored_tensors(const std::string& path, std::optional<std::string>& config,
                                         std::optional<std::string>& model_version, std::string& format) {
    std::vector<StoredTensor> out;
    if (is_gguf_path(path)) {
        const auto file = GgufFile::open(path);
        for (const auto& t : file->tensors()) out.push_back({t.name, std::string(ggml_type_name(t.type)), t.shape});
        auto text = [&](const char* key) -> std::optional<std::string> {
            return file->has_key(key) ? std::optional(file->get_string(key)) : std::nullopt;
        };
        config = text("ltx2.config");
        model_version = text("ltx2.model_version");
        const auto arch = text("general.architecture");
        format = fmt::format("GGUF v{}, architecture {}", file->version(), arch ? "'" + *arch + "'" : "not set");
        return out;
    }
    const auto file = SafetensorsFile::open(path);
    for (const auto& e : file->entries()) out.push_back({e.name, std::string(dtype_name(e.dtype)), e.shape});
    config = file->metadata_value("config");
    model_version = file->metadata_value("model_version");
    format = "safetensors";
    return out;
}

int inspect(const std::string& path, bool list_tensors) {
    std::optional<std::string> config, model_version;
    std::string format;
    const std::vector<StoredTensor> tensors = stored_tensors(path, config, model_version, format);
    struct Stats {
        size_t tensors = 0;
        uint64_t params = 0;
        std::map<std::string, size_t> types;
    };
    std::map<std::string, Stats> by_component;
    for (const StoredTensor& t : tensors) {
        auto& s = by_component[component_of(t.name)];
        s.tensors += 1;
        uint64_t n = 1;
        for (auto d : t.shape) n *= uint64_t(d);
        s.params += n;
        s.types[t.type] += 1;
    }
    std::printf("%s: %zu tensors (%s, header valid)\n", path.c_str(), tensors.size(), format.c_str());
    for (const auto& [name, s] : by_component) {
        std::printf("  %-40s %6zu tensors %16llu parameters  ", name.c_str(), s.tensors,
                    static_cast<unsigned long long>(s.params));
        for (const auto& [type, n] : s.types) std::printf(" %s:%zu", type.c_str(), n);
        std::printf("\n");
    }
    if (config) {
        auto json = nlohmann::json::parse(*config, nullptr, false);
        if (json.is_discarded()) {
            std::printf("  config: present but not valid JSON\n");
        } else {
            std::printf("  config sections:");
            for (auto it = json.begin(); it != json.end(); ++it) std::printf(" %s", it.key().c_str());
            std::printf("\n");
        }
    } else {
        std::printf("  no config metadata\n");
    }
    if (model_version) std::printf("  model_version: %s\n", model_version->c_str());
    try {
        const auto json = config ? nlohmann::json::parse(*config, nullptr, false) : nlohmann::json::object();
        if (config && !json.is_discarded())
            std::printf("  model: %s\n", model_semantics(model_version, json, path).name().c_str());
        else if (const auto generation = ltx_file_generation(path))
            std::printf("  model: %s (from its tensors)\n",
                        *generation == ModelGeneration::Ltx2_3 ? "LTX-2.3" : "LTX-2 (19B)");
    } catch (const Error& e) {
        std::printf("  model: not supported (%s)\n", e.what());
    }
    try {
        const std::vector<std::string> parts = describe_ltx_parts(path);
        if (parts.empty()) std::printf("  LTX parts: none (not an LTX model file)\n");
        for (const std::string& line : parts) std::printf("  LTX %s\n", line.c_str());
    } catch (const Error& e) {
        std::printf("  model: not supported (%s)\n", e.what());
    }
    if (list_tensors)
        for (const StoredTensor& t : tensors)
            std::printf("%s %s %s\n", t.name.c_str(), t.type.c_str(), shape_str(t.shape).c_str());
    return 0;
}

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

// `ltx2 serve`: the model options as given; what belongs to one generation comes with each request.
int serve(const CLI::App& app, const GenerationCli& cli, const service::ServeOptions& options, std::string model_name,
          size_t max_prompt_chars) {
    for (const CLI::Option* option : app.get_options()) {
        const std::string& group = option->get_group();
        const bool per_request = group == "Generation" || group == "Output" || group.rfind("Guidance", 0) == 0;
        if (per_request && option->count() > 0)
            fail("serve: {} is set per request (a field of POST /v1/videos), not for the server", option->get_name());
    }
    service::VideoRequests::Settings settings;
    apply_model_options(app, cli, settings.models);
    settings.demo = app.count("--demo") > 0;
    if (model_name.empty())
        model_name = !settings.demo ? "ltx-2" : parse_demo_release(cli.demo) == DemoRelease::Ltx23 ? "ltx-2.3-demo" : "ltx-2-demo";
    settings.model_id = model_name;
    settings.max_prompt_chars = max_prompt_chars;
    if (cli.threads > 0) set_kernel_threads(cli.threads);
    service::serve(options, std::move(settings));
    return 0;
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
                 "  ltx2 download Lightricks/LTX-2 ltx-2-19b-distilled.safetensors\n",
                 "ltx2"};
    app.set_version_flag("--version", "ltx2 " LTX2_VERSION_STRING);
    app.require_subcommand(0, 1);
    GenerationCli cli;
    add_generation_options(app, cli);

    std::string inspect_path;
    bool list = false;
    auto* inspect_cmd = app.add_subcommand(
        "inspect", "validate a model file (.safetensors or .gguf) and say which LTX parts it holds, of which release");
    inspect_cmd->add_option("file", inspect_path, "path to a .safetensors or .gguf file")->required();
    inspect_cmd->add_flag("--tensors", list, "also list every tensor with dtype and shape");

    std::string repo, revision = "main";
    std::vector<std::string> files;
    auto* download_cmd =
        app.add_subcommand("download", "fetch model files into the Hugging Face cache (resumable, checked)");
    download_cmd->add_option("repo", repo, "repository, e.g. Lightricks/LTX-2 or google/gemma-3-12b-it")->required();
    download_cmd->add_option("files", files, "files to fetch (a Gemma repository: all of it when none are named)");
    download_cmd->add_option("--revision", revision, "branch, tag or commit")->capture_default_str();

    auto* locate_cmd = app.add_subcommand(
        "locate", "show which model files the pipeline would use (exit 0: all found, 3: something missing)");
    locate_cmd->add_option("--pipeline", cli.pipeline, kPipelineChoices)
        ->capture_default_str();
    locate_cmd->add_option("--model-dir", cli.model_dir, "folder with the LTX-2 files and a Gemma 3 folder");
    locate_cmd->add_option("--checkpoint-precision", cli.checkpoint_precision, "auto | bf16 | fp8")
        ->capture_default_str();
    add_spatial_upscale_option(*locate_cmd, cli);

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
        if (*inspect_cmd) return inspect(inspect_path, list);
        if (*download_cmd) return download(repo, files, revision);
        if (*locate_cmd) {
            app::ModelLocateRequest request;
            request.pipeline = parse_pipeline_kind(cli.pipeline);
            request.precision = app::parse_checkpoint_precision(cli.checkpoint_precision);
            if (!cli.model_dir.empty()) request.model_dir = cli.model_dir;
            if (!cli.spatial_upscale.empty())
                request.spatial_upscale = parse_spatial_upscale(cli.spatial_upscale, app::kSpatialUpscaleOption);
            try {
                std::printf("%s", app::locate_models(request).describe().c_str());
            } catch (const Error& e) {
                std::fprintf(stderr, "%s\n", e.what());
                return 3;
            }
            return 0;
        }
        if (*serve_cmd) return serve(app, cli, serve_options, served_model_name, max_prompt_chars);
        const ProgressStyle style = parse_progress_style(cli.progress);
        progress.emplace(style, open_progress_output(cli.progress_fd));
        GenerateRequest request = build_generation_request(app, cli, app.count("--demo") > 0);
        apply_model_options(app, cli, request);
        if (cli.threads > 0) set_kernel_threads(cli.threads);
        const CancellationToken never_cancelled;
        const GenerateRequest asked = request;
        const GenerateResult result = generate(std::move(request), *progress, never_cancelled);
        progress->finish(run_summary_json(asked, result), run_summary_line(asked, result));
        return 0;
    } catch (const std::exception& e) {
        return failed(e.what(), 1);
    }
}
