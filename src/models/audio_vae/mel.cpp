#include "models/audio_vae/mel.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "core/error.h"

namespace ltx2 {

namespace {

constexpr double kPi = 3.14159265358979323846;

void check_waveform(const Tensor& w, const char* what) {
    if (!w.defined() || w.dim() != 3 || w.size(0) < 1 || w.size(1) < 1 || w.size(2) < 1)
        fail("{}: waveform has shape {}, expected (batch, channels, samples) with every dim >= 1", what,
             w.defined() ? shape_str(w.shape()) : std::string("(undefined)"));
}

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

}  // namespace

Tensor resample_waveform(const Tensor& waveform, int source_rate, int target_rate) {
    const char* what = "audio resample";
    check_waveform(waveform, what);
    if (source_rate <= 0 || target_rate <= 0)
        fail("{}: sample rates must be positive, got {} -> {}", what, source_rate, target_rate);
    const Tensor x = waveform.to(DType::F32);
    if (source_rate == target_rate) return x.clone();
    const int g = std::gcd(source_rate, target_rate);
    const int64_t orig = source_rate / g, neu = target_rate / g;
    const double width_factor = 6.0, rolloff = 0.99;
    const double base = double(std::min(orig, neu)) * rolloff;
    const int64_t width = int64_t(std::ceil(width_factor * double(orig) / base));
    const int64_t klen = 2 * width + orig;
    // kernel[i][k]: output phase i, tap k (input offset k − width from the phase's first sample).
    // Evaluated in float32 step by step as torchaudio does for a float32 waveform.
    std::vector<double> kernel(static_cast<size_t>(neu * klen));
    const float base_f = float(base), scale_f = float(base / double(orig)), pi_f = float(kPi);
    const float lw = float(width_factor);
    for (int64_t i = 0; i < neu; ++i)
        for (int64_t k = 0; k < klen; ++k) {
            float t = float(-i) / float(neu) + float(k - width) / float(orig);
            t *= base_f;
            t = std::clamp(t, -lw, lw);
            float c = std::cos(t * pi_f / lw / 2.0f);
            const float window = c * c;
            t *= pi_f;
            const float sinc = t == 0.0f ? 1.0f : std::sin(t) / t;
            kernel[size_t(i * klen + k)] = double(sinc * (window * scale_f));
        }
    const int64_t B = x.size(0), C = x.size(1), N = x.size(2);
    const int64_t out_len = (neu * N + orig - 1) / orig;  // ceil(new·N / orig)
    Tensor out = Tensor::zeros({B, C, out_len});
    const float* src = x.f32();
    float* dst = out.f32();
    for (int64_t w = 0; w < B * C; ++w) {
        const float* s = src + w * N;
        float* d = dst + w * out_len;
        for (int64_t j = 0; j * neu < out_len; ++j)
            for (int64_t i = 0; i < neu && j * neu + i < out_len; ++i) {
                // padded[p] = s[p − width]; output j·new + i = Σ_k padded[j·orig + k] · kernel[i][k]
                double acc = 0.0;
                const double* kr = kernel.data() + i * klen;
                for (int64_t k = 0; k < klen; ++k) {
                    const int64_t p = j * orig + k - width;
                    if (p >= 0 && p < N) acc += double(s[p]) * kr[k];
                }
                d[j * neu + i] = float(acc);
            }
    }
    return out;
}

Tensor waveform_to_mel(const Tensor& waveform_in, int waveform_rate, const MelFrontEnd& fe) {
    const char* what = "audio mel front end";
    check_waveform(waveform_in, what);
    if (fe.n_fft < 2 || fe.hop_length < 1 || fe.mel_bins < 1 || fe.sample_rate < 1)
        fail("{}: invalid settings n_fft {}, hop {}, mel bins {}, sample rate {}", what, fe.n_fft, fe.hop_length,
             fe.mel_bins, fe.sample_rate);
    const Tensor x = resample_waveform(waveform_in, waveform_rate, fe.sample_rate);
    const int64_t B = x.size(0), C = x.size(1), N = x.size(2);
    const int64_t n_fft = fe.n_fft, pad = n_fft / 2, hop = fe.hop_length;
    if (N <= pad)
        fail("{}: waveform of {} samples is too short for reflect padding of {} (needs more than n_fft/2 samples)",
             what, N, pad);
    const int64_t frames = N / hop + 1;
    const int64_t n_freqs = n_fft / 2 + 1;
    const int n_mels = fe.mel_bins;

    // Periodic Hann window and DFT tables.
    std::vector<double> window(static_cast<size_t>(n_fft));
    for (int64_t n = 0; n < n_fft; ++n) window[size_t(n)] = 0.5 - 0.5 * std::cos(2.0 * kPi * double(n) / double(n_fft));
    std::vector<double> cos_t(static_cast<size_t>(n_fft)), sin_t(static_cast<size_t>(n_fft));
    for (int64_t n = 0; n < n_fft; ++n) {
        cos_t[size_t(n)] = std::cos(2.0 * kPi * double(n) / double(n_fft));
        sin_t[size_t(n)] = std::sin(2.0 * kPi * double(n) / double(n_fft));
    }
    const std::vector<double> fb = mel_filterbank(int(n_freqs), n_mels, fe.sample_rate);

    Tensor out = Tensor::zeros({B, C, frames, n_mels});
    const float* src = x.f32();
    float* dst = out.f32();
    std::vector<double> padded(static_cast<size_t>(N + 2 * pad)), frame(static_cast<size_t>(n_fft)), mag(static_cast<size_t>(n_freqs));
    for (int64_t w = 0; w < B * C; ++w) {
        const float* s = src + w * N;
        for (int64_t p = 0; p < N + 2 * pad; ++p) {
            int64_t q = p - pad;  // reflect without repeating the edge
            if (q < 0) q = -q;
            if (q >= N) q = 2 * (N - 1) - q;
            padded[size_t(p)] = s[q];
        }
        for (int64_t t = 0; t < frames; ++t) {
            for (int64_t n = 0; n < n_fft; ++n) frame[size_t(n)] = padded[size_t(t * hop + n)] * window[size_t(n)];
            for (int64_t k = 0; k < n_freqs; ++k) {
                double re = 0.0, im = 0.0;
                int64_t idx = 0;
                for (int64_t n = 0; n < n_fft; ++n) {
                    re += frame[size_t(n)] * cos_t[size_t(idx)];
                    im -= frame[size_t(n)] * sin_t[size_t(idx)];
                    idx += k;
                    if (idx >= n_fft) idx -= n_fft;
                }
                mag[size_t(k)] = std::sqrt(re * re + im * im);
            }
            float* o = dst + (w * frames + t) * n_mels;
            for (int m = 0; m < n_mels; ++m) {
                double acc = 0.0;
                for (int64_t k = 0; k < n_freqs; ++k) acc += mag[size_t(k)] * fb[size_t(k) * size_t(n_mels) + size_t(m)];
                o[m] = float(std::log(std::max(acc, 1e-5)));
            }
        }
    }
    return out;
}

}  // namespace ltx2
