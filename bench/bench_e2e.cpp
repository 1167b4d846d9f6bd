// End to end (issue 20): a full-size random-weight LTX-2 (19B) distilled generation through the
// real `ltx2` program, the number a user asks first.
//
//   bench_e2e --dir /big/tmp                       # 512x320, 49 frames
//   bench_e2e --dir /big/tmp -W 256 -H 160 -f 9    # a quick check that everything runs
//
// It writes a complete model folder (e2e_model_folder.h: the transformer and Gemma 3 12B as Q4_K
// GGUFs, the text projection, VAEs, vocoder and upsampler as bf16 safetensors; ~20 GB), drops
// every file from the page cache so the run pays the first read from storage as a first run
// would, then runs `ltx2` (distilled pipeline, fixed prompt and seed, MP4 into the folder) as a
// child process with `--progress json --progress-fd 3` (docs/PROGRESS.md). It reports each
// stage's time, the denoising steps, wall time, peak RSS (ltx2's `done` event), the machine line
// `ltx2 --version` prints and the thread count; then a PROJECTION of the same generation at
// 768x512x121 (or the --project sizes) from these measurements: a denoising step as fixed +
// r x transformer GFLOP (attention's quadratic terms included), both fitted to the two measured
// stages; the upsampler and decoders scaled by their voxels; the rest constant (details in
// e2e_projection.h; printed with the result).
// `--json` prints every figure as one JSON object instead. The model files and the MP4 are
// deleted afterwards unless --keep (which also reuses files already in --dir).
#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <map>
#include <sstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bench_util.h"
#include "core/error.h"
#include "e2e_model_folder.h"
#include "e2e_projection.h"
#include "manifest_bench.h"
#include "models/model_version.h"
#include "models/transformer/config.h"
#include "page_cache.h"
#include "progress_child.h"

namespace fs = std::filesystem;
using namespace ltx2;
using namespace ltx2::bench;
using json = nlohmann::json;

namespace {

constexpr const char* kPrompt =
    "A red tram crosses an old stone bridge over a wide river at sunset, seagulls circling above, its bell ringing.";
constexpr int kSeed = 42;

struct Options {
    std::string dir = (fs::temp_directory_path() / "ltx2-bench-e2e").string();
    std::string ltx2 = LTX2_BINARY;
    GenerationSize size{512, 320, 49};
    std::vector<GenerationSize> targets;  // to project to
    int threads = 0;
    double memory_budget_gib = 0;
    bool keep = false, json = false, profile_ops = false;
};

// `ltx2 --version`'s line naming the CPU, the kernels' paths and the threads.
std::string machine_line(const std::string& ltx2) {
    FILE* p = ::popen(fmt::format("'{}' --version 2>&1", ltx2).c_str(), "r");
    LTX2_CHECK(p != nullptr, "--ltx2 {}: cannot run it", ltx2);
    std::string line, machine;
    char buf[512];
    while (std::fgets(buf, sizeof buf, p)) {
        line = buf;
        if (line.starts_with("CPU:")) machine = line.substr(0, line.find_last_not_of("\n") + 1);
    }
    const int rc = ::pclose(p);
    LTX2_CHECK(rc == 0 && !machine.empty(), "--ltx2 {}: `--version` failed or printed no 'CPU:' line (got: {})", ltx2,
               line);
    return machine;
}

TransformerConfig transformer_config() {
    const std::string path = std::string(LTX2_SOURCE_DIR) + "/tests/golden/manifest/transformer.json";
    const json config = manifest_config(read_manifest(path));
    return parse_transformer_config(config, path, model_semantics(std::nullopt, config, path));
}

std::vector<std::string> ltx2_command(const Options& o, const E2eModelFiles& files, const std::string& mp4) {
    std::vector<std::string> argv = {o.ltx2, "--pipeline", "distilled"};
    for (const std::string& a : files.ltx2_options()) argv.push_back(a);
    for (const std::string& a :
         {std::string("-p"), std::string(kPrompt), std::string("--seed"), std::to_string(kSeed), std::string("-W"),
          std::to_string(o.size.width), std::string("-H"), std::to_string(o.size.height), std::string("-f"),
          std::to_string(o.size.frames), std::string("-o"), mp4, std::string("--progress"), std::string("json"),
          std::string("--progress-fd"), std::to_string(kProgressFd)})
        argv.push_back(a);
    if (o.threads > 0) argv.insert(argv.end(), {"--threads", std::to_string(o.threads)});
    if (o.memory_budget_gib > 0) argv.insert(argv.end(), {"--memory-budget", fmt::format("{}", o.memory_budget_gib)});
    return argv;
}

// What the events say: the stages (from `done`), each denoising stage's steps, the end.
struct RunRecord {
    std::vector<std::pair<std::string, double>> stages;
    std::vector<double> rss_after;  // GiB, from stage_end, in the same order
    std::map<std::string, MeasuredDenoise> denoise;
    json done;
};

class EventReader {
public:
    void operator()(const json& e) {
        const std::string event = e.value("event", "");
        const double at = e.value("elapsed_s", 0.0);
        if (event == "stage_begin") {
            last_elapsed_[e.at("stage").get<std::string>()] = at;
            std::fprintf(stderr, "[%7.1f s] %s %s\n", at, e.at("stage").get<std::string>().c_str(),
                         e.value("detail", "").c_str());
        } else if (event == "stage_end") {
            rss_.push_back(e.value("rss_gib", 0.0));
            std::fprintf(stderr, "[%7.1f s]   %s: %.2f s, RSS %.2f GiB\n", at, e.at("stage").get<std::string>().c_str(),
                         e.value("seconds", 0.0), e.value("rss_gib", 0.0));
        } else if (event == "step") {
            const std::string name = e.at("stage");  // "stage1"
            const std::string stage = "denoise " + name;
            MeasuredDenoise& d = record_.denoise[stage];
            d.stage = std::stoi(name.substr(name.find_first_of("0123456789")));
            d.step_seconds.push_back(at - last_elapsed_[stage]);
            last_elapsed_[stage] = at;
            std::fprintf(stderr, "[%7.1f s]   %s step %d/%d: %.2f s\n", at, name.c_str(), e.value("step", 0),
                         e.value("steps", 0), d.step_seconds.back());
        } else if (event == "note") {
            std::fprintf(stderr, "[%7.1f s]   note: %s\n", at, e.value("message", "").c_str());
        } else if (event == "error") {
            std::fprintf(stderr, "ltx2 error event: %s\n", e.dump().c_str());
        } else if (event == "done") {
            record_.done = e;
        }
    }

    RunRecord finish(const ProgressRun& run, const std::string& ltx2) {
        if (run.exit_code != 0 || record_.done.is_null()) {
            std::string why = "no `done` event";
            for (const json& e : run.events)
                if (e.value("event", "") == "error")
                    why = fmt::format("stage {}: {}", e.value("stage", json()).dump(), e.value("message", ""));
            fail("{} exited with {} ({})", ltx2, run.exit_code, why);
        }
        for (const json& s : record_.done.at("stages")) {
            record_.stages.emplace_back(s.at("stage").get<std::string>(), s.at("seconds").get<double>());
            if (auto it = record_.denoise.find(record_.stages.back().first); it != record_.denoise.end())
                it->second.seconds = record_.stages.back().second;
        }
        record_.rss_after = rss_;
        return record_;
    }

private:
    RunRecord record_;
    std::map<std::string, double> last_elapsed_;
    std::vector<double> rss_;
};

std::string size_text(const GenerationSize& s) {
    return fmt::format("{}x{}, {} frames at {} fps (stage 1: {} video tokens, stage 2: {}; {} audio tokens)", s.width,
                       s.height, s.frames, s.fps, s.video_tokens(1), s.video_tokens(2), s.audio_tokens());
}

constexpr const char* kMethod =
    "denoising step = fixed + r x GFLOP of one transformer call (48 x block_gflop at the stage's video and audio "
    "tokens, 1024 context tokens, attention's quadratic terms included), fixed and r fitted to the two measured "
    "stages' median step times; each stage's remainder (text K/V cache, first cold read) kept; the upsampler scaled "
    "by stage-1 latent voxels, video decode and MP4 writing by pixels x frames, audio decode by audio latent "
    "frames; everything else (files, loading, prompt encoding) constant";

struct Projection {
    GenerationSize size;
    std::vector<ProjectedStage> stages;
    double total_s = 0;
};

// Everything the run measured and what it projects.
struct Result {
    std::string machine, threads, command;
    json model_files = json::array();
    double model_bytes = 0, write_s = 0, wall_s = 0;
    RunRecord rec;
    StepFit fit;
    std::vector<Projection> projections;
};

json size_json(const GenerationSize& s) { return {{"width", s.width}, {"height", s.height}, {"frames", s.frames}}; }

void print_json(const Options& o, const TransformerConfig& config, const Result& r) {
    json stages = json::array(), steps = json::object(), projections = json::array();
    for (size_t i = 0; i < r.rec.stages.size(); ++i)
        stages.push_back({{"stage", r.rec.stages[i].first},
                          {"seconds", r.rec.stages[i].second},
                          {"rss_gib_after", i < r.rec.rss_after.size() ? json(r.rec.rss_after[i]) : json()}});
    for (const auto& [name, d] : r.rec.denoise)
        steps[name] = {{"step_seconds", d.step_seconds}, {"median_s", d.median_step()}, {"remainder_s", d.remainder()},
                       {"video_tokens", o.size.video_tokens(d.stage)}, {"call_gflop", call_gflop(config, o.size, d.stage)}};
    for (const Projection& p : r.projections) {
        json rows = json::array();
        for (const ProjectedStage& s : p.stages)
            rows.push_back({{"stage", s.stage}, {"measured_s", s.measured_s}, {"projected_s", s.projected_s},
                            {"rule", s.rule}});
        projections.push_back({{"size", size_json(p.size)}, {"stages", rows}, {"total_seconds", p.total_s}});
    }
    const json out = {
        {"machine", r.machine},
        {"threads", r.threads},
        {"ltx2", o.ltx2},
        {"command", r.command},
        {"size", size_json(o.size)},
        {"model_files", r.model_files},
        {"model_files_gib", gib(r.model_bytes)},
        {"write_seconds", r.write_s},
        {"page_cache_dropped", true},
        {"stages", stages},
        {"denoise_steps", steps},
        {"ltx2_seconds", r.rec.done.at("seconds")},
        {"wall_seconds", r.wall_s},
        {"peak_rss_gib", r.rec.done.at("peak_rss_gib")},
        {"projections_are_not_measurements", true},
        {"projection_method", kMethod},
        {"projection_fit",
         {{"fixed_s", r.fit.fixed_s}, {"s_per_gflop", r.fit.s_per_gflop}, {"through_origin", r.fit.through_origin}}},
        {"projections", projections},
    };
    std::printf("%s\n", out.dump(2).c_str());
}

void print_text(const Options& o, const TransformerConfig& config, const Result& r) {
    const RunRecord& rec = r.rec;
    std::printf("bench_e2e: full-size random-weight LTX-2 (19B) distilled generation through ltx2\n");
    std::printf("machine: %s\nthreads: %s\n", r.machine.c_str(), r.threads.c_str());
    std::printf("model files: %.2f GiB (transformer + Gemma Q4_K GGUF, the rest bf16), written in %.0f s, dropped "
                "from the page cache before the run: first reads from storage are part of the times\n",
                gib(r.model_bytes), r.write_s);
    std::printf("command: %s\n", r.command.c_str());
    std::printf("size: %s\n\n", size_text(o.size).c_str());
    std::printf("%-20s %10s %14s\n", "stage", "seconds", "RSS after GiB");
    for (size_t i = 0; i < rec.stages.size(); ++i)
        std::printf("%-20s %10.2f %14.2f\n", rec.stages[i].first.c_str(), rec.stages[i].second,
                    i < rec.rss_after.size() ? rec.rss_after[i] : 0.0);
    std::printf("%-20s %10.2f\n%-20s %10.2f\n", "ltx2 total", rec.done.at("seconds").get<double>(), "wall (process)",
                r.wall_s);
    std::printf("peak RSS: %.2f GiB\n\n", rec.done.at("peak_rss_gib").get<double>());
    for (const auto& [name, d] : rec.denoise) {
        std::printf("%s: %zu steps at %lld video tokens (%.0f GFLOP per call), median %.2f s/step, remainder %.2f s;"
                    " steps:",
                    name.c_str(), d.step_seconds.size(), (long long)o.size.video_tokens(d.stage),
                    call_gflop(config, o.size, d.stage), d.median_step(), d.remainder());
        for (double s : d.step_seconds) std::printf(" %.2f", s);
        std::printf("\n");
    }
    std::printf("step fit: %.2f s fixed + %.4f s/GFLOP (%.0f GFLOP/s effective)%s\n", r.fit.fixed_s,
                r.fit.s_per_gflop, 1.0 / r.fit.s_per_gflop,
                r.fit.through_origin ? " [two-point fit not physical on this run: fixed set to 0, fitted through 0]"
                                     : "");
    std::printf("projection method: %s\n", kMethod);
    for (const Projection& p : r.projections) {
        std::printf("\nPROJECTION (not measured) for %s, distilled:\n", size_text(p.size).c_str());
        std::printf("%-20s %10s %12s  %s\n", "stage", "measured", "projected", "rule");
        for (const ProjectedStage& s : p.stages)
            std::printf("%-20s %10.2f %12.1f  %s\n", s.stage.c_str(), s.measured_s, s.projected_s, s.rule.c_str());
        std::printf("%-20s %10.2f %12.1f  (%.1f min)\n", "total", rec.done.at("seconds").get<double>(), p.total_s,
                    p.total_s / 60);
    }
}

int run(const Options& o) {
    Result r;
    r.machine = machine_line(o.ltx2);
    r.threads = o.threads > 0 ? std::to_string(o.threads) : "ltx2's default (all cores)";
    const TransformerConfig config = transformer_config();
    const fs::path dir(o.dir);

    const auto t_write = Clock::now();
    const E2eModelFiles files = write_e2e_model_folder(dir, o.keep);
    r.write_s = seconds_since(t_write);
    for (const std::string& f : files.all()) {
        evict(f);
        r.model_bytes += double(fs::file_size(f));
        r.model_files.push_back({{"path", f}, {"gib", gib(double(fs::file_size(f)))}});
    }

    const std::string mp4 = (dir / "bench-e2e.mp4").string();
    fs::remove(mp4);
    const std::vector<std::string> argv = ltx2_command(o, files, mp4);
    for (const std::string& a : argv) r.command += (r.command.empty() ? "" : " ") + fmt::format("'{}'", a);
    std::fprintf(stderr, "running: %s 3>pipe\n", r.command.c_str());

    EventReader reader;
    std::vector<std::pair<std::string, std::string>> env;
    if (o.profile_ops) env.emplace_back("LTX2_PROFILE_OPS", "1");
    const auto t_run = Clock::now();
    const ProgressRun progress = run_with_progress(argv, env, std::ref(reader));
    r.wall_s = seconds_since(t_run);
    r.rec = reader.finish(progress, o.ltx2);

    for (const char* stage : {"denoise stage1", "denoise stage2"})
        LTX2_CHECK(r.rec.denoise.contains(stage) && r.rec.denoise.at(stage).seconds > 0,
                   "{}: its progress events have no steps or no stage '{}', which the distilled pipeline runs",
                   o.ltx2, stage);
    r.fit = fit_step_time(config, o.size, r.rec.denoise.at("denoise stage1"), r.rec.denoise.at("denoise stage2"));
    for (const GenerationSize& target : o.targets) {
        Projection p{target, project_stages(r.rec.stages, r.rec.denoise, config, r.fit, o.size, target)};
        for (const ProjectedStage& s : p.stages) p.total_s += s.projected_s;
        r.projections.push_back(p);
    }

    if (!o.keep) {
        for (const std::string& f : files.all()) fs::remove(f);
        fs::remove(mp4);
        std::error_code ec;
        fs::remove(dir, ec);  // only when empty
    }
    if (o.json)
        print_json(o, config, r);
    else
        print_text(o, config, r);
    return 0;
}

// "768x512x121" -> the size; throws naming --project otherwise.
GenerationSize parse_size(const std::string& text) {
    GenerationSize s;
    char x1 = 0, x2 = 0;
    std::istringstream in(text);
    in >> s.width >> x1 >> s.height >> x2 >> s.frames;
    LTX2_CHECK(in && in.eof() && x1 == 'x' && x2 == 'x', "--project {}: expected WIDTHxHEIGHTxFRAMES, e.g. 768x512x121",
               text);
    return s;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"full-size random-weight LTX-2 distilled generation through ltx2: time per stage, peak RSS, and a "
                 "projection to 768x512x121",
                 "bench_e2e"};
    Options o;
    std::vector<std::string> projections = {"768x512x121"};
    app.add_option("--dir", o.dir, "folder for the ~20 GB of model files and the MP4 (local disk)")->capture_default_str();
    app.add_option("--ltx2", o.ltx2, "the ltx2 program to run")->capture_default_str();
    app.add_option("-W,--width", o.size.width, "width in pixels, a multiple of 64")->capture_default_str();
    app.add_option("-H,--height", o.size.height, "height in pixels, a multiple of 64")->capture_default_str();
    app.add_option("-f,--frames", o.size.frames, "frames, 8k+1")->capture_default_str();
    app.add_option("--project", projections, "WIDTHxHEIGHTxFRAMES to project the measured run to; repeatable")
        ->capture_default_str();
    app.add_option("-t,--threads", o.threads, "passed to ltx2 --threads [ltx2's default: all cores]");
    app.add_option("--memory-budget", o.memory_budget_gib, "passed to ltx2 --memory-budget (GiB) [ltx2's default]");
    app.add_flag("--keep", o.keep, "keep the model files and the MP4, and reuse model files already in --dir");
    app.add_flag("--json", o.json, "print every figure as one JSON object");
    app.add_flag("--profile-ops", o.profile_ops, "run ltx2 with LTX2_PROFILE_OPS=1 (its op profile goes to stderr)");
    CLI11_PARSE(app, argc, argv);
    try {
        for (const std::string& p : projections) o.targets.push_back(parse_size(p));
        std::vector<const GenerationSize*> sizes = {&o.size};
        for (const GenerationSize& t : o.targets) sizes.push_back(&t);
        for (const GenerationSize* s : sizes)
            LTX2_CHECK(s->width % 64 == 0 && s->height % 64 == 0 && s->width > 0 && s->height > 0 &&
                           s->frames % 8 == 1,
                       "size {}x{}x{}: expected width and height multiples of 64 (the distilled pipeline upsamples "
                       "x2) and 8k+1 frames",
                       s->width, s->height, s->frames);
        return run(o);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_e2e: %s\n", e.what());
        return 1;
    }
}
