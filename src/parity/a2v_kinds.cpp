// pipeline.a2v: the LTX-2.3 audio-to-video pipeline on its golden (tests/golden/ltx23_pipelines/a2v).
// The audio chain runs from the stored decoded stream (the reference's PyAV decode is the fixture's
// stand-in): trim, 16 kHz resample, log-mel, the audio VAE encoder; then both stages end to end
// from that latent, and again each stage from the stored inputs of that stage. The text contexts
// are the stored ones; the audio negative context is handed over too and must stay unread.
#include <fmt/ranges.h>

#include <filesystem>
#include <string>
#include <vector>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "diffusion/schedulers.h"
#include "io/media/audio_reader.h"
#include "io/weight_store.h"
#include "models/audio_vae/mel.h"
#include "parity/kinds.h"
#include "parity/pipeline_fixture.h"
#include "pipelines/audio_conditioning.h"
#include "pipelines/audio_length.h"
#include "pipelines/model_loading.h"

namespace ltx2 {

namespace {

// Tolerances, max |err| / max |ref| (a2v README "Precision and tolerances").
constexpr double kExact = 0.0;
constexpr double kOnePass = 1e-5;  // 16 kHz waveform, audio latent, each pass, first step, upsample
constexpr double kMel = 2e-5;
constexpr double kLater = 1e-4;  // later guided x0, stage latents

std::string file_of(const ParityRun& run, const std::string& role) {
    const nlohmann::json files = run.meta_json("files");
    LTX2_CHECK(files.contains(role) && files.at(role).is_string(), "{}: metadata 'files' names no '{}' file",
               run.io_path(), role);
    return run.sibling(files.at(role).get<std::string>());
}

GenerationParams a2v_params(const ParityRun& run) {
    GenerationParams p = fixture_generation(run, false);
    p.num_inference_steps = int(meta_int(run, "num_inference_steps"));
    p.video_guider = guider_params(run, "video_guider_params");
    LTX2_CHECK(run.meta_json("images").empty(), "{}: image conditioning is not part of this fixture kind",
               run.io_path());
    p.distilled_loras.push_back({file_of(run, "distilled_lora"), run.meta_json("files").at("distilled_lora_strength").get<double>()});
    p.audio.path = run.io_path();  // holds the decoded stream that stands in for the audio file
    p.audio.start_time = meta_number(run, "audio_start_time");
    p.audio.max_duration = meta_number(run, "audio_max_duration");
    return p;
}

// The transformer file with the LoRAs the reference fused into each stage: none in stage 1, the
// distilled LoRA in stage 2.
TransformerProvider a2v_transformer(const ParityRun& run, const GenerationParams& p) {
    return [model = file_of(run, "transformer"), io = run.io_path(), p](const TransformerRequest& request) {
        const std::vector<LoraSpec> expected = request.stage == "stage2" ? p.distilled_loras : std::vector<LoraSpec>{};
        LTX2_CHECK(request.loras == expected, "{}: {} asked for {} LoRA(s), the reference fused {}", io, request.stage,
                   request.loras.size(), expected.size());
        return load_transformer(model, request.loras, Precision::F32);
    };
}

// The fixture's name of a pipeline tap and its tolerance (empty name: not compared).
std::vector<std::pair<std::string, double>> golden_names(const std::string& tap) {
    const size_t dot = tap.find('.');
    const std::string stage = tap.substr(0, dot), what = tap.substr(dot + 1);
    if (what == "video_noise" || what == "audio_noise") return {{"in." + tap, kExact}};
    if (what == "video_initial_latent") return {{"dbg." + stage + ".step0.video_latent_in", kOnePass}};
    if (!what.starts_with("step")) return {};
    const size_t step_end = what.find('.');
    const std::string step = what.substr(0, step_end), name = what.substr(step_end + 1);
    const bool first = step == "step0";
    const std::string dbg = "dbg." + stage + "." + step + ".";
    static const std::vector<std::pair<std::string, std::string>> branches = {
        {"branch_positive.video_denoised", "cond_video_x0"},
        {"branch_negative.video_denoised", "uncond_video_x0"},
        {"branch_perturbed.video_denoised", "ptb_video_x0"},
        {"branch_isolated_modality.video_denoised", "mod_video_x0"}};
    for (const auto& [ours, theirs] : branches)
        if (name == ours) return {{dbg + theirs, first ? kOnePass : kLater}};
    // No conditioning: post-processing keeps the guided prediction as it is.
    if (name == "video_denoised")
        return {{dbg + "video_guided_x0", first ? kOnePass : kLater}, {dbg + "video_denoised", first ? kOnePass : kLater}};
    if (name == "video_latent")
        return {{first ? "out." + stage + ".after_first_step.video_latent" : dbg + "video_latent",
                 first ? kOnePass : kLater}};
    return {};
}

PipelineTap comparing_tap(ParityRun& run, const std::string& only_stage) {
    return [&run, only_stage](const std::string& tap, const Tensor& value) {
        if (!tap.starts_with(only_stage + ".")) return;
        for (const auto& [name, tolerance] : golden_names(tap)) {
            if (name.starts_with("dbg."))
                run.compare_if_present(name, value, tolerance);
            else
                run.compare(name, value, tolerance);
        }
    };
}

}  // namespace

void parity_pipeline_a2v(ParityRun& run) {
    const GenerationParams params = a2v_params(run);
    const ModelSemantics model = model_semantics(WeightStore::open(file_of(run, "transformer")));
    validate_generation_params(PipelineKind::AudioToVideo, params, model);
    const int64_t latent_frames = audio_latent_frames(params.num_frames, params.frame_rate);
    LTX2_CHECK(!run.has_meta("audio_latent_frames") || meta_int(run, "audio_latent_frames") == latent_frames,
               "{}: metadata audio_latent_frames {} differs from ours, {}", run.io_path(),
               meta_int(run, "audio_latent_frames"), latent_frames);

    // Audio: the decoded stream, cut as decode_audio_from_file cuts it (first frame at t = 0).
    const int rate = int(meta_int(run, "audio_file_sampling_rate"));
    const Tensor trimmed = trim_decoded_audio(run.input("in.audio.file_samples"), rate, 0.0, params.audio.start_time,
                                              params.audio.max_duration);
    run.compare("dbg.audio.waveform_trimmed", trimmed, kExact);
    run.compare("out.audio_waveform", trimmed, kExact);  // the pipeline returns the input waveform
    const Tensor waveform = trimmed.reshape({1, trimmed.size(0), trimmed.size(1)});
    const AudioEncoder encoder = load_audio_encoder(WeightStore::open(file_of(run, "audio_vae"), "audio_vae."), Precision::F32);
    run.compare("dbg.audio.waveform_16k", resample_waveform(waveform, rate, encoder.config().sampling_rate), kOnePass);
    const EncodedAudio audio = encode_conditioning_audio(encoder, waveform, rate, latent_frames, run.io_path());
    run.compare("dbg.audio.mel", audio.mel, kMel);
    run.compare("dbg.audio.latent_full", audio.latent_full, kOnePass);
    run.compare("out.audio.encoded_latent", audio.latent, kOnePass);

    const WeightStore vae = WeightStore::open(file_of(run, "video_vae"), "vae.");
    PipelineInputs inputs;
    inputs.text.video_positive = run.input("in.video_context_positive");
    inputs.text.audio_positive = run.input("in.audio_context_positive");
    inputs.text.video_negative = run.input("in.video_context_negative");
    inputs.text.audio_negative = run.input("in.audio_context_negative_unused");
    inputs.transformer = a2v_transformer(run, params);
    inputs.upsample = file_upsampler(file_of(run, "spatial_upsampler"), vae.get("per_channel_statistics.mean-of-means"),
                                     vae.get("per_channel_statistics.std-of-means"), Precision::F32);
    inputs.frozen_audio = audio.latent;

    // End to end from our audio latent; stage-2 taps are compared below from stored inputs.
    const std::vector<StagePlan> plans = pipeline_plan(PipelineKind::AudioToVideo, params, model);
    run.compare("in.stage1.sigmas", sigmas_tensor(plans[0].sigmas), kExact);
    run.compare("in.stage2.sigmas", sigmas_tensor(plans[1].sigmas), kExact);
    PipelineHooks hooks;
    hooks.tap = comparing_tap(run, "stage1");
    const PipelineResult result = run_pipeline(plans, params.seed, inputs, hooks);
    run.compare("out.stage1.video_latent", result.stages[0].video_latent, kLater);
    run.compare("out.stage1.audio_latent", result.stages[0].audio_latent, kOnePass);
    run.compare_to("frozen audio, stage 1", result.stages[0].audio_latent, audio.latent, kExact);
    run.compare("out.upsampled_video_latent", result.upsampled_video_latent, kLater);
    run.compare("out.stage2.video_latent", result.video_latent, kLater);
    run.compare("out.final_video_latent", result.video_latent, kLater);
    run.compare_to("frozen audio, stage 2", result.audio_latent, audio.latent, kExact);

    // Each stage from the stored inputs of that stage.
    run.compare("out.upsampled_video_latent", inputs.upsample(run.input("out.stage1.video_latent")), kOnePass);
    inputs.frozen_audio = run.input("out.audio.encoded_latent");
    TorchGenerator generator = generator_after_stage1(run, params.seed);
    PipelineHooks stage2_hooks;
    stage2_hooks.tap = comparing_tap(run, "stage2");
    const StageResult s2 = run_stage(plans[1], *inputs.transformer(plans[1].transformer), inputs, generator,
                                     stage2_hooks, run.input("out.upsampled_video_latent"));
    run.compare("out.stage2.video_latent", s2.video_latent, kLater);
    run.compare("out.stage2.audio_latent", s2.audio_latent, kExact);
}

}  // namespace ltx2
