#include "app/model_locator.h"

#include <fmt/format.h>

#include <vector>

#include "app/gemma_folder.h"
#include "app/weights_guide.h"
#include "core/error.h"
#include "io/weight_store.h"
#include "models/model_version.h"
#include "pipelines/model_files.h"

namespace ltx2::app {

namespace fs = std::filesystem;

CheckpointPrecision parse_checkpoint_precision(std::string_view name) {
    if (name == "auto") return CheckpointPrecision::Auto;
    if (name == "bf16") return CheckpointPrecision::BF16;
    if (name == "fp8") return CheckpointPrecision::FP8;
    fail("unknown checkpoint precision '{}': expected auto, bf16 or fp8", name);
}

namespace {

enum class Role { Checkpoint, Gemma, SpatialUpsampler, DistilledLora, IcLora };

bool uses_distilled_checkpoint(Pipeline p) {
    return p == Pipeline::Distilled || p == Pipeline::ICLora || p == Pipeline::Retake;
}

std::vector<Role> roles_needed(Pipeline p) {
    switch (p) {
        case Pipeline::Distilled: return {Role::Checkpoint, Role::SpatialUpsampler, Role::Gemma};
        case Pipeline::OneStage:
        case Pipeline::Retake:
        case Pipeline::RetakeGuided: return {Role::Checkpoint, Role::Gemma};
        case Pipeline::TwoStage:
        case Pipeline::KeyframeInterpolation:
        case Pipeline::AudioToVideo: return {Role::Checkpoint, Role::SpatialUpsampler, Role::DistilledLora, Role::Gemma};
        case Pipeline::ICLora: return {Role::Checkpoint, Role::SpatialUpsampler, Role::Gemma, Role::IcLora};
    }
    return {};
}

std::string role_title(Role role, Pipeline p) {
    switch (role) {
        case Role::Checkpoint: return uses_distilled_checkpoint(p) ? "distilled checkpoint" : "dev checkpoint";
        case Role::Gemma: return "Gemma 3 12B text encoder";
        case Role::SpatialUpsampler: return "spatial upsampler";
        case Role::DistilledLora: return "distilled LoRA";
        case Role::IcLora: return "IC-LoRA";
    }
    return "?";
}

const char* role_option(Role role) {
    switch (role) {
        case Role::Checkpoint: return kCheckpointOption;
        case Role::Gemma: return kGemmaOption;
        case Role::SpatialUpsampler: return kSpatialUpsamplerOption;
        case Role::DistilledLora: return kDistilledLoraOption;
        case Role::IcLora: return kIcLoraOption;
    }
    return "?";
}

// The files of one LTX release in Lightricks' repositories, newest release first.
struct LtxRelease {
    const char* repo;
    const char* fp8_repo;                     // where the -fp8 checkpoints are published
    std::vector<std::string> dev, distilled;  // checkpoint base names, preferred first
    std::vector<std::string> spatial_upsamplers;       // x2, the pipelines' default
    std::vector<std::string> spatial_upsamplers_x1_5;  // --spatial-upscale x1.5 (none in some releases)
    std::vector<std::string> distilled_loras;

    const char* repo_of(const std::string& file) const { return file.ends_with("-fp8.safetensors") ? fp8_repo : repo; }
};

const std::vector<LtxRelease>& ltx_releases() {
    static const std::vector<LtxRelease> kReleases = {
        {kLtx23Repo,
         kLtx23Fp8Repo,
         {"ltx-2.3-22b-dev"},
         {"ltx-2.3-22b-distilled-1.1", "ltx-2.3-22b-distilled"},
         {"ltx-2.3-spatial-upscaler-x2-1.1.safetensors", "ltx-2.3-spatial-upscaler-x2-1.0.safetensors"},
         {"ltx-2.3-spatial-upscaler-x1.5-1.0.safetensors"},
         {"ltx-2.3-22b-distilled-lora-384-1.1.safetensors", "ltx-2.3-22b-distilled-lora-384.safetensors"}},
        {kLtxRepo,
         kLtxRepo,
         {"ltx-2-19b-dev"},
         {"ltx-2-19b-distilled"},
         {"ltx-2-spatial-upscaler-x2-1.0.safetensors"},
         {},
         {"ltx-2-19b-distilled-lora-384.safetensors"}},
    };
    return kReleases;
}

// The file names of `release` that can fill a role, in order of preference.
std::vector<std::string> ltx_file_names(Role role, const ModelLocateRequest& request, const LtxRelease& release) {
    const CheckpointPrecision precision = request.precision;
    switch (role) {
        case Role::Checkpoint: {
            std::vector<std::string> names;
            for (const std::string& base : uses_distilled_checkpoint(request.pipeline) ? release.distilled : release.dev) {
                if (precision != CheckpointPrecision::FP8) names.push_back(base + ".safetensors");
                if (precision != CheckpointPrecision::BF16) names.push_back(base + "-fp8.safetensors");
            }
            return names;
        }
        case Role::SpatialUpsampler:
            return request.spatial_upscale == kUpscaleX1_5 ? release.spatial_upsamplers_x1_5
                                                            : release.spatial_upsamplers;
        case Role::DistilledLora: return release.distilled_loras;
        default: return {};
    }
}

std::optional<LocatedModel>& slot(LocatedModels& models, Role role) {
    switch (role) {
        case Role::Checkpoint: return models.checkpoint;
        case Role::Gemma: return models.gemma;
        case Role::SpatialUpsampler: return models.spatial_upsampler;
        case Role::DistilledLora: return models.distilled_lora;
        case Role::IcLora: return models.ic_lora;
    }
    return models.checkpoint;
}

const std::optional<fs::path>& explicit_path(const ExplicitModelPaths& paths, Role role) {
    switch (role) {
        case Role::Checkpoint: return paths.checkpoint;
        case Role::Gemma: return paths.gemma;
        case Role::SpatialUpsampler: return paths.spatial_upsampler;
        case Role::DistilledLora: return paths.distilled_lora;
        case Role::IcLora: return paths.ic_lora;
    }
    return paths.checkpoint;
}

// Why `p` is not a usable file: "missing", "broken link", "a folder".
std::string why_not_a_file(const fs::path& p) {
    std::error_code ec;
    if (fs::is_symlink(fs::symlink_status(p, ec)) && !fs::exists(p, ec)) return "broken link: its blob is missing";
    if (fs::is_directory(p, ec)) return "a folder, not a file";
    return "missing";
}

bool is_file(const fs::path& p) {
    std::error_code ec;
    return fs::is_regular_file(p, ec);
}

bool is_gguf(const fs::path& p) { return p.extension() == ".gguf"; }

// "incomplete: missing a, b" for a Gemma folder, or empty when complete.
std::string gemma_folder_problem(const fs::path& dir) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) return why_not_a_file(dir) == "missing" ? "missing" : "not a folder";
    const auto missing = gemma_folder_missing_files(dir);
    if (missing.empty()) return {};
    return fmt::format("incomplete: missing {}", fmt::join(missing, ", "));
}

// One role's search: where it was found, or every place looked at and why each failed.
struct Search {
    std::optional<LocatedModel> found;
    std::vector<std::string> looked_at;
    std::optional<std::string> explicit_problem;

    void consider_file(const fs::path& p, ModelSource source, const std::string& origin) {
        if (found) return;
        if (is_file(p))
            found = LocatedModel{p, source, origin};
        else
            looked_at.push_back(fmt::format("{} ({})", p.string(), why_not_a_file(p)));
    }
    void consider_gemma_folder(const fs::path& dir, ModelSource source, const std::string& origin) {
        if (found) return;
        const std::string problem = gemma_folder_problem(dir);
        if (problem.empty())
            found = LocatedModel{dir, source, origin};
        else
            looked_at.push_back(fmt::format("{} ({})", dir.string(), problem));
    }
};

// Where the model directory comes from: --model-dir, else $LTX2_MODEL_DIR (an explicit file
// option still wins over it, file by file).
struct ModelDir {
    fs::path path;
    const char* source;  // kModelDirOption or kModelDirEnv
};

std::optional<ModelDir> model_dir_of(const ModelLocateRequest& request) {
    if (request.model_dir) return ModelDir{*request.model_dir, kModelDirOption};
    if (const auto value = env_value(request.env, kModelDirEnv); value && !value->empty())
        return ModelDir{*value, kModelDirEnv};
    return std::nullopt;
}

class Locator {
public:
    explicit Locator(const ModelLocateRequest& request) : request_(request), model_dir_(model_dir_of(request)) {
        try {
            cache_root_ = hf_cache_root(request.env);
        } catch (const Error& e) {
            cache_problem_ = e.what();
        }
    }

    // Checkpoints are searched release by release (newest first); the other files come from the
    // release of the checkpoint found, so a bundle never mixes releases.
    Search search(Role role, const LtxRelease& release) const {
        Search s;
        if (const auto& given = explicit_path(request_.explicit_paths, role)) {
            check_explicit(role, *given, s);
            return s;
        }
        if (role == Role::IcLora) {  // given explicitly, or the request's default (the demo's)
            if (request_.default_ic_lora)
                s.consider_file(*request_.default_ic_lora, ModelSource::ModelDir, request_.default_ic_lora_origin);
            return s;
        }
        if (role == Role::Gemma) {
            search_gemma(s);
            return s;
        }
        const auto names = ltx_file_names(role, request_, release);
        if (model_dir_)
            for (const auto& name : names)
                s.consider_file(model_dir_->path / name, ModelSource::ModelDir, model_dir_origin());
        for (const auto& name : names) search_cache(release.repo_of(name), name, s);
        return s;
    }

private:
    std::string model_dir_origin() const { return fmt::format("{} {}", model_dir_->source, model_dir_->path.string()); }

    void check_explicit(Role role, const fs::path& given, Search& s) const {
        const std::string option = role_option(role);
        std::error_code ec;
        if (!fs::exists(given, ec)) {
            s.explicit_problem = fmt::format("{} {}: no such file or folder", option, given.string());
        } else if (role == Role::Gemma && !is_gguf(given)) {
            const std::string problem = gemma_folder_problem(given);
            if (problem.empty())
                s.found = LocatedModel{given, ModelSource::ExplicitPath, option};
            else
                s.explicit_problem = fmt::format(
                    "{} {}: expected a Gemma folder (config.json, tokenizer.json, model shards) or a .gguf file: {}",
                    option, given.string(), problem);
        } else if (!is_file(given)) {
            s.explicit_problem = fmt::format("{} {}: {}", option, given.string(), why_not_a_file(given));
        } else {
            s.found = LocatedModel{given, ModelSource::ExplicitPath, option};
        }
    }

    void search_gemma(Search& s) const {
        if (model_dir_) {
            const fs::path& dir = model_dir_->path;
            for (const char* sub : {"gemma-3-12b-it", "gemma-3-12b-it-qat-q4_0-unquantized", "gemma"})
                s.consider_gemma_folder(dir / sub, ModelSource::ModelDir, model_dir_origin());
            if (!s.found) {
                if (is_gemma_config(dir / "config.json"))
                    s.consider_gemma_folder(dir, ModelSource::ModelDir, model_dir_origin());
                else
                    s.looked_at.push_back(fmt::format("{} ({})", (dir / "config.json").string(),
                                                      is_file(dir / "config.json") ? "not a Gemma config" : "missing"));
            }
        }
        for (const char* repo : {kGemmaRepo, kGemmaQatRepo}) search_cache(repo, "", s);
    }

    // Looks for `file` (or, when empty, a complete Gemma folder) in the repo's snapshots.
    void search_cache(const std::string& repo, const std::string& file, Search& s) const {
        if (s.found) return;
        if (!cache_root_) {
            s.looked_at.push_back(fmt::format("the Hugging Face cache ({})", cache_problem_));
            return;
        }
        const fs::path repo_folder = hf_repo_folder(*cache_root_, repo);
        const auto snapshots = hf_snapshots_in_search_order(repo_folder);
        if (snapshots.empty()) {
            const fs::path any_snapshot = repo_folder / "snapshots" / "*";
            s.looked_at.push_back(
                fmt::format("{} (no snapshots)", (file.empty() ? any_snapshot : any_snapshot / file).string()));
            return;
        }
        const auto main = hf_read_ref(repo_folder, "main");
        for (const auto& snapshot : snapshots) {
            const std::string commit = snapshot.filename().string();
            const std::string origin =
                fmt::format("HF cache {} snapshot {}{}", repo, commit, main && *main == commit ? " (refs/main)" : "");
            if (file.empty())
                s.consider_gemma_folder(snapshot, ModelSource::HfCache, origin);
            else
                s.consider_file(snapshot / file, ModelSource::HfCache, origin);
        }
    }

    const ModelLocateRequest& request_;
    std::optional<ModelDir> model_dir_;
    std::optional<fs::path> cache_root_;
    std::string cache_problem_;
};

// An explicit checkpoint's release, from its model_version.
// A file that cannot be read as a checkpoint is judged by its name (loading it reports why).
const LtxRelease& release_of_checkpoint(const fs::path& path) {
    bool ltx23 = path.filename().string().find("ltx-2.3") != std::string::npos;
    try {
        if (path.extension() == ".safetensors" || is_gguf(path))
            if (const auto generation = ltx_file_generation(path.string()))
                ltx23 = *generation != ModelGeneration::Ltx2;  // 2.5: the newest release's names
    } catch (const Error&) {
    }
    return ltx23 ? ltx_releases().front() : ltx_releases().back();
}

std::string fetch_hint(Role role, const ModelLocateRequest& request, const LtxRelease& release) {
    if (role == Role::IcLora) return fmt::format("give the IC-LoRA file with {} PATH", kIcLoraOption);
    if (role == Role::Gemma)
        return fmt::format(
            "fetch it: ltx2 download {0}\n"
            "      or: hf download {0}\n"
            "      (a gated model: accept its license on https://huggingface.co/{0} and set HF_TOKEN)",
            kGemmaRepo);
    const std::vector<std::string> names = ltx_file_names(role, request, release);
    if (names.empty())
        return fmt::format("the {} release has no {} {}; give one with {} PATH", release.repo,
                           request.spatial_upscale ? request.spatial_upscale->label() : kUpscaleX2.label(),
                           role_title(role, request.pipeline), role_option(role));
    const std::string& file = names.front();
    return fmt::format("fetch it: ltx2 download {0} {1}\n      or: hf download {0} {1}", release.repo_of(file), file);
}

// `release` gives the hint; the names listed are those of `release`, or of every release for a
// checkpoint found in none.
std::string describe_missing(Role role, const ModelLocateRequest& request, const Search& s,
                             const LtxRelease& release) {
    const Pipeline p = request.pipeline;
    if (s.explicit_problem) return fmt::format("  - {}: {}\n", role_title(role, p), *s.explicit_problem);
    std::string what = role_title(role, p);
    std::vector<std::string> names;
    for (const LtxRelease& r : ltx_releases())
        if (&r == &release || role == Role::Checkpoint)
            for (const std::string& n : ltx_file_names(role, request, r)) names.push_back(n);
    if (!names.empty()) what += fmt::format(" ({})", fmt::join(names, " or "));
    std::string text =
        fmt::format("  - {}, needed by the {} pipeline (option {} PATH)\n", what, ltx2::pipeline_name(p), role_option(role));
    if (!s.looked_at.empty()) {
        text += "      looked at:\n";
        for (const auto& place : s.looked_at) text += fmt::format("        {}\n", place);
    }
    std::string hint = fetch_hint(role, request, release);
    text += "      ";
    for (char c : hint) {
        text += c;
        if (c == '\n') text += "      ";
    }
    return text + "\n";
}

}  // namespace

std::string LocatedModels::describe() const {
    std::string text;
    auto line = [&](const char* role, const std::optional<LocatedModel>& m) {
        if (m) text += fmt::format("{:<18} {}  (from {})\n", role, m->path.string(), m->origin);
    };
    line("checkpoint", checkpoint);
    line("gemma", gemma);
    line("spatial upsampler", spatial_upsampler);
    line("distilled LoRA", distilled_lora);
    line("IC-LoRA", ic_lora);
    return text;
}

LocatedModels locate_models(const ModelLocateRequest& request) {
    if (const auto dir = model_dir_of(request)) {
        std::error_code ec;
        LTX2_CHECK(fs::is_directory(dir->path, ec), "{} {}: no such folder{}", dir->source, dir->path.string(),
                   dir->source == kModelDirEnv ? " (the environment variable names the model folder when no "
                                                 "--model-dir is given: fix it or unset it)"
                                               : "");
    }
    const Locator locator(request);
    // The checkpoint decides the release: the newest release whose checkpoint is found, or for an
    // explicit file the release its model_version names. Every other file comes from that release.
    Search checkpoint;
    std::vector<std::string> looked_at;
    const LtxRelease* release = &ltx_releases().front();
    const ExplicitModelPaths& given = request.explicit_paths;
    const bool bundle = !given.checkpoint && given.holds_every_part();
    if (bundle) release = &release_of_checkpoint(*given.transformer);
    for (const LtxRelease& r : ltx_releases()) {
        if (bundle) break;
        checkpoint = locator.search(Role::Checkpoint, r);
        if (checkpoint.found || checkpoint.explicit_problem) {
            release = &r;
            break;
        }
        looked_at.insert(looked_at.end(), checkpoint.looked_at.begin(), checkpoint.looked_at.end());
    }
    if (!checkpoint.found) checkpoint.looked_at = looked_at;  // not found in any release: report every place
    if (checkpoint.found && checkpoint.found->source == ModelSource::ExplicitPath)
        release = &release_of_checkpoint(checkpoint.found->path);

    LocatedModels models;
    std::string missing;
    bool weights_missing = false;  // an official file was searched for and not found
    for (Role role : roles_needed(request.pipeline)) {
        if (role == Role::Checkpoint && bundle) continue;
        Search s = role == Role::Checkpoint ? std::move(checkpoint) : locator.search(role, *release);
        if (s.found) {
            slot(models, role) = std::move(s.found);
        } else {
            missing += describe_missing(role, request, s, *release);
            weights_missing = weights_missing || (!s.explicit_problem && role != Role::IcLora);
        }
    }
    if (!missing.empty())
        fail("cannot find the model files the {} pipeline needs:\n{}{}", ltx2::pipeline_name(request.pipeline), missing,
             weights_missing ? "\n" + missing_weights_guide() : "");
    return models;
}

}  // namespace ltx2::app
