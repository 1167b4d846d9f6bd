#include "app/memory_estimate.h"

#include <fmt/format.h>

#include "core/error.h"
#include "core/memory_stats.h"

namespace ltx2::app {

namespace {

constexpr double kGiB = 1024.0 * 1024.0 * 1024.0;
constexpr double kLatentChannels = 128;         // video latent channels (32x spatial, 8x temporal)
constexpr double kLatentCopies = 6;             // noise, state, velocity, denoised, conditioning mask, guidance
constexpr double kVideoStreamWidth = 4096;      // the transformer's video stream; its feed-forward is 4x
constexpr double kAudioStreamWidth = 2048;
constexpr double kAudioLatentsPerSecond = 25;   // the audio VAE's latent rate
constexpr double kAudioLatentValues = 128;      // 8 channels x 16 mel bins per latent frame
constexpr double kMaxAudioSampleRate = 48000;   // LTX-2.3's vocoder; LTX-2 writes 24 kHz
constexpr double kWaveformCopies = 3;           // vocoder output, fitted to the video, 16-bit for the file

double gib(double bytes) { return bytes / kGiB; }

}  // namespace

std::string MemoryEstimate::describe() const {
    return fmt::format("{:.2f} GiB (decoded video {:.2f} GiB, latents {:.2f} GiB, transformer activations {:.2f} GiB, "
                       "audio {:.2f} GiB)",
                       gib(total()), gib(decoded_video), gib(latents), gib(activations), gib(audio));
}

MemoryEstimate estimate_generation_memory(const GenerationParams& p) {
    const double frames = double(p.num_frames), height = double(p.height), width = double(p.width);
    const double seconds = frames / p.frame_rate;
    const double video_tokens = double(latent_frame_count(p.num_frames)) * (height / 32) * (width / 32);
    const double audio_tokens = seconds * kAudioLatentsPerSecond;
    MemoryEstimate e;
    e.decoded_video = frames * height * width * (3 * 4 + 3);
    e.latents = (video_tokens * kLatentChannels + audio_tokens * kAudioLatentValues) * 4 * kLatentCopies;
    // The residual stream and the 4x feed-forward hidden state, float32, of every token.
    e.activations = (video_tokens * kVideoStreamWidth * 5 + audio_tokens * kAudioStreamWidth * 5) * 4;
    e.audio = seconds * kMaxAudioSampleRate * 2 * 4 * kWaveformCopies;
    return e;
}

double memory_budget_bytes(double memory_budget_gib) {
    if (memory_budget_gib > 0) return memory_budget_gib * kGiB;
    const double available = double(available_memory_bytes());
    return available > 0 ? 0.9 * available : 8.0 * kGiB;  // unknown: assume a modest machine
}

void check_fits_memory_budget(const GenerationParams& p, double memory_budget_gib, double resident) {
    const double budget = memory_budget_bytes(memory_budget_gib);
    const MemoryEstimate e = estimate_generation_memory(p);
    if (resident + e.total() <= budget) return;
    const std::string what = fmt::format("{}x{}, {} frames at {:.4g} fps needs at least {} besides the {:.2f} GiB in use",
                                         p.width, p.height, p.num_frames, p.frame_rate, e.describe(), gib(resident));
    if (memory_budget_gib > 0)
        fail("--memory-budget {:.3g} GiB is too small for this video: {}; give a larger budget or a smaller size "
             "(--width, --height, --num-frames)",
             memory_budget_gib, what);
    fail("this video does not fit the {:.2f} GiB of memory available (90% of what is free): {}; choose a smaller size "
         "(--width, --height, --num-frames)",
         gib(budget), what);
}

}  // namespace ltx2::app
