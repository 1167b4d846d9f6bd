// Golden-parity kinds of the rotary position embeddings (see golden/rope/README.md).
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "kernels/cpu/rope.h"
#include "ops/rope.h"
#include "parity/kinds.h"

namespace ltx2 {

namespace {

constexpr double kTableTol = 1e-6;     // cos/sin in [-1, 1]: relative = absolute
constexpr double kAngleTol = 1e-7;     // angles: exact float32 operations, bit for bit expected
constexpr double kBf16TableTol = 8e-3; // one bf16 ulp near 1
constexpr double kApplyTol = 1e-6;

nlohmann::json meta_json(const ParityRun& run, const std::string& key) {
    const std::string v = run.meta(key);
    try {
        return nlohmann::json::parse(v);
    } catch (const std::exception&) {
        return nlohmann::json(v);  // a bare string
    }
}

double meta_number(const ParityRun& run, const std::string& key) {
    auto j = meta_json(run, key);
    if (j.is_number()) return j.get<double>();
    if (j.is_string()) return std::stod(j.get<std::string>());
    fail("{}: metadata '{}' is not a number", run.io_path(), key);
}

bool meta_bool(const ParityRun& run, const std::string& key, bool fallback) {
    if (!run.has_meta(key)) return fallback;
    auto j = meta_json(run, key);
    if (j.is_boolean()) return j.get<bool>();
    if (j.is_string()) return j.get<std::string>() == "true" || j.get<std::string>() == "True";
    fail("{}: metadata '{}' is not a boolean", run.io_path(), key);
}

// The spec a fixture describes: `{prefix}dim`, `{prefix}max_pos` plus the shared keys.
RopeSpec spec_from_meta(const ParityRun& run, const std::string& prefix, RopeLayout layout) {
    RopeSpec s;
    s.dim = int(meta_number(run, prefix + "dim"));
    s.heads = int(meta_number(run, "num_attention_heads"));
    s.theta = run.has_meta("theta") ? meta_number(run, "theta") : 10000.0;
    auto mp = meta_json(run, prefix + "max_pos");
    LTX2_CHECK(mp.is_array(), "{}: metadata '{}max_pos' must be a list", run.io_path(), prefix);
    for (auto& v : mp) s.max_pos.push_back(v.get<double>());
    s.layout = layout;
    s.float64_frequencies = !run.has_meta("frequencies_precision") || run.meta("frequencies_precision") == "float64";
    s.middle_indices = meta_bool(run, "use_middle_indices_grid", true);
    return s;
}

// [B, T, dim/2] split table -> the reference's (B, heads, T, hd/2).
Tensor per_head(const Tensor& table, int heads) {
    const int64_t B = table.size(0), T = table.size(1), W = table.size(2);
    return table.reshape({B, T, heads, W / heads}).permute({0, 2, 1, 3}).contiguous();
}

Tensor rounded_bf16(const Tensor& t) { return t.to(DType::BF16).to(DType::F32); }

// The angles straight from the kernel (not an op), so in host memory whatever the device.
Tensor host_rope_angles(const Tensor& positions, const RopeSpec& spec) {
    const DeviceScope host(Device::Cpu);
    return cpu::rope_angles(positions.to_device(Device::Cpu), spec);
}

Tensor grid_tensor(const std::vector<float>& g) { return Tensor::from_f32({int64_t(g.size())}, g); }

void check_split_tables(ParityRun& run, const Tensor& positions, const RopeSpec& spec, const std::string& cos_name,
                        const std::string& sin_name, const std::string& grid_name, const std::string& freqs_name,
                        bool bf16_out) {
    RopeTable tab = rope_table(positions, spec);
    Tensor c = per_head(tab.cos, spec.heads), s = per_head(tab.sin, spec.heads);
    if (bf16_out) {
        run.compare(cos_name, rounded_bf16(c), kBf16TableTol);
        run.compare(sin_name, rounded_bf16(s), kBf16TableTol);
    } else {
        run.compare(cos_name, c, kTableTol);
        run.compare(sin_name, s, kTableTol);
    }
    const int n_axes = int(positions.size(1));
    if (!grid_name.empty()) run.compare_if_present(grid_name, grid_tensor(cpu::rope_frequency_grid(spec, n_axes)), kAngleTol);
    if (!freqs_name.empty() && run.has(freqs_name)) run.compare(freqs_name, host_rope_angles(positions, spec), kAngleTol);
}

}  // namespace

void parity_rope_apply(ParityRun& run) {
    Tensor positions = run.input("in.positions");
    Tensor q = run.input("in.q"), k = run.input("in.k");
    RopeSpec split = spec_from_meta(run, "", RopeLayout::Split);
    LTX2_CHECK(q.size(-1) == split.dim, "{}: in.q width {} does not match metadata dim {}", run.io_path(),
               q.size(-1), split.dim);
    RopeTable st = rope_table(positions, split);
    run.compare_if_present("dbg.split_cos", per_head(st.cos, split.heads), kTableTol);
    run.compare_if_present("dbg.split_sin", per_head(st.sin, split.heads), kTableTol);
    Tensor qs = q.to(DType::F32).clone(), ks = k.to(DType::F32).clone();
    rope_apply_inplace(qs, st);
    rope_apply_inplace(ks, st);
    run.compare_if_present("out.split_q", qs, kApplyTol);
    run.compare_if_present("out.split_k", ks, kApplyTol);

    RopeSpec inter = split;
    inter.layout = RopeLayout::Interleaved;
    RopeTable it = rope_table(positions, inter);
    run.compare_if_present("dbg.interleaved_cos", it.cos, kTableTol);
    run.compare_if_present("dbg.interleaved_sin", it.sin, kTableTol);
    Tensor qi = q.to(DType::F32).clone(), ki = k.to(DType::F32).clone();
    rope_apply_inplace(qi, it);
    rope_apply_inplace(ki, it);
    run.compare_if_present("out.interleaved_q", qi, kApplyTol);
    run.compare_if_present("out.interleaved_k", ki, kApplyTol);
}

void parity_rope_video_freqs(ParityRun& run) {
    Tensor positions = run.input("in.positions");
    RopeSpec spec = spec_from_meta(run, "", RopeLayout::Split);
    check_split_tables(run, positions, spec, "out.cos", "out.sin", "dbg.freq_grid", "dbg.freqs", false);
    if (run.has("dbg.freq_grid_float32_generator")) {
        RopeSpec f32 = spec;
        f32.float64_frequencies = false;
        run.compare("dbg.freq_grid_float32_generator", grid_tensor(cpu::rope_frequency_grid(f32, int(positions.size(1)))),
                    1e-6);
    }
}

void parity_rope_audio_and_cross_freqs(ParityRun& run) {
    Tensor audio = run.input("in.audio_positions");
    RopeSpec aspec = spec_from_meta(run, "audio_", RopeLayout::Split);
    check_split_tables(run, audio, aspec, "out.audio_cos", "out.audio_sin", "dbg.audio_freq_grid", "dbg.audio_freqs",
                       false);
    // AV cross-attention: the time axis only of each stream's positions.
    RopeSpec cspec = spec_from_meta(run, "cross_", RopeLayout::Split);
    if (run.has("in.video_positions")) {
        Tensor video_t = run.input("in.video_positions").slice(1, 0, 1);
        check_split_tables(run, video_t, cspec, "out.cross_video_cos", "out.cross_video_sin", "", "", false);
    }
    check_split_tables(run, audio.slice(1, 0, 1), cspec, "out.cross_audio_cos", "out.cross_audio_sin", "", "", false);
}

void parity_rope_video_freqs_bf16_positions(ParityRun& run) {
    // The positions hold bf16 values (stored widened): the pipeline's bf16 position arithmetic.
    Tensor positions = run.input("in.positions").to(DType::BF16);
    RopeSpec spec = spec_from_meta(run, "", RopeLayout::Split);
    check_split_tables(run, positions, spec, "out.cos", "out.sin", "dbg.freq_grid", "dbg.freqs", true);
}

}  // namespace ltx2
