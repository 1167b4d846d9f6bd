// The audio half of LTX-2 decoding at full size: the audio VAE decoder (latent -> log-mel)
// and the vocoders (log-mel -> 24 kHz stereo waveform for LTX-2 19B; BigVGAN v2 to 16 kHz plus
// bandwidth extension to 48 kHz for LTX-2.3), with random bf16 weights written from
// the tensor manifests to temporary checkpoints (deleted afterwards). The latent length for a
// clip of --seconds is derived as the pipelines do: video frames 8k+1 at 24 fps, then
// audio_latent_shape_from_video. Reports wall time per stage (median, min and max of --reps), the
// real-time factor, the conv GFLOP/s counted from the weight shapes and their share of a plain
// oneDNN convolution of the stage's arithmetic (bf16, or f32 for the 2.3 vocoder) measured in the
// same process (%conv), and peak RSS.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <omp.h>

#include "audio_weights_bench.h"
#include "bench_util.h"
#include "manifest_bench.h"
#include "sample_stats.h"
#include "core/error.h"
#include "core/memory_stats.h"
#include "core/sha256.h"
#include "diffusion/patchifiers.h"
#include "io/safetensors.h"
#include "io/weight_store.h"
#include "models/audio_vae/model.h"
#include "models/vocoder/model.h"
#include "ops/op_profile.h"

using namespace ltx2;
using namespace ltx2::bench;
namespace fs = std::filesystem;

namespace {

std::string write_model(const nlohmann::json& manifest, const std::string& skip, const VocoderConfig* vocoder,
                        const fs::path& file, uint64_t seed) {
    write_safetensors(file.string(), random_audio_weights(manifest, skip, vocoder, seed),
                      {{"config", manifest_config(manifest).dump()}});
    return file.string();
}

// Multiply-adds x2 of the audio VAE decoder's convolutions, from the manifest's weight shapes.
// Level l runs at (frames_l, mel_l); the upsample conv of level l runs at level l-1's size.
double audio_vae_gflop(const nlohmann::json& manifest, const AudioVaeConfig& c, const Shape& latent) {
    const int levels = c.levels();
    std::vector<double> frames(static_cast<size_t>(levels)), bins(static_cast<size_t>(levels));
    for (int l = 0; l < levels; ++l) {
        const int f = 1 << (levels - 1 - l);
        frames[size_t(l)] = c.causal ? std::max<double>(double(latent[2]) * f - (f - 1), 1) : double(latent[2]) * f;
        bins[size_t(l)] = double(latent[3]) * f;
    }
    double flop = 0;
    const std::string dec = "audio_vae.decoder.";
    for (const auto& t : manifest.at("tensors")) {
        std::string name = t.at("name");
        Shape s = t.at("shape").get<Shape>();
        if (name.rfind(dec, 0) != 0 || !name.ends_with(".weight") || s.size() != 4) continue;
        const std::string rest = name.substr(dec.size());
        int level = levels - 1;  // conv_in, mid
        if (rest.rfind("conv_out", 0) == 0) level = 0;
        else if (rest.rfind("up.", 0) == 0) {
            level = std::stoi(rest.substr(3));
            if (rest.find("upsample") != std::string::npos) level -= 1;
        }
        flop += 2.0 * double(s[0]) * double(s[1]) * double(s[2]) * double(s[3]) * frames[size_t(level)] *
                bins[size_t(level)];
    }
    return flop / 1e9;
}

// Same for one vocoder generator (tensors under `prefix`): conv_pre at the mel length, ups.i /
// resblocks of stage i at the length after upsample i, conv_post (and the anti-aliased
// activations' 2x-rate filtering, ignored here) at the output length.
double generator_gflop(const nlohmann::json& manifest, const VocoderGeneratorConfig& c, const std::string& prefix,
                       int64_t mel_frames) {
    std::vector<double> len(static_cast<size_t>(c.num_upsamples()) + 1);
    len[0] = double(mel_frames);
    for (int i = 0; i < c.num_upsamples(); ++i) len[size_t(i) + 1] = len[size_t(i)] * c.upsample_rates[size_t(i)];
    double flop = 0;
    for (const auto& t : manifest.at("tensors")) {
        std::string name = t.at("name");
        Shape s = t.at("shape").get<Shape>();
        if (name.rfind(prefix, 0) != 0 || !name.ends_with(".weight") || s.size() != 3) continue;
        name = name.substr(prefix.size());
        const double macs_per_out = double(s[0]) * double(s[1]) * double(s[2]);
        double l = len.back();
        if (name == "conv_pre.weight") l = len[0];
        else if (name.rfind("ups.", 0) == 0) l = len[size_t(std::stoi(name.substr(4)))];  // input length
        else if (name.rfind("resblocks.", 0) == 0) l = len[size_t(std::stoi(name.substr(10)) / c.num_kernels()) + 1];
        flop += 2.0 * macs_per_out * l;
    }
    return flop / 1e9;
}

// The whole vocoder; with bandwidth extension the second generator runs at one mel frame per hop.
double vocoder_gflop(const nlohmann::json& manifest, const VocoderConfig& c, int64_t mel_frames) {
    if (!c.bwe) return generator_gflop(manifest, c.vocoder, "vocoder.", mel_frames);
    const int64_t samples = mel_frames * c.vocoder.upsample_factor();
    const int64_t bwe_frames = (samples + c.bwe->hop_length - 1) / c.bwe->hop_length;
    return generator_gflop(manifest, c.vocoder, "vocoder.vocoder.", mel_frames) +
           generator_gflop(manifest, c.bwe->generator, "vocoder.bwe_generator.", bwe_frames);
}

void check_finite(const Tensor& t, const char* what) {
    const std::vector<float> v = t.to_vector();
    for (float x : v)
        if (!std::isfinite(x)) fail("non-finite value in the {} output", what);
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Times the full-size LTX-2 audio VAE decoder and the LTX-2 / LTX-2.3 vocoders (random bf16 weights)."};
    const std::string golden = std::string(LTX2_SOURCE_DIR) + "/tests/golden/";
    std::string vae_manifest_path = golden + "manifest/audio_vae.json", voc_manifest_path = golden + "manifest/vocoder.json";
    std::string bwe_manifest_path = golden + "ltx23/manifest/vocoder.json";
    double seconds = 5.0, fps = 24.0;
    int reps = 3;
    bool profile = false;
    std::string tmp = fs::temp_directory_path().string();
    app.add_option("--seconds", seconds, "clip length; video frames are the nearest 8k+1 at --fps (5 s -> 121)");
    app.add_option("--fps", fps, "video frame rate the clip length is derived from");
    app.add_option("--reps", reps, "timed repetitions (the median, min and max are reported)");
    app.add_option("--tmp", tmp, "folder for the random-weight checkpoints (deleted afterwards)");
    app.add_flag("--profile", profile, "print each vocoder call's op profile (ops/op_profile.h), first and last repetition");
    app.add_option("--vae-manifest", vae_manifest_path, "tensor manifest of the audio VAE");
    app.add_option("--vocoder-manifest", voc_manifest_path, "tensor manifest of the LTX-2 (19B) HiFi-GAN vocoder");
    app.add_option("--bwe-vocoder-manifest", bwe_manifest_path,
                   "tensor manifest of the LTX-2.3 BigVGAN-v2 + bandwidth-extension vocoder ('' skips it)");
    CLI11_PARSE(app, argc, argv);

    try {
        LTX2_CHECK(seconds > 0 && fps > 0 && reps >= 1, "need --seconds > 0, --fps > 0, --reps >= 1");
        const nlohmann::json vae_manifest = read_manifest(vae_manifest_path);
        print_machine();

        struct Bench {
            std::string name, manifest_path, file;
            nlohmann::json manifest;
            Vocoder vocoder;
            std::vector<double> seconds;  // per repetition
            Tensor wave;
            std::vector<std::string> profiles;  // per repetition, with --profile
        };
        std::vector<Bench> vocoders;
        vocoders.push_back({"vocoder (19B, HiFi-GAN)", voc_manifest_path, "ltx2_bench_audio_vocoder.safetensors", {}, {}, {}, {}, {}});
        if (!bwe_manifest_path.empty())
            vocoders.push_back(
                {"vocoder (2.3, BWE 48k)", bwe_manifest_path, "ltx2_bench_audio_vocoder_bwe.safetensors", {}, {}, {}, {}, {}});

        const fs::path dir(tmp);
        std::fprintf(stderr, "writing random-weight checkpoints to %s ...\n", tmp.c_str());
        const std::string vae_path = write_model(vae_manifest, ".encoder.", nullptr, dir / "ltx2_bench_audio_vae.safetensors", 7);
        uint64_t seed = 1007;
        for (Bench& b : vocoders) {
            b.manifest = read_manifest(b.manifest_path);
            const VocoderConfig config = parse_vocoder_config(manifest_config(b.manifest), b.manifest_path);
            b.file = write_model(b.manifest, "", &config, dir / b.file, seed++);
        }

        auto t_load = Clock::now();
        const AudioDecoder decoder = AudioDecoder::load(WeightStore::open(vae_path, "audio_vae."));
        for (Bench& b : vocoders) b.vocoder = Vocoder::load(WeightStore::open(b.file, "vocoder."));
        const double load_s = seconds_since(t_load);
        const AudioVaeConfig& vc = decoder.config();

        // Video frames 8k+1 nearest to seconds·fps, then the audio latent the pipelines use.
        const int64_t video_frames = 8 * std::max<int64_t>(0, std::llround((seconds * fps - 1.0) / 8.0)) + 1;
        const AudioLatentShape als = audio_latent_shape_from_video(1, video_frames, fps, vc.z_channels,
                                                                   vc.latent_mel_bins(), vc.sampling_rate,
                                                                   vc.hop_length, vc.downsample_factor());
        const Tensor latent = random_tensor(als.shape(), DType::F32, 1.0f, 11);
        std::printf("clip: %lld video frames at %.0f fps = %.3f s\n", (long long)video_frames, fps,
                    double(video_frames) / fps);
        std::printf("audio latent: %s\n", shape_str(als.shape()).c_str());
        std::printf("weights: load (mmap; the BWE vocoder converts to float32) %.2f s\n", load_s);

        std::vector<double> vae_seconds;
        Tensor mel;
        for (int r = 0; r < reps; ++r) {
            auto t0 = Clock::now();
            mel = decoder.forward(latent);
            const double t_vae = seconds_since(t0);
            check_finite(mel, "audio VAE");
            vae_seconds.push_back(t_vae);
            std::fprintf(stderr, "rep %d: VAE %.3f s", r + 1, t_vae);
            for (Bench& b : vocoders) {
                reset_op_profile();
                set_op_profiling(profile);
                auto t1 = Clock::now();
                b.wave = b.vocoder.forward(mel);
                const double t = seconds_since(t1);
                set_op_profiling(false);
                if (profile) b.profiles.push_back(describe_op_profile(op_profile(), t));
                check_finite(b.wave, b.name.c_str());
                b.seconds.push_back(t);
                std::fprintf(stderr, ", %s %.3f s", b.name.c_str(), t);
            }
            std::fprintf(stderr, "\n");
        }
        fs::remove(vae_path);
        for (const Bench& b : vocoders) fs::remove(b.file);

        std::printf("mel: %s\n", shape_str(mel.shape()).c_str());
        for (const Bench& b : vocoders) {
            const int64_t samples = b.wave.size(-1);
            std::printf("%s waveform: %s = %lld samples per channel at %d Hz = %.3f s\n", b.name.c_str(),
                        shape_str(b.wave.shape()).c_str(), (long long)samples, b.vocoder.output_sample_rate(),
                        double(samples) / b.vocoder.output_sample_rate());
        }
        const double audio_s = double(vocoders[0].wave.size(-1)) / vocoders[0].vocoder.output_sample_rate();

        const double g_vae = audio_vae_gflop(vae_manifest, vc, als.shape());
        // Each stage against the convolution peak of its own arithmetic: bf16 for the audio VAE and
        // the 19B vocoder; f32 for the 2.3 vocoder, which runs in float32 as the reference does
        // (models/vocoder/weights.cpp).
        const double bf16_peak = onednn_bf16_conv_gflops(), f32_peak = onednn_f32_conv_gflops();
        std::printf("\noneDNN convolution 512->512 3x3x3 on 8x32x32: bf16 %.0f GFLOP/s, f32 %.0f GFLOP/s (the "
                    "reference peaks)\n",
                    bf16_peak, f32_peak);
        std::printf("median [min - max] of %d; real-time factor = audio seconds / median wall seconds; %%conv = the\n"
                    "time the stage's GFLOP take at the peak of its arithmetic / its median time\n",
                    reps);
        std::printf("%-32s %23s %8s %8s %9s %7s %5s\n", "stage", "wall s [min - max]", "RTF", "GFLOP", "GFLOP/s", "%conv",
                    "peak");
        struct Work {
            double gflop, peak;
        };
        auto row = [&](const char* name, const std::vector<double>& seconds, const std::vector<Work>& work) {
            const Spread s = spread_of(seconds);
            double g = 0, ideal = 0;
            for (const Work& w : work) {
                g += w.gflop;
                ideal += w.gflop / w.peak;
            }
            const bool mixed = work.size() > 1 && work.front().peak != work.back().peak;
            std::printf("%-32s %7.3f [%6.3f - %6.3f] %8.1f %8.1f %9.0f %6.0f%% %5s\n", name, s.median, s.min, s.max,
                        audio_s / s.median, g, g / s.median, 100.0 * ideal / s.median,
                        mixed ? "both" : work.front().peak == f32_peak ? "f32" : "bf16");
        };
        const Work vae{g_vae, bf16_peak};
        row("audio VAE decode", vae_seconds, {vae});
        for (const Bench& b : vocoders) {
            const Work voc{vocoder_gflop(b.manifest, b.vocoder.config(), mel.size(2)),
                           b.vocoder.config().bwe ? f32_peak : bf16_peak};
            row(b.name.c_str(), b.seconds, {voc});
            std::vector<double> both(b.seconds.size());
            for (size_t i = 0; i < both.size(); ++i) both[i] = vae_seconds[i] + b.seconds[i];
            row(("VAE + " + b.name).c_str(), both, {vae, voc});
        }

        // One more run of each vocoder, stamped at its taps: where its time goes, per stage.
        for (const Bench& b : vocoders) {
            std::vector<std::pair<std::string, double>> stamps;
            auto t_tap = Clock::now();
            b.vocoder.forward(mel, [&](const std::string& name, const Tensor&) {
                stamps.emplace_back(name, seconds_since(t_tap));
            });
            stamps.emplace_back("end", seconds_since(t_tap));
            std::printf("\n%s breakdown (one extra run, time between taps; the step to after_ups.{i+1}\n"
                        "is stage i's resblocks plus upsample i+1):\n", b.name.c_str());
            double prev = 0;
            for (const auto& [name, t] : stamps) {
                std::printf("  %-52s +%.3f s\n", name.c_str(), t - prev);
                prev = t;
            }
            double peak_abs = 0, sum_sq = 0;
            for (float x : b.wave.to_vector()) {
                peak_abs = std::max(peak_abs, double(std::fabs(x)));
                sum_sq += double(x) * x;
            }
            // Equal across builds means the same waveform bit for bit.
            const Tensor wave = b.wave.contiguous();
            const std::string sha = sha256_hex({reinterpret_cast<const char*>(wave.raw()), size_t(wave.nbytes())});
            std::printf("waveform peak |x| %.3f, rms %.3f (finite), SHA-256 of its samples %.16s\n", peak_abs,
                        std::sqrt(sum_sq / double(b.wave.numel())), sha.c_str());
        }
        for (const Bench& b : vocoders) {
            std::vector<size_t> shown;
            if (!b.profiles.empty()) shown = {0};
            if (b.profiles.size() > 1) shown.push_back(b.profiles.size() - 1);
            for (size_t r : shown)
                std::printf("\n%s, repetition %zu of %zu, op profile:\n%s", b.name.c_str(), r + 1, b.profiles.size(),
                            b.profiles[r].c_str());
        }
        std::printf("\npeak RSS: %.2f GiB\n", double(peak_rss_bytes()) / (1024.0 * 1024.0 * 1024.0));
    } catch (const Error& e) {
        std::fprintf(stderr, "error: %s\n", e.what());
        return 1;
    }
    return 0;
}
