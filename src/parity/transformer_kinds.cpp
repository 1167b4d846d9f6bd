// transformer.x0 / ltx23.transformer.x0: the LTX-2 / LTX-2.3 transformer (velocity) and
// X0Model (denoised) on a golden fixture, for every perturbation / disabled-stream case the
// fixture holds.
#include <map>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "io/weight_store.h"
#include "models/transformer/model.h"
#include "pipelines/model_loading.h"
#include "parity/kinds.h"

namespace ltx2 {

namespace {

// One call of the model as a fixture case describes it.
struct Case {
    std::string name;    // "(none)", "stg", ...
    std::string prefix;  // "out." or "out.NAME."
    int batch = 1;       // inputs repeated to this batch
    std::vector<PerturbationConfig> samples;  // one per sample (empty: none)
    bool video_enabled = true;
    bool audio_enabled = true;
    bool without_keyframes_mask = false;  // the video Modality's keyframes_mask is None
};

PerturbationConfig parse_perturbation(const std::string& text) {
    static const std::pair<const char*, PerturbationType> kTypes[] = {
        {"SKIP_A2V_CROSS_ATTN", PerturbationType::SkipA2VCrossAttn},
        {"SKIP_V2A_CROSS_ATTN", PerturbationType::SkipV2ACrossAttn},
        {"SKIP_VIDEO_SELF_ATTN", PerturbationType::SkipVideoSelfAttn},
        {"SKIP_AUDIO_SELF_ATTN", PerturbationType::SkipAudioSelfAttn},
    };
    std::optional<std::vector<int>> blocks;
    std::smatch m;
    if (std::regex_search(text, m, std::regex(R"(blocks\s*=?\s*\[([0-9,\s]*)\])"))) {
        blocks.emplace();
        std::string list = m[1];
        std::regex num(R"(\d+)");
        for (auto it = std::sregex_iterator(list.begin(), list.end(), num); it != std::sregex_iterator(); ++it)
            blocks->push_back(std::stoi(it->str()));
    }
    PerturbationConfig config;
    for (const auto& [token, type] : kTypes)
        if (text.find(token) != std::string::npos) config.perturbations.push_back({type, blocks});
    return config;
}

// The cases of `perturbation_cases` (name → description, as the README documents them).
std::vector<Case> parse_cases(const ParityRun& run) {
    std::vector<Case> cases{{"(none)", "out.", 1, {}, true, true}};
    if (!run.has_meta("perturbation_cases")) return cases;
    const nlohmann::json j = run.meta_json("perturbation_cases");
    std::map<std::string, std::string> text;
    for (const auto& [name, value] : j.items()) text[name] = value.is_string() ? value.get<std::string>() : value.dump();
    for (const auto& [name, description] : text) {
        if (name == "(none)") continue;
        Case c{name, "out." + name + ".", 1, {}, true, true};
        std::smatch m;
        if (std::regex_search(description, m, std::regex(R"((video|audio) Modality with enabled=False)")))
            (m[1] == "video" ? c.video_enabled : c.audio_enabled) = false;
        c.without_keyframes_mask = description.find("keyframes_mask=None") != std::string::npos;
        if (std::regex_search(description, m, std::regex(R"(repeated to batch (\d+))"))) {
            c.batch = std::stoi(m[1]);
            c.samples.resize(size_t(c.batch));
            std::regex per_sample(R"(sample (\d+) the (\w+) perturbation)");
            for (auto it = std::sregex_iterator(description.begin(), description.end(), per_sample);
                 it != std::sregex_iterator(); ++it) {
                const int index = std::stoi((*it)[1]);
                const std::string other = (*it)[2];
                if (index >= c.batch || !text.count(other))
                    fail("{}: perturbation case '{}' refers to sample {} / case '{}' it does not define",
                         run.io_path(), name, index, other);
                c.samples[size_t(index)] = parse_perturbation(text[other]);
            }
        } else {
            PerturbationConfig p = parse_perturbation(description);
            if (!p.perturbations.empty()) c.samples.assign(1, p);
        }
        cases.push_back(std::move(c));
    }
    return cases;
}

Tensor repeat_batch(const Tensor& t, int n) {
    if (!t.defined() || n == 1) return t;
    Shape shape = t.shape();
    const int64_t b = shape[0];
    shape[0] = b * n;
    Tensor out = Tensor::zeros(shape, t.dtype());
    for (int i = 0; i < n; ++i) {
        Tensor dst = out.slice(0, i * b, (i + 1) * b);
        dst.copy_from(t);
    }
    return out;
}

Tensor optional_input(const ParityRun& run, const std::string& name) {
    return run.has(name) ? run.input(name) : Tensor();
}

Modality read_modality(const ParityRun& run, const std::string& s, bool bf16_positions) {
    Modality m;
    m.latent = run.input("in." + s + "_latent");
    m.timesteps = run.input("in." + s + "_timesteps");
    m.positions = run.input("in." + s + "_positions");
    if (bf16_positions) m.positions = m.positions.to(DType::BF16);
    m.context = run.input("in." + s + "_context");
    m.context_mask = optional_input(run, "in." + s + "_context_mask");
    m.sigma = optional_input(run, "in." + s + "_sigma");
    m.attention_mask = optional_input(run, "in." + s + "_attention_mask");
    m.keyframes_mask = optional_input(run, "in." + s + "_keyframes_mask");
    return m;
}

// A case's own inputs (`in.<case>.<stream>_sigma` / `_timesteps`, e.g. a frozen stream)
// replace the common ones.
Modality for_case(const ParityRun& run, const Modality& m, const Case& c, const std::string& stream, bool enabled) {
    Modality out = m;
    const std::string own = "in." + c.name + "." + stream + "_";
    if (run.has(own + "sigma")) out.sigma = run.input(own + "sigma");
    if (run.has(own + "timesteps")) out.timesteps = run.input(own + "timesteps");
    out.latent = repeat_batch(m.latent, c.batch);
    out.timesteps = repeat_batch(out.timesteps, c.batch);
    out.positions = repeat_batch(m.positions, c.batch);
    out.context = repeat_batch(m.context, c.batch);
    out.context_mask = repeat_batch(m.context_mask, c.batch);
    out.sigma = repeat_batch(out.sigma, c.batch);
    out.attention_mask = repeat_batch(m.attention_mask, c.batch);
    out.keyframes_mask = c.without_keyframes_mask ? Tensor() : repeat_batch(m.keyframes_mask, c.batch);
    out.enabled = enabled;
    return out;
}

// transformer.x0 (19B semantics) and ltx23.transformer.x0 (the 400fd31 code path of LTX-2.3 and
// LTX-2.5) share the run; the kind names the reference semantics the model file must select.
void run_transformer_x0(ParityRun& run, bool ltx23_code_path, const char* kind) {
    // --weights may name a transformer-only file without a config (e.g. a ComfyUI-GGUF one): the
    // fixture's model then provides it, as `ltx2 --transformer` does.
    const std::shared_ptr<const LTXModel> loaded =
        load_transformer(LtxFilePaths{run.fixture_model_path(), run.weights_override()}, {}, Precision::BF16);
    const LTXModel& model = *loaded;
    const ModelSemantics& semantics = model.config().semantics;
    if (semantics.is_ltx23() != ltx23_code_path)
        fail("{}: kind {} needs a model of its reference semantics, but {} is {}", run.io_path(), kind,
             run.fixture_model_path(), semantics.name());
    const bool bf16 = model.bf16();
    const double out_tol = bf16 ? 3e-2 : 1e-5;

    // The 19B bf16 pipeline creates video positions in bf16 (VideoLatentTools casts them to the
    // latent dtype); audio positions stay float32.
    const Modality video = read_modality(run, "video", bf16 && !semantics.bf16_pipeline_video_positions_f32);
    const bool has_audio = model.config().has_audio() && run.has("in.audio_latent");
    const Modality audio = has_audio ? read_modality(run, "audio", false) : Modality{};

    for (const Case& c : parse_cases(run)) {
        const bool present = run.has(c.prefix + "video_velocity") || run.has(c.prefix + "audio_velocity") ||
                             run.has(c.prefix + "video_denoised") || run.has(c.prefix + "audio_denoised");
        if (!present) continue;
        const Modality v = for_case(run, video, c, "video", c.video_enabled);
        const Modality a = has_audio ? for_case(run, audio, c, "audio", c.audio_enabled) : Modality{};
        BatchedPerturbations p;
        p.samples = c.samples;
        if (!p.samples.empty() && int(p.samples.size()) != c.batch) p = BatchedPerturbations::uniform(c.batch, c.samples[0]);

        DebugTap tap;
        if (c.name == "(none)")
            tap = [&run](const std::string& name, const Tensor& value) {
                const bool rope = name.find("rope") != std::string::npos;
                run.compare_if_present("dbg." + name, value, rope ? 1e-6 : 1e-5);
            };
        AVTensors velocity;
        const AVTensors denoised = x0_forward(model, &v, has_audio ? &a : nullptr, p, nullptr, &velocity, tap);
        for (const char* s : {"video", "audio"}) {
            const bool is_video = std::string(s) == "video";
            const Tensor& vel = is_video ? velocity.video : velocity.audio;
            const Tensor& x0 = is_video ? denoised.video : denoised.audio;
            if (!vel.defined()) continue;
            run.compare_if_present(c.prefix + s + "_velocity", vel, out_tol);
            run.compare_if_present(c.prefix + s + "_denoised", x0, out_tol);
        }
    }
}

}  // namespace

void parity_transformer_x0(ParityRun& run) { run_transformer_x0(run, false, "transformer.x0"); }

void parity_ltx23_transformer_x0(ParityRun& run) { run_transformer_x0(run, true, "ltx23.transformer.x0"); }

}  // namespace ltx2
