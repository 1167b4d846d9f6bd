// Golden-parity kinds of the diffusion components: schedulers, distilled sigma tables, the
// timestep sinusoid, patchifiers / latent tools, guiders and the Euler step helpers. Every
// call's arguments come from the fixture's metadata (JSON case lists).
#include "parity/kinds.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "diffusion/diffusion_steps.h"
#include "diffusion/guiders.h"
#include "diffusion/patchifiers.h"
#include "diffusion/schedulers.h"
#include "diffusion/sigmas.h"
#include "models/transformer/model.h"
#include "models/transformer/timestep.h"

namespace ltx2 {

namespace {

constexpr double kExact = 0.0;
constexpr double kSchedulerAbsTol = 3e-7;  // absolute, float32 recipe
constexpr double kPositionTol = 1e-7;
constexpr double kEmbeddingTol = 1e-6;
constexpr double kGuiderTol = 1e-6;
constexpr double kStepTol = 1e-6;

using json = nlohmann::json;

// An absolute tolerance as the relative one compare() applies (error / max |ref|).
double abs_as_rel(const ParityRun& run, const std::string& name, double abs_tol) {
    double m = 0;
    for (float v : host_values(run.input(name))) m = std::max(m, double(std::fabs(v)));
    return m > 0 ? abs_tol / m : abs_tol;
}

Tensor f32_vector(const std::vector<float>& v) { return Tensor::from_f32({int64_t(v.size())}, v); }

Tensor i64_scalar_vector(int64_t v) {
    Tensor t = Tensor::zeros({1}, DType::I64, Device::Cpu);
    t.data<int64_t>()[0] = v;
    return t;
}

}  // namespace

// ---- components.scheduler -------------------------------------------------------------------

void parity_components_scheduler(ParityRun& run) {
    const std::string ctx = run.io_path();
    for (const json& c : run.meta_json("ltx2_cases")) {
        const int steps = c.at("steps").get<int>();
        int64_t tokens = kSchedulerDefaultTokens;
        if (c.contains("latent_shape") && !c.at("latent_shape").is_null())
            tokens = scheduler_tokens(c.at("latent_shape").get<Shape>());
        if (c.contains("tokens"))
            LTX2_CHECK(c.at("tokens").get<int64_t>() == tokens, "{}: ltx2 case {}: token count {} != metadata {}", ctx,
                       c.at("case").dump(), tokens, c.at("tokens").dump());
        LTX2SchedulerOptions o;
        if (c.contains("max_shift")) o.max_shift = c.at("max_shift").get<double>();
        if (c.contains("base_shift")) o.base_shift = c.at("base_shift").get<double>();
        if (c.contains("stretch")) o.stretch = c.at("stretch").get<bool>();
        if (c.contains("terminal")) o.terminal = c.at("terminal").get<double>();
        const std::string name = "out.ltx2.case" + std::to_string(c.at("case").get<int>());
        run.compare(name, f32_vector(ltx2_scheduler_sigmas(steps, tokens, o)), abs_as_rel(run, name, kSchedulerAbsTol));
    }
    for (const json& c : run.meta_json("linear_quadratic_cases")) {
        const int steps = c.at("steps").get<int>();
        const double threshold = c.contains("threshold_noise") ? c.at("threshold_noise").get<double>() : 0.025;
        std::optional<int> linear;
        if (c.contains("linear_steps") && !c.at("linear_steps").is_null()) linear = c.at("linear_steps").get<int>();
        const std::string name = "out.linear_quadratic.case" + std::to_string(c.at("case").get<int>());
        run.compare(name, f32_vector(linear_quadratic_sigmas(steps, threshold, linear)),
                    abs_as_rel(run, name, kSchedulerAbsTol));
    }
    for (const json& c : run.meta_json("beta_cases")) {
        const int steps = c.at("steps").get<int>();
        const double alpha = c.contains("alpha") ? c.at("alpha").get<double>() : 0.6;
        const double beta = c.contains("beta") ? c.at("beta").get<double>() : 0.6;
        const std::string name = "out.beta.case" + std::to_string(c.at("case").get<int>());
        run.compare(name, f32_vector(beta_sigmas(steps, alpha, beta)), abs_as_rel(run, name, kSchedulerAbsTol));
    }
}

// ---- components.distilled_sigmas ------------------------------------------------------------

void parity_components_distilled_sigmas(ParityRun& run) {
    run.compare("out.distilled", f32_vector(distilled_sigmas()), kExact);
    run.compare("out.stage2_distilled", f32_vector(stage2_distilled_sigmas()), kExact);
}

// ---- components.timestep_embedding ----------------------------------------------------------

void parity_components_timestep_embedding(ParityRun& run) {
    std::vector<float> freqs(timestep_frequencies(), timestep_frequencies() + kTimestepHalf);
    run.compare_if_present("dbg.frequencies", f32_vector(freqs), kExact);
    const Tensor t = scale_timesteps(run.input("in.sigma"), 1000.0);
    run.compare_if_present("in.timesteps", t, kExact);
    run.compare("out.embedding", timestep_sinusoid(t), kEmbeddingTol);
}

// ---- components.patchifiers -----------------------------------------------------------------

void parity_components_patchifiers(ParityRun& run) {
    const std::string ctx = run.io_path();
    // Video patchifiers: every out.video_pP.* family present.
    const Tensor video = run.input("in.video_latent");
    const VideoLatentShape vs = VideoLatentShape::from_shape(video.shape());
    int video_families = 0;
    for (int p = 1; p <= 8; ++p) {
        const std::string pre = "out.video_p" + std::to_string(p) + ".";
        if (!run.has(pre + "tokens")) continue;
        ++video_families;
        VideoLatentPatchifier pf(p);
        Tensor tokens = pf.patchify(video);
        run.compare(pre + "tokens", tokens, kExact);
        run.compare_if_present(pre + "unpatchified", pf.unpatchify(run.input(pre + "tokens"), vs), kExact);
        Tensor bounds = pf.grid_bounds(vs);
        run.compare_if_present(pre + "grid_bounds", bounds, kExact);
        run.compare_if_present(pre + "pixel_coords_causal", get_pixel_coords(bounds, kVideoScaleFactors, true), kExact);
        run.compare_if_present(pre + "pixel_coords_noncausal", get_pixel_coords(bounds, kVideoScaleFactors, false),
                               kExact);
        run.compare_if_present(pre + "token_count", i64_scalar_vector(pf.token_count(vs)), kExact);
    }
    LTX2_CHECK(video_families > 0, "{}: no out.video_pP.tokens in the fixture", ctx);

    // VideoLatentTools at the fps in each family's name (out.video_tools_fpsF.*).
    const std::string tools_prefix = "out.video_tools_fps";
    std::vector<std::string> fps_names;
    for (const auto& e : run.io().entries()) {
        if (e.name.rfind(tools_prefix, 0) != 0) continue;
        const std::string fps = e.name.substr(tools_prefix.size(), e.name.find('.', tools_prefix.size()) - tools_prefix.size());
        if (std::find(fps_names.begin(), fps_names.end(), fps) == fps_names.end()) fps_names.push_back(fps);
    }
    for (const std::string& fps : fps_names) {
        const std::string pre = tools_prefix + fps + ".";
        VideoLatentTools tools;
        tools.patchifier = VideoLatentPatchifier(1);
        tools.target_shape = vs;
        tools.target_shape.batch = 1;
        tools.fps = std::stod(fps);
        LatentState st = tools.create_initial_state(video.slice(0, 0, 1).contiguous());
        run.compare_if_present(pre + "positions", st.positions, kPositionTol);
        run.compare_if_present(pre + "latent", st.latent, kExact);
        run.compare_if_present(pre + "denoise_mask", st.denoise_mask, kExact);
        LatentState un = tools.unpatchify(st);
        run.compare_if_present(pre + "unpatchified_latent", un.latent, kExact);
        run.compare_if_present(pre + "unpatchified_denoise_mask", un.denoise_mask, kExact);
    }
    LTX2_CHECK(!fps_names.empty(), "{}: no out.video_tools_fpsF.* in the fixture", ctx);

    // Audio.
    const Tensor audio = run.input("in.audio_latent");
    const AudioLatentShape as = AudioLatentShape::from_shape(audio.shape());
    AudioPatchifier ap(1);
    run.compare("out.audio.tokens", ap.patchify(audio), kExact);
    run.compare_if_present("out.audio.unpatchified", ap.unpatchify(run.input("out.audio.tokens"), as), kExact);
    run.compare("out.audio.grid_bounds", ap.grid_bounds(as), kPositionTol);
    AudioPatchifierOptions shifted;
    shifted.shift = 3;
    run.compare_if_present("out.audio_shift3.grid_bounds", AudioPatchifier(1, shifted).grid_bounds(as), kPositionTol);
    AudioPatchifierOptions noncausal;
    noncausal.causal = false;
    run.compare_if_present("out.audio_noncausal.grid_bounds", AudioPatchifier(1, noncausal).grid_bounds(as),
                           kPositionTol);
    if (run.has("out.audio_tools.positions")) {
        AudioLatentTools tools;
        tools.target_shape = as;
        tools.target_shape.batch = 1;
        LatentState st = tools.create_initial_state(audio.slice(0, 0, 1).contiguous());
        run.compare("out.audio_tools.positions", st.positions, kPositionTol);
        run.compare_if_present("out.audio_tools.denoise_mask", st.denoise_mask, kExact);
    }

    // Shape table: pixel shape -> latent shapes and token counts (checked, errors on mismatch).
    if (run.has_meta("shape_table")) {
        for (const json& row : run.meta_json("shape_table")) {
            const auto px = row.at("pixel");
            const int64_t frames = px.at(0).get<int64_t>(), h = px.at(1).get<int64_t>(), w = px.at(2).get<int64_t>();
            const double fps = px.at(3).get<double>();
            const Shape vlat = row.at("video_latent").get<Shape>(), alat = row.at("audio_latent").get<Shape>();
            const VideoLatentShape v = video_latent_shape_from_pixels(vlat.at(0), frames, h, w, vlat.at(1));
            const AudioLatentShape a = audio_latent_shape_from_video(alat.at(0), frames, fps, alat.at(1), alat.at(3));
            LTX2_CHECK(v.shape() == vlat, "{}: shape_table pixel {}: video latent {} != reference {}", ctx, px.dump(),
                       shape_str(v.shape()), shape_str(vlat));
            LTX2_CHECK(a.shape() == alat, "{}: shape_table pixel {}: audio latent {} != reference {}", ctx, px.dump(),
                       shape_str(a.shape()), shape_str(alat));
            const int64_t vt = VideoLatentPatchifier(1).token_count(v), at = AudioPatchifier(1).token_count(a);
            LTX2_CHECK(vt == row.at("video_tokens").get<int64_t>() && at == row.at("audio_tokens").get<int64_t>(),
                       "{}: shape_table pixel {}: token counts {}/{} != reference {}/{}", ctx, px.dump(), vt, at,
                       row.at("video_tokens").dump(), row.at("audio_tokens").dump());
        }
    }
}

// ---- components.guiders ---------------------------------------------------------------------

namespace {

MultiModalGuiderParams params_from_json(const json& j) {
    MultiModalGuiderParams p;
    if (j.contains("cfg_scale")) p.cfg_scale = j.at("cfg_scale").get<double>();
    if (j.contains("stg_scale")) p.stg_scale = j.at("stg_scale").get<double>();
    if (j.contains("rescale_scale")) p.rescale_scale = j.at("rescale_scale").get<double>();
    if (j.contains("modality_scale")) p.modality_scale = j.at("modality_scale").get<double>();
    if (j.contains("skip_step")) p.skip_step = j.at("skip_step").get<int>();
    if (j.contains("stg_blocks") && !j.at("stg_blocks").is_null()) p.stg_blocks = j.at("stg_blocks").get<std::vector<int>>();
    return p;
}

// A branch of the multimodal call: the number the params give (`uncond_*`), else the tensor.
GuidanceBranch branch_from(const json& j, const std::string& key, const Tensor& t) {
    if (j.contains(key)) return GuidanceBranch(j.at(key).get<double>());
    return GuidanceBranch(t);
}

}  // namespace

void parity_components_guiders(ParityRun& run) {
    const std::string ctx = run.io_path();
    const Tensor cond = run.input("in.cond"), uncond = run.input("in.uncond"), perturbed = run.input("in.perturbed"),
                 modality = run.input("in.modality");
    run.compare("out.cfg_3.delta", cfg_delta(3.0, cond, uncond), kGuiderTol);
    run.compare("out.cfg_star_3.delta", cfg_star_delta(3.0, cond, uncond), kGuiderTol);
    run.compare("out.stg_1.delta", stg_delta(1.0, cond, perturbed), kGuiderTol);
    run.compare("out.apg_3.delta", apg_delta(3.0, cond, uncond), kGuiderTol);
    run.compare("out.apg_3_eta05_norm2.delta", apg_delta(3.0, cond, uncond, 0.5, 2.0), kGuiderTol);
    LegacyStatefulAPGGuider legacy(2.0, 0.8, 5.0, 0.5);
    run.compare("out.legacy_apg.call1", legacy.delta(cond, uncond), kGuiderTol);
    run.compare("out.legacy_apg.call2", legacy.delta(perturbed, modality), kGuiderTol);

    const json params = run.meta_json("multimodal_params");
    for (auto it = params.begin(); it != params.end(); ++it) {
        const MultiModalGuider g(params_from_json(it.value()));
        const Tensor pred = g.calculate(cond, branch_from(it.value(), "uncond_text", uncond),
                                        branch_from(it.value(), "uncond_perturbed", perturbed),
                                        branch_from(it.value(), "uncond_modality", modality));
        run.compare("out.multimodal." + it.key(), pred, kGuiderTol);
    }

    // Flags (no tensors): a mismatch is an error naming the case.
    if (run.has_meta("generation_flags")) {
        const json flags = run.meta_json("generation_flags");
        for (auto it = flags.begin(); it != flags.end(); ++it) {
            LTX2_CHECK(params.contains(it.key()), "{}: generation_flags case '{}' has no multimodal_params", ctx,
                       it.key());
            const MultiModalGuider g(params_from_json(params.at(it.key())));
            const json& f = it.value();
            LTX2_CHECK(g.do_unconditional_generation() == f.at("unconditional").get<bool>() &&
                           g.do_perturbed_generation() == f.at("perturbed").get<bool>() &&
                           g.do_isolated_modality_generation() == f.at("isolated_modality").get<bool>(),
                       "{}: generation flags of '{}' differ from the reference {}", ctx, it.key(), f.dump());
        }
    }
    if (run.has_meta("should_skip_step_by_skip_step")) {
        const json skips = run.meta_json("should_skip_step_by_skip_step");
        for (auto it = skips.begin(); it != skips.end(); ++it) {
            MultiModalGuiderParams p;
            p.skip_step = std::stoi(it.key());
            const MultiModalGuider g(p);
            for (size_t step = 0; step < it.value().size(); ++step)
                LTX2_CHECK(g.should_skip_step(int(step)) == it.value().at(step).get<bool>(),
                           "{}: should_skip_step(skip_step={}, step={}) differs from the reference", ctx, it.key(),
                           step);
        }
    }
    if (run.has_meta("enabled")) {
        const json en = run.meta_json("enabled");
        for (auto it = en.begin(); it != en.end(); ++it) {
            const std::string& k = it.key();  // "Name(scale)"
            const auto open = k.find('(');
            LTX2_CHECK(open != std::string::npos && k.back() == ')', "{}: enabled key '{}' is not Name(scale)", ctx, k);
            const std::string name = k.substr(0, open);
            const double scale = std::stod(k.substr(open + 1, k.size() - open - 2));
            bool got;
            if (name == "CFGGuider") got = cfg_enabled(scale);
            else if (name == "CFGStarRescalingGuider") got = cfg_star_enabled(scale);
            else if (name == "STGGuider") got = stg_enabled(scale);
            else if (name == "LtxAPGGuider") got = apg_enabled(scale);
            else if (name == "LegacyStatefulAPGGuider") got = LegacyStatefulAPGGuider(scale, 1.0).enabled();
            else fail("{}: enabled: unknown guider '{}'", ctx, name);
            LTX2_CHECK(got == it.value().get<bool>(), "{}: {}.enabled() = {} differs from the reference", ctx, k, got);
        }
    }
}

// ---- components.diffusion_steps -------------------------------------------------------------

void parity_components_diffusion_steps(ParityRun& run) {
    const std::string ctx = run.io_path();
    const Tensor sample = run.input("in.sample"), denoised = run.input("in.denoised"), clean = run.input("in.clean"),
                 mask = run.input("in.denoise_mask");
    const std::vector<float> sigmas = host_values(run.input("in.sigmas"));
    int steps = 0;
    for (int i = 0; i + 1 < int(sigmas.size()); ++i) {
        const std::string name = "out.euler.step" + std::to_string(i);
        if (!run.has(name)) continue;
        run.compare(name, euler_step(sample, denoised, sigmas, i), kStepTol);
        ++steps;
    }
    LTX2_CHECK(steps > 0, "{}: no out.euler.stepI in the fixture", ctx);
    // The helpers' sigma index, from metadata `calls` ("to_velocity(in.sample, in.sigmas[K], ...)").
    const std::string call = run.meta_json("calls").at("to_velocity").get<std::string>();
    const auto at = call.find("in.sigmas[");
    LTX2_CHECK(at != std::string::npos, "{}: calls.to_velocity names no in.sigmas[K]: {}", ctx, call);
    const int kHelperSigma = std::stoi(call.substr(at + 10));
    LTX2_CHECK(int(sigmas.size()) > kHelperSigma, "{}: in.sigmas has {} entries, the helpers use index {}", ctx,
               sigmas.size(), kHelperSigma);
    const float sigma = sigmas[kHelperSigma];
    run.compare("out.to_velocity", to_velocity(sample, sigma, denoised), kStepTol);
    const Tensor timesteps = timesteps_from_mask(mask, sigma);
    run.compare("out.timesteps_from_mask", timesteps, kStepTol);
    run.compare("out.to_denoised_per_token", to_denoised(sample, denoised, timesteps), kStepTol);
    run.compare("out.post_process_latent", post_process_latent(denoised, mask, clean), kStepTol);
}

}  // namespace ltx2
