#include "app/progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/memory_stats.h"
#include "ltx2/version.h"

namespace ltx2 {

namespace {

double gib(uint64_t bytes) { return double(bytes) / (1024.0 * 1024.0 * 1024.0); }

std::string clock_text(double seconds) {
    const int s = int(seconds + 0.5);
    return s >= 3600 ? fmt::format("{}:{:02d}:{:02d}", s / 3600, s / 60 % 60, s % 60)
                     : fmt::format("{}:{:02d}", s / 60, s % 60);
}

}  // namespace

ProgressStyle parse_progress_style(const std::string& name) {
    if (name == "auto") return ProgressStyle::Auto;
    if (name == "plain") return ProgressStyle::Plain;
    if (name == "json") return ProgressStyle::Json;
    if (name == "none") return ProgressStyle::Quiet;
    fail("--progress: unknown style '{}' (choose auto, plain, json or none)", name);
}

ProgressReporter::ProgressReporter(ProgressStyle style, std::FILE* out, ProgressListener listener)
    : style_(style), out_(out), listener_(std::move(listener)), start_(Clock::now()), stage_start_(start_), steps_start_(start_) {
    tty_ = style_ == ProgressStyle::Auto && ::isatty(::fileno(out_));
    if (style_ == ProgressStyle::Auto) style_ = ProgressStyle::Plain;
}

double ProgressReporter::since(Clock::time_point t) const {
    return std::chrono::duration<double>(Clock::now() - t).count();
}

void ProgressReporter::tell(ProgressEvent event) {
    if (!listener_) return;
    event.elapsed_s = since(start_);
    listener_(event);
}

void ProgressReporter::emit_json(const std::string& event, nlohmann::json fields) {
    if (!started_) {
        started_ = true;
        emit_json("start", {{"schema_version", kProgressSchemaVersion},
                            {"program", "ltx2.cpp"},
                            {"version", LTX2_VERSION_STRING},
                            {"pid", int64_t(::getpid())}});
    }
    fields["event"] = event;
    fields["elapsed_s"] = since(start_);
    std::fprintf(out_, "%s\n", fields.dump().c_str());
    std::fflush(out_);
}

void ProgressReporter::begin(const std::string& stage, const std::string& detail) {
    stage_ = stage;
    stage_open_ = true;
    stage_start_ = Clock::now();
    tell({ProgressEvent::Kind::StageBegin, stage, detail});
    if (style_ == ProgressStyle::Quiet) return;
    if (style_ == ProgressStyle::Json) {
        emit_json("stage_begin", {{"stage", stage}, {"detail", detail}});
        return;
    }
    std::fprintf(out_, "[%s] %s%s%s\n", clock_text(since(start_)).c_str(), stage.c_str(), detail.empty() ? "" : ": ",
                 detail.c_str());
    std::fflush(out_);
}

void ProgressReporter::end() {
    const double s = since(stage_start_);
    stage_seconds_.emplace_back(stage_, s);
    stage_open_ = false;
    tell({ProgressEvent::Kind::StageEnd, stage_, "", 0, 0, s});
    if (style_ == ProgressStyle::Quiet) return;
    if (step_line_open_) {
        std::fprintf(out_, "\n");
        step_line_open_ = false;
    }
    if (style_ == ProgressStyle::Json) {
        emit_json("stage_end", {{"stage", stage_}, {"seconds", s}, {"rss_gib", gib(current_rss_bytes())}});
        return;
    }
    std::fprintf(out_, "[%s] %s done in %.1f s (resident %.2f GiB)\n", clock_text(since(start_)).c_str(),
                 stage_.c_str(), s, gib(current_rss_bytes()));
    std::fflush(out_);
}

void ProgressReporter::step(const std::string& stage, int done, int total) {
    if (done == 0) steps_start_ = Clock::now();
    const double per_step = done == 0 ? 0.0 : since(steps_start_) / done;
    tell({ProgressEvent::Kind::Step, stage, "", done, total, per_step});
    if (style_ == ProgressStyle::Quiet || done == 0) return;
    const double eta = per_step * (total - done);
    if (style_ == ProgressStyle::Json) {
        emit_json("step", {{"stage", stage}, {"step", done}, {"steps", total}, {"s_per_step", per_step}, {"eta_s", eta}});
        return;
    }
    const std::string line = fmt::format("  {} step {}/{}  {:.2f} s/step  ETA {}", stage, done, total, per_step,
                                         clock_text(eta));
    if (tty_) {
        std::fprintf(out_, "\r%s\033[K", line.c_str());
        step_line_open_ = done < total;
        if (!step_line_open_) std::fprintf(out_, "\n");
    } else {
        std::fprintf(out_, "%s\n", line.c_str());
    }
    std::fflush(out_);
}

void ProgressReporter::note(const std::string& message) {
    tell({ProgressEvent::Kind::Note, "", message});
    if (style_ == ProgressStyle::Quiet) return;
    if (style_ == ProgressStyle::Json) {
        emit_json("note", {{"message", message}});
        return;
    }
    std::fprintf(out_, "%s\n", message.c_str());
    std::fflush(out_);
}

void ProgressReporter::finish(const nlohmann::json& summary, const std::string& line) {
    if (style_ == ProgressStyle::Quiet) return;
    const double total = since(start_);
    if (style_ == ProgressStyle::Json) {
        nlohmann::json fields = summary;
        nlohmann::json stages = nlohmann::json::array();
        for (const auto& [stage, seconds] : stage_seconds_) stages.push_back({{"stage", stage}, {"seconds", seconds}});
        fields["stages"] = std::move(stages);
        fields["seconds"] = total;
        fields["peak_rss_bytes"] = peak_rss_bytes();
        fields["peak_rss_gib"] = gib(peak_rss_bytes());
        emit_json("done", std::move(fields));
        return;
    }
    std::fprintf(out_, "wrote %s in %.1f s; peak memory %.2f GiB\n", line.c_str(), total, gib(peak_rss_bytes()));
    std::fflush(out_);
}

void ProgressReporter::error(const std::string& message, int exit_code) {
    if (style_ != ProgressStyle::Json) return;
    if (step_line_open_) std::fprintf(out_, "\n");
    step_line_open_ = false;
    nlohmann::json fields = {{"message", message}, {"exit_code", exit_code}, {"stage", nullptr}};
    if (stage_open_) fields["stage"] = stage_;  // the stage it failed in
    emit_json("error", std::move(fields));
}

}  // namespace ltx2
