// The log-mel spectrogram of waveforms (ops/audio_features.h): magnitude STFT with a periodic
// Hann window, Slaney mel filterbank, natural log with a 1e-5 floor, all in double.
#include <algorithm>
#include <cmath>
#include <vector>

#include "core/error.h"
#include "kernels/cpu/vae_kernels.h"

namespace ltx2::cpu {

namespace {

constexpr double kPi = 3.14159265358979323846;

// Slaney mel scale (torchaudio mel_scale="slaney").
double hz_to_mel(double f) {
    const double f_sp = 200.0 / 3.0, min_log_hz = 1000.0, min_log_mel = min_log_hz / f_sp;
    const double logstep = std::log(6.4) / 27.0;
    return f >= min_log_hz ? min_log_mel + std::log(f / min_log_hz) / logstep : f / f_sp;
}
double mel_to_hz(double m) {
    const double f_sp = 200.0 / 3.0, min_log_hz = 1000.0, min_log_mel = min_log_hz / f_sp;
    const double logstep = std::log(6.4) / 27.0;
    return m >= min_log_mel ? min_log_hz * std::exp(logstep * (m - min_log_mel)) : f_sp * m;
}

// [n_freqs][n_mels], Slaney-normalised triangles between 0 and sample_rate/2.
std::vector<double> mel_filterbank(int n_freqs, int n_mels, int sample_rate) {
    const double f_max = sample_rate / 2.0;
    const double m_min = hz_to_mel(0.0), m_max = hz_to_mel(f_max);
    std::vector<double> f_pts(size_t(n_mels + 2));
    for (int i = 0; i < n_mels + 2; ++i) f_pts[size_t(i)] = mel_to_hz(m_min + (m_max - m_min) * i / (n_mels + 1));
    std::vector<double> fb(size_t(n_freqs) * size_t(n_mels), 0.0);
    const double bin_max = double(sample_rate / 2);  // torch.linspace(0, sample_rate // 2, n_freqs)
    for (int k = 0; k < n_freqs; ++k) {
        const double f = n_freqs == 1 ? 0.0 : bin_max * k / (n_freqs - 1);
        for (int m = 0; m < n_mels; ++m) {
            const double down = (f - f_pts[size_t(m)]) / (f_pts[size_t(m + 1)] - f_pts[size_t(m)]);
            const double up = (f_pts[size_t(m + 2)] - f) / (f_pts[size_t(m + 2)] - f_pts[size_t(m + 1)]);
            const double v = std::max(0.0, std::min(down, up));
            fb[size_t(k) * size_t(n_mels) + size_t(m)] = v * 2.0 / (f_pts[size_t(m + 2)] - f_pts[size_t(m)]);
        }
    }
    return fb;
}

// Periodic Hann window, DFT tables and filterbank of one spectrogram.
struct MelTables {
    int64_t n_fft = 0, n_freqs = 0;
    int n_mels = 0;
    std::vector<double> window, cos_t, sin_t, fb;

    MelTables(int64_t n_fft_, int n_mels_, int sample_rate)
        : n_fft(n_fft_), n_freqs(n_fft_ / 2 + 1), n_mels(n_mels_), window(size_t(n_fft_)), cos_t(size_t(n_fft_)),
          sin_t(size_t(n_fft_)) {
        for (int64_t n = 0; n < n_fft; ++n)
            window[size_t(n)] = 0.5 - 0.5 * std::cos(2.0 * kPi * double(n) / double(n_fft));
        for (int64_t n = 0; n < n_fft; ++n) {
            cos_t[size_t(n)] = std::cos(2.0 * kPi * double(n) / double(n_fft));
            sin_t[size_t(n)] = std::sin(2.0 * kPi * double(n) / double(n_fft));
        }
        fb = mel_filterbank(int(n_freqs), n_mels, sample_rate);
    }
};

// The log-mel bins of the n_fft samples from `samples`; frame and mag are scratch of n_fft and
// n_freqs values.
void log_mel_frame(const double* samples, const MelTables& tb, std::vector<double>& frame, std::vector<double>& mag,
                   float* o) {
    const int64_t n_fft = tb.n_fft, n_freqs = tb.n_freqs;
    const int n_mels = tb.n_mels;
    for (int64_t n = 0; n < n_fft; ++n) frame[size_t(n)] = samples[n] * tb.window[size_t(n)];
    for (int64_t k = 0; k < n_freqs; ++k) {
        double re = 0.0, im = 0.0;
        int64_t idx = 0;
        for (int64_t n = 0; n < n_fft; ++n) {
            re += frame[size_t(n)] * tb.cos_t[size_t(idx)];
            im -= frame[size_t(n)] * tb.sin_t[size_t(idx)];
            idx += k;
            if (idx >= n_fft) idx -= n_fft;
        }
        mag[size_t(k)] = std::sqrt(re * re + im * im);
    }
    for (int m = 0; m < n_mels; ++m) {
        double acc = 0.0;
        for (int64_t k = 0; k < n_freqs; ++k) acc += mag[size_t(k)] * tb.fb[size_t(k) * size_t(n_mels) + size_t(m)];
        o[m] = float(std::log(std::max(acc, 1e-5)));
    }
}

}  // namespace

Tensor log_mel_spectrogram(const Tensor& x_in, const MelSpectrogramSpec& spec) {
    LTX2_CHECK(x_in.defined() && x_in.dtype() == DType::F32 && x_in.dim() == 3,
               "log-mel spectrogram: expected an F32 waveform [B, C, N], got {}",
               x_in.defined() ? shape_str(x_in.shape()) : std::string("undefined"));
    const int64_t n_fft = spec.n_fft, pad = n_fft / 2, hop = spec.hop_length;
    const int n_mels = spec.mel_bins;
    LTX2_CHECK(n_fft >= 2 && hop >= 1 && n_mels >= 1 && spec.sample_rate >= 1,
               "log-mel spectrogram: invalid settings n_fft {}, hop {}, mel bins {}, sample rate {}", n_fft, hop,
               n_mels, spec.sample_rate);
    const Tensor x = x_in.contiguous();
    const int64_t B = x.size(0), C = x.size(1), N = x.size(2);
    LTX2_CHECK(N > pad, "log-mel spectrogram: {} samples are too few for reflect padding of {}", N, pad);
    const int64_t frames = N / hop + 1;
    const int64_t n_freqs = n_fft / 2 + 1;

    const MelTables tables(n_fft, n_mels, spec.sample_rate);
    Tensor out = Tensor::empty({B, C, frames, n_mels});
    const float* src = x.f32();
    float* dst = out.f32();
    std::vector<double> padded(static_cast<size_t>(N + 2 * pad));
    for (int64_t w = 0; w < B * C; ++w) {
        const float* s = src + w * N;
        for (int64_t p = 0; p < N + 2 * pad; ++p) {
            int64_t q = p - pad;  // reflect without repeating the edge
            if (q < 0) q = -q;
            if (q >= N) q = 2 * (N - 1) - q;
            padded[size_t(p)] = s[q];
        }
#pragma omp parallel
        {
            std::vector<double> frame(static_cast<size_t>(n_fft)), mag(static_cast<size_t>(n_freqs));
#pragma omp for schedule(static)
            for (int64_t t = 0; t < frames; ++t)
                log_mel_frame(padded.data() + t * hop, tables, frame, mag, dst + (w * frames + t) * n_mels);
        }
    }
    return out;
}

}  // namespace ltx2::cpu
