// pipeline.*: the five denoising pipelines on their goldens (tests/golden/pipeline/README.md,
// the 28c3c73 reference; tests/golden/ltx23_pipelines/README.md, the 400fd31 reference with
// LTX-2.3 models, whose io files name every model file in the metadata `files`).
// Everything runs from the in.* tensors and the metadata: the noise is drawn again from `seed`
// (and must equal in.*_noise exactly), the encoder stand-in answers each request the pipeline
// makes with the fixture's tensor for it, the transformers are the fixture's model file with
// the LoRAs the pipeline asks for, computed in float32.
#include <fmt/ranges.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <vector>

#include "core/error.h"
#include "diffusion/conditioning.h"
#include "diffusion/patchifiers.h"
#include "io/weight_store.h"
#include "parity/kinds.h"
#include "parity/pipeline_fixture.h"
#include "pipelines/model_loading.h"

namespace ltx2 {

namespace {

constexpr double kExact = 0.0;

bool two_stage_fixture(PipelineKind k) {
    return k == PipelineKind::TwoStage || k == PipelineKind::KeyframeInterpolation || k == PipelineKind::ICLora;
}

// Metadata `files`: the ltx23_pipelines fixtures' list of model files (relative paths, and the
// distilled LoRA's strength); empty for the older goldens.
nlohmann::json fixture_files(const ParityRun& run) {
    if (!run.has_meta("files")) return nlohmann::json::object();
    const nlohmann::json files = run.meta_json("files");
    LTX2_CHECK(files.is_object(), "{}: metadata 'files' must be an object, got {}", run.io_path(), files.dump());
    return files;
}

std::optional<std::string> fixture_file(const ParityRun& run, const char* role) {
    const nlohmann::json files = fixture_files(run);
    if (!files.contains(role)) return std::nullopt;
    LTX2_CHECK(files.at(role).is_string(), "{}: metadata files.{} must be a path, got {}", run.io_path(), role,
               files.at(role).dump());
    return run.sibling(files.at(role).get<std::string>());
}

// Tolerances, max |err| / max |ref|, as the fixture's README gives them.
struct Tolerances {
    double step_zero;     // step-0 predictions and latents, after_first_step
    double branch;        // the raw output of one guidance pass
    double later_steps;   // later steps and each stage's result from its stored inputs
    double end_to_end;    // the stages chained: the upsampled latent and stage 2
    double upsampled;     // the upsampler from the stored stage-1 latent
};

Tolerances fixture_tolerances(const ParityRun& run, PipelineKind kind) {
    if (!fixture_files(run).empty()) return {1e-5, 1e-5, 1e-4, 1e-4, 1e-5};  // ltx23_pipelines/README.md
    if (run.has_meta("ancestral_noise_seed")) return {1e-5, 1e-5, 1e-4, 1e-4, 1e-5};  // ltx25/pipeline/README.md
    // pipeline/README.md "Tolerances".
    constexpr double kOneEvaluation = 2e-5;  // step-0 tensors of the plain fixtures, raw guidance branches
    if (kind == PipelineKind::Distilled) return {kOneEvaluation, kOneEvaluation, 1e-4, 1e-4, 1e-5};
    const double step_zero = two_stage_fixture(kind) ? 5e-5 : kOneEvaluation;
    return {step_zero, kOneEvaluation, 5e-4, 1e-3, 1e-5};
}

}  // namespace

int64_t meta_int(const ParityRun& run, const std::string& key) {
    const nlohmann::json j = run.meta_json(key);
    LTX2_CHECK(j.is_number_integer(), "{}: metadata '{}' must be an integer, got {}", run.io_path(), key, j.dump());
    return j.get<int64_t>();
}

double meta_number(const ParityRun& run, const std::string& key) {
    const nlohmann::json j = run.meta_json(key);
    LTX2_CHECK(j.is_number(), "{}: metadata '{}' must be a number, got {}", run.io_path(), key, j.dump());
    return j.get<double>();
}

MultiModalGuiderParams guider_params(const ParityRun& run, const std::string& key) {
    const nlohmann::json j = run.meta_json(key);
    try {
        MultiModalGuiderParams p;
        p.cfg_scale = j.at("cfg_scale").get<double>();
        p.stg_scale = j.at("stg_scale").get<double>();
        p.rescale_scale = j.at("rescale_scale").get<double>();
        p.modality_scale = j.at("modality_scale").get<double>();
        p.skip_step = j.at("skip_step").get<int>();
        p.stg_blocks = j.at("stg_blocks").get<std::vector<int>>();
        return p;
    } catch (const nlohmann::json::exception& e) {
        fail("{}: metadata '{}' is not a guider parameter set: {}", run.io_path(), key, e.what());
    }
}

GenerationParams fixture_generation(const ParityRun& run, bool guided) {
    GenerationParams p;
    p.seed = uint64_t(meta_int(run, "seed"));
    p.height = meta_int(run, "height");
    p.width = meta_int(run, "width");
    p.num_frames = meta_int(run, "num_frames");
    p.frame_rate = meta_number(run, "frame_rate");
    if (guided) {
        p.num_inference_steps = int(meta_int(run, "num_inference_steps"));
        p.video_guider = guider_params(run, "video_guider_params");
        p.audio_guider = guider_params(run, "audio_guider_params");
    }
    return p;
}

namespace {

std::string item_path(const nlohmann::json& item) {
    if (item.contains("path")) return item.at("path").get<std::string>();
    return item.at("latent").get<std::string>();  // one_stage_cfg names its image by the latent only
}


GenerationParams fixture_params(const ParityRun& run, PipelineKind kind) {
    GenerationParams p = fixture_generation(run, is_guided(kind));
    try {
        for (const auto& im : run.meta_json("images"))
            p.images.push_back({item_path(im), im.at("frame_idx").get<int64_t>(), im.at("strength").get<double>()});
        if (run.has_meta("video_conditioning"))
            for (const auto& v : run.meta_json("video_conditioning"))
                p.video_conditioning.push_back({item_path(v), v.at("strength").get<double>()});
        if (run.has_meta("lora")) {
            const nlohmann::json l = run.meta_json("lora");
            LoraSpec spec{run.sibling(l.at("file").get<std::string>()), l.at("strength").get<double>()};
            (kind == PipelineKind::ICLora ? p.loras : p.distilled_loras).push_back(spec);
        }
        if (const auto lora = fixture_file(run, "distilled_lora"))
            p.distilled_loras.push_back({*lora, fixture_files(run).at("distilled_lora_strength").get<double>()});
    } catch (const nlohmann::json::exception& e) {
        fail("{}: metadata images / video_conditioning / lora / files malformed: {}", run.io_path(), e.what());
    }
    return p;
}

TextContexts fixture_text(const ParityRun& run) {
    TextContexts t;
    if (run.has("in.video_context")) {
        t.video_positive = run.input("in.video_context");
        t.audio_positive = run.input("in.audio_context");
        return t;
    }
    t.video_positive = run.input("in.video_context_positive");
    t.audio_positive = run.input("in.audio_context_positive");
    if (run.has("in.video_context_negative")) t.video_negative = run.input("in.video_context_negative");
    if (run.has("in.audio_context_negative")) t.audio_negative = run.input("in.audio_context_negative");
    return t;
}

std::string describe(const EncodeRequest& r) {
    return fmt::format("{} '{}' at {}x{}{}", media_kind_name(r.kind), r.path, r.height, r.width,
                       r.frame_cap ? fmt::format(", frame cap {}", *r.frame_cap) : std::string());
}

// Metadata encoder_requests: every encode the reference made, in order, with the tensor that answered it.
std::vector<std::pair<EncodeRequest, std::string>> fixture_encoder_requests(const ParityRun& run) {
    std::vector<std::pair<EncodeRequest, std::string>> out;
    if (!run.has_meta("encoder_requests")) return out;
    try {
        for (const auto& r : run.meta_json("encoder_requests")) {
            EncodeRequest e;
            e.path = r.at("path").get<std::string>();
            e.kind = r.at("kind").get<std::string>() == "video" ? MediaKind::Video : MediaKind::Image;
            e.height = r.at("height").get<int64_t>();
            e.width = r.at("width").get<int64_t>();
            if (!r.at("frame_cap").is_null()) e.frame_cap = r.at("frame_cap").get<int64_t>();
            out.emplace_back(e, r.at("name").get<std::string>());
        }
    } catch (const nlohmann::json::exception& e) {
        fail("{}: metadata encoder_requests malformed: {}", run.io_path(), e.what());
    }
    return out;
}

// Answers each request with the tensor the fixture recorded for it, or, without a request list
// (one_stage_cfg), the image latent the image's path names.
VideoEncoderFn fixture_encoder(const ParityRun& run) {
    const ParityRun* r = &run;
    return [r, known = fixture_encoder_requests(run)](const EncodeRequest& req) {
        if (known.empty()) {
            LTX2_CHECK(req.kind == MediaKind::Image && r->has(req.path), "{}: unexpected encoder request: {}",
                       r->io_path(), describe(req));
            return r->input(req.path);
        }
        for (const auto& [k, name] : known)
            if (k.path == req.path && k.kind == req.kind && k.height == req.height && k.width == req.width &&
                k.frame_cap == req.frame_cap)
                return r->input(name);
        fail("{}: the pipeline asked for {}, which the reference pipeline never encoded", r->io_path(), describe(req));
    };
}

// The transformer: --weights, else files.transformer, else the `model` the older goldens name.
std::string fixture_transformer_path(const ParityRun& run) {
    if (!run.weights_override().empty()) return run.weights_override();
    return fixture_file(run, "transformer").value_or(run.model_path());
}

// The LoRAs the reference fused into each stage's transformer, as [[file name, strength], ...]:
// metadata stages[i].transformer_loras, or the transformer builds of `model_builds` in order.
std::vector<nlohmann::json> reference_stage_loras(const ParityRun& run) {
    std::vector<nlohmann::json> stages;
    try {
        if (run.has_meta("stages"))
            for (const auto& s : run.meta_json("stages")) stages.push_back(s.at("transformer_loras"));
        const nlohmann::json files = fixture_files(run);
        if (run.has_meta("model_builds") && files.contains("transformer"))
            for (const auto& b : run.meta_json("model_builds"))
                if (b.at("path") == files.at("transformer")) stages.push_back(b.at("loras"));
    } catch (const nlohmann::json::exception& e) {
        fail("{}: metadata stages / model_builds malformed: {}", run.io_path(), e.what());
    }
    return stages;
}

// The fixture's model file with the requested LoRAs; the LoRAs must be the ones the reference
// fused into that stage.
TransformerProvider fixture_transformer(const ParityRun& run) {
    const std::vector<nlohmann::json> stages = reference_stage_loras(run);
    const std::string model = fixture_transformer_path(run);
    const std::string io = run.io_path();
    return [model, io, stages](const TransformerRequest& request) {
        const size_t index = request.stage == "stage2" ? 1 : 0;
        if (index < stages.size()) {
            std::vector<std::string> want, got;
            for (const auto& l : stages[index])
                want.push_back(fmt::format("{} {}", l[0].get<std::string>(), l[1].get<double>()));
            for (const LoraSpec& l : request.loras)
                got.push_back(fmt::format("{} {}", std::filesystem::path(l.path).filename().string(), l.strength));
            LTX2_CHECK(want == got, "{}: {} asked for LoRAs [{}], the reference fused [{}]", io, request.stage,
                       fmt::join(got, ", "), fmt::join(want, ", "));
        }
        return load_transformer(model, request.loras, Precision::F32);
    };
}

UpsampleFn fixture_upsampler(const ParityRun& run, PipelineKind kind) {
    if (kind == PipelineKind::Distilled) {
        // Stand-in: the stored stage-2 initial latent (stage-1 result repeated 2x in H and W).
        const Tensor stored = run.input("in.stage2.initial_video_latent");
        const Shape stage1 = run.input("out.stage1.video_latent").shape();
        const std::string io = run.io_path();
        return [stored, stage1, io](const Tensor& latent) {
            LTX2_CHECK(latent.shape() == stage1, "{}: upsampler stand-in got {}, expected the stage-1 shape {}", io,
                       shape_str(latent.shape()), shape_str(stage1));
            return stored;
        };
    }
    if (const auto upsampler = fixture_file(run, "spatial_upsampler")) {
        const std::optional<std::string> vae = fixture_file(run, "video_vae");
        LTX2_CHECK(vae.has_value(), "{}: metadata files names a spatial_upsampler but no video_vae (its statistics)",
                   run.io_path());
        const WeightStore statistics = WeightStore::open(*vae, "vae.");
        return file_upsampler(*upsampler, statistics.get("per_channel_statistics.mean-of-means"),
                              statistics.get("per_channel_statistics.std-of-means"), Precision::F32);
    }
    if (!run.has_meta("upsampler")) return nullptr;
    return file_upsampler(run.sibling(run.meta("upsampler")), run.input("in.vae.per_channel_statistics.mean-of-means"),
                          run.input("in.vae.per_channel_statistics.std-of-means"), Precision::F32);
}

// The fixture's name for a tap of the pipeline, and its tolerance; empty name: not compared.
struct GoldenName {
    std::string name;
    double tolerance = 0;
};

GoldenName golden_name(PipelineKind kind, const Tolerances& tol, const std::string& tap) {
    static const std::regex step_re(R"((stage\d)\.step(\d+)\.(.+))");
    static const std::regex noise_re(R"((stage\d)\.(video|audio)_noise)");
    std::smatch m;
    const bool one_stage = kind == PipelineKind::OneStage;
    if (std::regex_match(tap, m, noise_re)) return {one_stage ? "in." + m[2].str() + "_noise" : "in." + tap, kExact};
    if (!std::regex_match(tap, m, step_re)) return {};
    const std::string stage = m[1], what = m[3];
    const int step = std::stoi(m[2]);
    const bool branch = what.rfind("branch_", 0) == 0;
    const bool latent = what.ends_with("_latent");
    const double step0 = branch ? tol.branch : tol.step_zero;
    if (what.ends_with("_latent_in")) return {"dbg." + stage + ".step" + m[2].str() + "." + what, kExact};
    if (step == 0 && latent)
        return {one_stage ? "out.after_first_step." + what : "out." + stage + ".after_first_step." + what, step0};
    if (one_stage)
        return {branch ? "dbg.step" + m[2].str() + "." + what : "dbg.loop.step" + m[2].str() + "." + what,
                step == 0 ? step0 : tol.later_steps};
    return {"dbg." + stage + ".step" + m[2].str() + "." + what, step == 0 ? step0 : tol.later_steps};
}

PipelineTap comparing_tap(ParityRun& run, PipelineKind kind, const Tolerances& tol, const std::string& only_stage) {
    return [&run, kind, tol, only_stage](const std::string& name, const Tensor& value) {
        if (!only_stage.empty() && name.rfind(only_stage + ".", 0) != 0) return;
        // An ancestral stage's draws: row `step` of in.STAGE.ancestral_STREAM_noise, bit-exact.
        static const std::regex ancestral_re(R"((stage\d)\.step(\d+)\.ancestral_(video|audio)_noise)");
        std::smatch m;
        if (std::regex_match(name, m, ancestral_re)) {
            const std::string golden = "in." + m[1].str() + ".ancestral_" + m[3].str() + "_noise";
            const Tensor rows = run.input(golden);
            const int64_t step = std::stoll(m[2]);
            LTX2_CHECK(step < rows.size(0), "{}: {} has {} rows, the pipeline drew noise at step {}", run.io_path(),
                       golden, rows.size(0), step);
            run.compare_to(golden + "[" + m[2].str() + "]", value, rows.select(0, step).reshape(value.shape()), kExact);
            return;
        }
        const GoldenName g = golden_name(kind, tol, name);
        if (g.name.empty()) return;
        if (g.name.rfind("dbg.", 0) == 0)
            run.compare_if_present(g.name, value, g.tolerance);
        else
            run.compare(g.name, value, g.tolerance);
    };
}

}  // namespace

TorchGenerator generator_after_stage1(const ParityRun& run, uint64_t seed) {
    TorchGenerator g(seed);
    g.randn(run.input("in.stage1.video_noise").shape(), DType::F32);
    g.randn(run.input("in.stage1.audio_noise").shape(), DType::F32);
    return g;
}

PipelineFixture load_pipeline_fixture(const ParityRun& run, PipelineKind kind) {
    PipelineFixture f{kind, fixture_params(run, kind),
                      model_semantics(WeightStore::open(fixture_transformer_path(run), "model.diffusion_model.")), {}};
    f.inputs.text = fixture_text(run);
    f.inputs.encode = fixture_encoder(run);
    f.inputs.transformer = fixture_transformer(run);
    f.inputs.upsample = fixture_upsampler(run, kind);
    return f;
}

PipelineResult check_pipeline_fixture(ParityRun& run, const PipelineFixture& fixture, bool cache_text) {
    const PipelineKind kind = fixture.kind;
    const Tolerances tol = fixture_tolerances(run, kind);
    const std::vector<StagePlan> plans = pipeline_plan(kind, fixture.params, fixture.model);
    LTX2_CHECK(!run.has_meta("stages") || run.meta_json("stages").size() == plans.size(),
               "{}: the fixture has {} stages, the pipeline {}", run.io_path(), run.meta_json("stages").size(),
               plans.size());

    // Every encode the pipeline makes, in order, must be the reference's.
    std::vector<std::string> requests;
    PipelineInputs inputs = fixture.inputs;
    inputs.encode = [&requests, encode = fixture.inputs.encode](const EncodeRequest& r) {
        requests.push_back(describe(r));
        return encode(r);
    };

    // End to end. The two-stage fixtures' stage 2 is compared below from the stored inputs.
    PipelineHooks hooks;
    hooks.cache_text = cache_text;
    hooks.tap = comparing_tap(run, kind, tol, two_stage_fixture(kind) ? "stage1" : "");
    const PipelineResult result = run_pipeline(plans, fixture.params.seed, inputs, hooks);
    const auto expected_requests = fixture_encoder_requests(run);
    if (!expected_requests.empty()) {
        std::vector<std::string> expected;
        for (const auto& [request, name] : expected_requests) expected.push_back(describe(request));
        LTX2_CHECK(requests == expected, "{}: encoder requests [{}], the reference made [{}]", run.io_path(),
                   fmt::join(requests, "; "), fmt::join(expected, "; "));
    }

    if (kind == PipelineKind::OneStage) {
        run.compare("out.video_latent", result.video_latent, tol.later_steps);
        run.compare("out.audio_latent", result.audio_latent, tol.later_steps);
        return result;
    }
    run.compare("out.stage1.video_latent", result.stages[0].video_latent, tol.later_steps);
    run.compare("out.stage1.audio_latent", result.stages[0].audio_latent, tol.later_steps);
    // A stage-2 audio the pipeline discards is stored as dbg.stage2.audio_latent_discarded.
    const std::string stage2_audio =
        run.has("out.stage2.audio_latent") ? "out.stage2.audio_latent" : "dbg.stage2.audio_latent_discarded";
    run.compare("out.stage2.video_latent", result.video_latent, tol.end_to_end);
    // What the decoders get: out.final_* where stored (the audio may be stage 1's), else stage 2's.
    if (run.has("out.final_video_latent")) run.compare("out.final_video_latent", result.video_latent, tol.end_to_end);
    const std::string final_audio = run.has("out.final_audio_latent") ? "out.final_audio_latent" : stage2_audio;
    run.compare(final_audio, result.audio_latent, tol.end_to_end);
    if (final_audio != stage2_audio) run.compare(stage2_audio, result.stages[1].audio_latent, tol.end_to_end);

    if (two_stage_fixture(kind)) {
        run.compare("out.upsampled_video_latent", result.upsampled_video_latent, tol.end_to_end);
        // Each stage from the stored inputs of that stage.
        run.compare("out.upsampled_video_latent", inputs.upsample(run.input("out.stage1.video_latent")),
                    tol.upsampled);
        TorchGenerator generator = generator_after_stage1(run, fixture.params.seed);
        PipelineHooks stage2_hooks = hooks;
        stage2_hooks.tap = comparing_tap(run, kind, tol, "stage2");
        const StageResult s2 =
            run_stage(plans[1], *inputs.transformer(plans[1].transformer), inputs, generator, stage2_hooks,
                      run.input("out.upsampled_video_latent"), run.input("out.stage1.audio_latent"));
        run.compare("out.stage2.video_latent", s2.video_latent, tol.later_steps);
        run.compare(stage2_audio, s2.audio_latent, tol.later_steps);
    }

    return result;
}

void parity_pipeline_distilled(ParityRun& run) {
    check_pipeline_fixture(run, load_pipeline_fixture(run, PipelineKind::Distilled));
}
void parity_pipeline_one_stage_cfg(ParityRun& run) {
    check_pipeline_fixture(run, load_pipeline_fixture(run, PipelineKind::OneStage));
}
void parity_pipeline_two_stage(ParityRun& run) {
    check_pipeline_fixture(run, load_pipeline_fixture(run, PipelineKind::TwoStage));
}
void parity_pipeline_keyframe_interpolation(ParityRun& run) {
    check_pipeline_fixture(run, load_pipeline_fixture(run, PipelineKind::KeyframeInterpolation));
}
void parity_pipeline_ic_lora(ParityRun& run) {
    check_pipeline_fixture(run, load_pipeline_fixture(run, PipelineKind::ICLora));
}

// ltx25.pipeline.distilled: the distilled pipeline of a model whose stage 1 samples ancestrally,
// with the fixture's sampler settings checked against the plan's.
void parity_ltx25_pipeline_distilled(ParityRun& run) {
    const PipelineFixture fixture = load_pipeline_fixture(run, PipelineKind::Distilled);
    LTX2_CHECK(fixture.model.ancestral_distilled_stage1,
               "{}: kind ltx25.pipeline.distilled needs a model whose distilled stage 1 is ancestral (LTX-2.5), but "
               "{} is {}",
               run.io_path(), fixture_transformer_path(run), fixture.model.name());
    const StagePlan stage1 = pipeline_plan(PipelineKind::Distilled, fixture.params, fixture.model).front();
    LTX2_CHECK(stage1.ancestral.has_value(), "{}: the distilled plan's stage 1 is not ancestral", run.io_path());
    auto expect_meta = [&](const char* key, double ours) {
        if (!run.has_meta(key)) return;
        const double theirs = meta_number(run, key);
        LTX2_CHECK(theirs == ours, "{}: metadata {} is {}, the pipeline uses {}", run.io_path(), key, theirs, ours);
    };
    expect_meta("ancestral_noise_seed", double(stage1.ancestral->noise_seed));
    expect_meta("ancestral_eta", stage1.ancestral->step.eta);
    expect_meta("ancestral_s_noise", stage1.ancestral->step.s_noise);
    check_pipeline_fixture(run, fixture);
}

namespace {

// The retake fixture's name for a tap of the stage, and its tolerance (README: initial states
// exact, first step 1e-5, later 1e-4).
GoldenName retake_golden_name(const std::string& tap) {
    static const std::regex noise_re(R"(stage1\.(video|audio)_noise)");
    static const std::regex step_re(R"(stage1\.step(\d+)\.(.+))");
    std::smatch m;
    if (std::regex_match(tap, m, noise_re)) return {"in." + m[1].str() + "_noise", kExact};
    if (!std::regex_match(tap, m, step_re)) return {};
    const std::string step = m[1], what = m[2];
    if (what.ends_with("_latent_in")) return {"dbg.step" + step + "." + what, kExact};
    if (step == "0" && what.ends_with("_latent")) return {"out.after_first_step." + what, 1e-5};
    return {"dbg.step" + step + "." + what, step == "0" ? 1e-5 : 1e-4};
}

// Tokens of `result` outside the regenerated window must be the source's, bit for bit: the
// in-window tokens are taken from the source and the whole is compared exactly.
template <typename Tools>
void compare_kept_tokens(ParityRun& run, const std::string& name, const Tools& tools, const Tensor& result,
                         const Tensor& source, const TemporalRegionMask& window) {
    const LatentState regenerated = window.apply_to(tools.create_initial_state(source));
    Tensor got = tools.patchifier.patchify(result).to_device(Device::Cpu).clone();
    Tensor want = tools.patchifier.patchify(source).to_device(Device::Cpu);
    Tensor mask = regenerated.denoise_mask.to(DType::F32).to_device(Device::Cpu);
    const int64_t tokens = got.size(1), width = got.size(2);
    float* g = got.f32();
    const float* w = want.f32();
    const float* inside = mask.f32();
    for (int64_t n = 0; n < tokens; ++n)
        if (inside[n * mask.size(2)] != 0.0f)
            for (int64_t d = 0; d < width; ++d) g[n * width + d] = w[n * width + d];
    run.compare_to(name, got, want, kExact);
}

}  // namespace

// pipeline.retake (tests/golden/ltx23_pipelines/retake/README.md): the retake stage from the
// fixture's source latents. The audio source is out.initial_audio_latent, the reference's
// encoding of in.audio.file_samples (resampling, log-mel and the audio VAE encoder are another
// area's; this kind checks the stage).
void parity_pipeline_retake(ParityRun& run) {
    bool distilled = true;
    RetakeOptions r;
    r.start_time = meta_number(run, "start_time");
    r.end_time = meta_number(run, "end_time");
    try {
        distilled = run.meta_json("distilled").get<bool>();
        r.regenerate_video = run.meta_json("regenerate_video").get<bool>();
        r.regenerate_audio = run.meta_json("regenerate_audio").get<bool>();
    } catch (const nlohmann::json::exception& e) {
        fail("{}: metadata distilled / regenerate_video / regenerate_audio must be booleans: {}", run.io_path(),
             e.what());
    }
    GenerationParams p = fixture_generation(run, !distilled);
    p.retake = r;
    p.retake.video_path = run.io_path();  // the source clip's latents are the fixture's
    validate_generation_params(distilled ? PipelineKind::Retake : PipelineKind::RetakeGuided, p, ModelSemantics{});
    const std::vector<StagePlan> plans = retake_plan(p, distilled);
    const std::vector<float>& sigmas = plans.front().sigmas;
    run.compare("in.sigmas", Tensor::from_f32({int64_t(sigmas.size())}, sigmas), kExact);

    PipelineInputs inputs;
    inputs.text = fixture_text(run);
    inputs.transformer = fixture_transformer(run);
    inputs.source_video = run.input("in.initial_video_latent");
    inputs.source_audio = run.input("out.initial_audio_latent");
    const Tensor& source_video = inputs.source_video;
    const Tensor& source_audio = inputs.source_audio;
    PipelineHooks hooks;
    hooks.tap = [&run](const std::string& name, const Tensor& value) {
        const GoldenName g = retake_golden_name(name);
        if (g.name.empty()) return;
        if (g.name.rfind("dbg.", 0) == 0)
            run.compare_if_present(g.name, value, g.tolerance);
        else
            run.compare(g.name, value, g.tolerance);
    };
    const StageResult out = run_pipeline(plans, p.seed, inputs, hooks).stages.front();
    run.compare("out.video_latent", out.video_latent, 1e-4);
    run.compare("out.audio_latent", out.audio_latent, 1e-4);

    // Outside the window the source stays bit-exact; a kept stream returns to the source (1e-5).
    const TemporalRegionMask window{r.start_time, r.end_time};
    VideoLatentTools video_tools;
    video_tools.target_shape = VideoLatentShape::from_shape(source_video.shape());
    video_tools.fps = p.frame_rate;
    AudioLatentTools audio_tools;
    audio_tools.target_shape = AudioLatentShape::from_shape(source_audio.shape());
    if (r.regenerate_video)
        compare_kept_tokens(run, "kept_tokens.video", video_tools, out.video_latent, source_video, window);
    else
        run.compare_to("kept_stream.video", out.video_latent, source_video, 1e-5);
    if (r.regenerate_audio)
        compare_kept_tokens(run, "kept_tokens.audio", audio_tools, out.audio_latent, source_audio, window);
    else
        run.compare_to("kept_stream.audio", out.audio_latent, source_audio, 1e-5);
}

}  // namespace ltx2
