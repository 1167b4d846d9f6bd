// torchaudio's windowed-sinc resampling of waveforms (ops/audio_features.h).
#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "core/error.h"
#include "kernels/cpu/vae_kernels.h"

namespace ltx2::cpu {

Tensor sinc_resample(const Tensor& x_in, int source_rate, int target_rate) {
    LTX2_CHECK(x_in.defined() && x_in.dtype() == DType::F32 && x_in.dim() == 3,
               "sinc resample: expected an F32 waveform [B, C, N], got {}",
               x_in.defined() ? shape_str(x_in.shape()) : std::string("undefined"));
    LTX2_CHECK(source_rate > 0 && target_rate > 0 && source_rate != target_rate,
               "sinc resample: rates must be positive and differ, got {} -> {}", source_rate, target_rate);
    constexpr double kPi = 3.14159265358979323846;
    const Tensor x = x_in.contiguous();
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
    Tensor out = Tensor::empty({B, C, out_len});
    const float* src = x.f32();
    float* dst = out.f32();
    const int64_t blocks = (out_len + neu - 1) / neu;  // output samples j·new … j·new + new − 1
#pragma omp parallel for collapse(2) schedule(static)
    for (int64_t w = 0; w < B * C; ++w)
        for (int64_t j = 0; j < blocks; ++j) {
            const float* s = src + w * N;
            float* d = dst + w * out_len;
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

}  // namespace ltx2::cpu
