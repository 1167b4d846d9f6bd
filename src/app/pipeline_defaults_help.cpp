#include "app/pipeline_defaults_help.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "app/generation_options.h"
#include "diffusion/sigmas.h"
#include "models/model_version.h"

namespace ltx2::app {

namespace {

constexpr PipelineKind kPipelines[] = {PipelineKind::Distilled, PipelineKind::OneStage,
                                       PipelineKind::TwoStage,  PipelineKind::KeyframeInterpolation,
                                       PipelineKind::ICLora,    PipelineKind::AudioToVideo,
                                       PipelineKind::Retake,    PipelineKind::RetakeGuided};

// "40" or "40 / 30" when the releases differ.
template <class T>
std::string per_release(T ltx2, T ltx23) {
    return ltx2 == ltx23 ? fmt::format("{}", ltx2) : fmt::format("{} / {}", ltx2, ltx23);
}

bool refines(PipelineKind kind) { return upsamples(kind); }

std::string steps_of(PipelineKind kind, const ModelSemantics& ltx2, const ModelSemantics& ltx23) {
    const size_t distilled = distilled_sigmas().size() - 1, refine = stage2_distilled_sigmas().size() - 1;
    const std::string first =
        is_guided(kind) ? per_release(ltx2.default_guided_steps, ltx23.default_guided_steps)
                        : fmt::format("{} (fixed)", distilled);
    return refines(kind) ? fmt::format("{} + {} refine", first, refine) : first;
}

std::string guidance_of(PipelineKind kind) {
    if (!is_guided(kind)) return "none (distilled)";
    return kind == PipelineKind::AudioToVideo ? "video only (the audio is given)" : "video and audio";
}

std::string guider_text(const MultiModalGuiderParams& g, const std::string& stg_blocks) {
    return fmt::format("CFG {}, STG {} (block {}), rescale {}, modality {}", g.cfg_scale, g.stg_scale, stg_blocks,
                       g.rescale_scale, g.modality_scale);
}

}  // namespace

std::string pipeline_defaults_help() {
    const ModelSemantics ltx2 = model_semantics(std::nullopt, nlohmann::json::object(), "--help");
    const ModelSemantics ltx23 = model_semantics(std::string("2.3.0"), nlohmann::json::object(), "--help");
    const GenerationParams common = default_generation_params(PipelineKind::Distilled);
    std::string text = fmt::format(
        "Defaults per pipeline (A / B: LTX-2 / LTX-2.3 where they differ; an option given always wins; every "
        "pipeline: {} frames at {} fps, seed {}):\n"
        "  {:<14} {:<12} {:<22} {}\n",
        common.num_frames, common.frame_rate, common.seed, "pipeline", "size", "steps", "guidance");
    for (PipelineKind kind : kPipelines) {
        const GenerationParams p = default_generation_params(kind);
        const std::string size = is_retake(kind) ? "the clip's" : fmt::format("{}x{}", p.width, p.height);
        text += fmt::format("  {:<14} {:<12} {:<22} {}\n", pipeline_name(kind), size, steps_of(kind, ltx2, ltx23),
                            guidance_of(kind));
    }
    const std::string blocks = per_release(ltx2.default_stg_block, ltx23.default_stg_block);
    const GenerationParams guided = default_generation_params(PipelineKind::OneStage);
    text += fmt::format("  guidance: video {}\n            audio {}\n", guider_text(guided.video_guider, blocks),
                        guider_text(guided.audio_guider, blocks));
    GenerationParams demo = default_generation_params(PipelineKind::OneStage), demo_up = demo;
    apply_demo_defaults(demo, PipelineKind::OneStage);
    apply_demo_defaults(demo_up, PipelineKind::Distilled);
    text += fmt::format(
        "  --demo: {}x{} ({}x{} one-stage), {} frames, {} guided steps, STG block {}\n",
        demo_up.width, demo_up.height, demo.width, demo.height, demo.num_frames, demo.num_inference_steps,
        demo.video_guider.stg_blocks.front());
    return text;
}

}  // namespace ltx2::app
