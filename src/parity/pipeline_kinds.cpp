// pipeline.*: the five denoising pipelines on their goldens (tests/golden/pipeline/README.md).
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
#include "parity/kinds.h"
#include "parity/pipeline_fixture.h"
#include "pipelines/model_loading.h"

namespace ltx2 {

namespace {

// Tolerances, max |err| / max |ref| (README "Tolerances").
constexpr double kExact = 0.0;
constexpr double kOneEvaluation = 2e-5;   // step-0 tensors of the plain fixtures, raw guidance branches
constexpr double kGuidedStepZero = 5e-5;  // two-stage fixtures: step-0 predictions, after_first_step
constexpr double kUpsampled = 1e-5;       // upsampler from the stored stage-1 latent
constexpr double kEndToEnd = 1e-3;        // two-stage fixtures chained: upsampled and stage-2 results
constexpr double kDistilledFinal = 1e-4;
constexpr double kStageFinal = 5e-4;  // one-stage final; two-stage fixtures, each stage from stored inputs

bool two_stage_fixture(PipelineKind k) {
    return k == PipelineKind::TwoStage || k == PipelineKind::KeyframeInterpolation || k == PipelineKind::ICLora;
}

double stage_final_tolerance(PipelineKind k) { return k == PipelineKind::Distilled ? kDistilledFinal : kStageFinal; }

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

namespace {

std::string item_path(const nlohmann::json& item) {
    if (item.contains("path")) return item.at("path").get<std::string>();
    return item.at("latent").get<std::string>();  // one_stage_cfg names its image by the latent only
}

GenerationParams fixture_params(const ParityRun& run, PipelineKind kind) {
    GenerationParams p;
    p.seed = uint64_t(meta_int(run, "seed"));
    p.height = meta_int(run, "height");
    p.width = meta_int(run, "width");
    p.num_frames = meta_int(run, "num_frames");
    p.frame_rate = meta_number(run, "frame_rate");
    if (is_guided(kind)) {
        p.num_inference_steps = int(meta_int(run, "num_inference_steps"));
        p.video_guider = guider_params(run, "video_guider_params");
        p.audio_guider = guider_params(run, "audio_guider_params");
    }
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
    } catch (const nlohmann::json::exception& e) {
        fail("{}: metadata images / video_conditioning / lora malformed: {}", run.io_path(), e.what());
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

// The fixture's model file with the requested LoRAs; the LoRAs must be the ones the reference
// fused into that stage (metadata stages[i].transformer_loras).
TransformerProvider fixture_transformer(const ParityRun& run) {
    std::vector<nlohmann::json> stages;
    if (run.has_meta("stages"))
        for (const auto& s : run.meta_json("stages")) stages.push_back(s.at("transformer_loras"));
    const std::string model = run.model_path();
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
    if (!run.has_meta("upsampler")) return nullptr;
    return file_upsampler(run.sibling(run.meta("upsampler")), run.input("in.vae.per_channel_statistics.mean-of-means"),
                          run.input("in.vae.per_channel_statistics.std-of-means"), Precision::F32);
}

// The fixture's name for a tap of the pipeline, and its tolerance; empty name: not compared.
struct GoldenName {
    std::string name;
    double tolerance = 0;
};

GoldenName golden_name(PipelineKind kind, const std::string& tap) {
    static const std::regex step_re(R"((stage\d)\.step(\d+)\.(.+))");
    static const std::regex noise_re(R"((stage\d)\.(video|audio)_noise)");
    std::smatch m;
    const bool one_stage = kind == PipelineKind::OneStage;
    const bool guided_fixture = two_stage_fixture(kind);
    if (std::regex_match(tap, m, noise_re)) return {one_stage ? "in." + m[2].str() + "_noise" : "in." + tap, kExact};
    if (!std::regex_match(tap, m, step_re)) return {};
    const std::string stage = m[1], what = m[3];
    const int step = std::stoi(m[2]);
    const bool branch = what.rfind("branch_", 0) == 0;
    const bool latent = what.ends_with("_latent");
    const double step0 = guided_fixture && !branch ? kGuidedStepZero : kOneEvaluation;
    if (step == 0 && latent)
        return {one_stage ? "out.after_first_step." + what : "out." + stage + ".after_first_step." + what, step0};
    if (one_stage)
        return {branch ? "dbg.step" + m[2].str() + "." + what : "dbg.loop.step" + m[2].str() + "." + what,
                step == 0 ? step0 : kStageFinal};
    return {"dbg." + stage + ".step" + m[2].str() + "." + what, step == 0 ? step0 : stage_final_tolerance(kind)};
}

PipelineTap comparing_tap(ParityRun& run, PipelineKind kind, const std::string& only_stage) {
    return [&run, kind, only_stage](const std::string& name, const Tensor& value) {
        if (!only_stage.empty() && name.rfind(only_stage + ".", 0) != 0) return;
        const GoldenName g = golden_name(kind, name);
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
    PipelineFixture f{kind, fixture_params(run, kind), {}};
    f.inputs.text = fixture_text(run);
    f.inputs.encode = fixture_encoder(run);
    f.inputs.transformer = fixture_transformer(run);
    f.inputs.upsample = fixture_upsampler(run, kind);
    return f;
}

PipelineResult check_pipeline_fixture(ParityRun& run, const PipelineFixture& fixture, bool cache_text) {
    const PipelineKind kind = fixture.kind;
    const std::vector<StagePlan> plans = pipeline_plan(kind, fixture.params);
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
    hooks.tap = comparing_tap(run, kind, two_stage_fixture(kind) ? "stage1" : "");
    const PipelineResult result = run_pipeline(plans, fixture.params.seed, inputs, hooks);
    const auto expected_requests = fixture_encoder_requests(run);
    if (!expected_requests.empty()) {
        std::vector<std::string> expected;
        for (const auto& [request, name] : expected_requests) expected.push_back(describe(request));
        LTX2_CHECK(requests == expected, "{}: encoder requests [{}], the reference made [{}]", run.io_path(),
                   fmt::join(requests, "; "), fmt::join(expected, "; "));
    }

    if (kind == PipelineKind::OneStage) {
        run.compare("out.video_latent", result.video_latent, kStageFinal);
        run.compare("out.audio_latent", result.audio_latent, kStageFinal);
        return result;
    }
    run.compare("out.stage1.video_latent", result.stages[0].video_latent, stage_final_tolerance(kind));
    run.compare("out.stage1.audio_latent", result.stages[0].audio_latent, stage_final_tolerance(kind));
    const double chained = kind == PipelineKind::Distilled ? kDistilledFinal : kEndToEnd;
    run.compare("out.stage2.video_latent", result.video_latent, chained);
    run.compare("out.stage2.audio_latent", result.audio_latent, chained);

    if (two_stage_fixture(kind)) {
        run.compare("out.upsampled_video_latent", result.upsampled_video_latent, kEndToEnd);
        // Each stage from the stored inputs of that stage.
        run.compare("out.upsampled_video_latent", inputs.upsample(run.input("out.stage1.video_latent")), kUpsampled);
        TorchGenerator generator = generator_after_stage1(run, fixture.params.seed);
        PipelineHooks stage2_hooks = hooks;
        stage2_hooks.tap = comparing_tap(run, kind, "stage2");
        const StageResult s2 =
            run_stage(plans[1], *inputs.transformer(plans[1].transformer), inputs, generator, stage2_hooks,
                      run.input("out.upsampled_video_latent"), run.input("out.stage1.audio_latent"));
        run.compare("out.stage2.video_latent", s2.video_latent, kStageFinal);
        run.compare("out.stage2.audio_latent", s2.audio_latent, kStageFinal);
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

}  // namespace ltx2
