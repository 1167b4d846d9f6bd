#include "diffusion/schedulers.h"

#include <cmath>
#include <limits>
#include <unordered_set>

#include "core/error.h"
#include "diffusion/float32_ops.h"

namespace ltx2 {

namespace {

constexpr double kBaseShiftAnchor = 1024;
constexpr double kMaxShiftAnchor = 4096;

// torch.linspace(1, 0, steps + 1) on the CPU in float32: step = (end − start)/(n − 1); the first
// half counts up from start, the second half down from end.
std::vector<float> torch_linspace_f32(float start, float end, int64_t n) {
    std::vector<float> out(static_cast<size_t>(n));
    if (n == 1) {
        out[0] = start;
        return out;
    }
    const float step = f32::div(f32::sub(end, start), float(n - 1));
    const int64_t halfway = n / 2;
    for (int64_t i = 0; i < n; ++i)
        out[size_t(i)] = i < halfway ? f32::add(start, f32::mul(step, float(i)))
                                     : f32::sub(end, f32::mul(step, float(n - i - 1)));
    return out;
}

// E / (E + (1/t − 1)) as torch evaluates `python_float / (python_float + (1 / t − 1))` on a
// float32 tensor: scalar-over-tensor division is reciprocal then multiply.
float shifted_sigma(float E, float t) {
    const float r = f32::sub(f32::div(1.0f, t), 1.0f);
    return f32::mul(f32::div(1.0f, f32::add(E, r)), E);
}

}  // namespace

int64_t scheduler_tokens(const Shape& latent_shape) {
    LTX2_CHECK(latent_shape.size() >= 3, "scheduler: latent shape {} needs at least 3 dims (B, C, ...)",
               shape_str(latent_shape));
    int64_t n = 1;
    for (size_t i = 2; i < latent_shape.size(); ++i) n *= latent_shape[i];
    return n;
}

std::vector<float> ltx2_scheduler_sigmas(int steps, int64_t tokens, const LTX2SchedulerOptions& o) {
    LTX2_CHECK(steps >= 1, "LTX2Scheduler: steps must be >= 1, got {}", steps);
    LTX2_CHECK(tokens >= 1, "LTX2Scheduler: token count must be >= 1, got {}", tokens);
    LTX2_CHECK(!o.stretch || o.terminal < 1.0, "LTX2Scheduler: terminal must be < 1 when stretching, got {}",
               o.terminal);
    std::vector<float> s = torch_linspace_f32(1.0f, 0.0f, int64_t(steps) + 1);
    const double mm = (o.max_shift - o.base_shift) / (kMaxShiftAnchor - kBaseShiftAnchor);
    const double b = o.base_shift - mm * kBaseShiftAnchor;
    const double shift = double(tokens) * mm + b;
    const float E = float(std::exp(shift));
    for (float& v : s) v = v != 0.0f ? shifted_sigma(E, v) : 0.0f;
    if (o.stretch) {
        std::vector<size_t> nz;
        for (size_t i = 0; i < s.size(); ++i)
            if (s[i] != 0.0f) nz.push_back(i);
        if (!nz.empty()) {
            const float z_last = f32::sub(1.0f, s[nz.back()]);
            const float k = f32::div(z_last, float(1.0 - o.terminal));
            for (size_t i : nz) s[i] = f32::sub(1.0f, f32::div(f32::sub(1.0f, s[i]), k));
        }
    }
    return s;
}

std::vector<float> linear_quadratic_sigmas(int steps, double threshold_noise, std::optional<int> linear_steps_opt) {
    LTX2_CHECK(steps >= 1, "LinearQuadraticScheduler: steps must be >= 1, got {}", steps);
    if (steps == 1) return {1.0f, 0.0f};
    const int ls = linear_steps_opt.value_or(steps / 2);
    LTX2_CHECK(ls >= 1 && ls <= steps, "LinearQuadraticScheduler: linear_steps must be in [1, steps={}], got {}",
               steps, ls);
    std::vector<double> x;
    for (int i = 0; i < ls; ++i) x.push_back(double(i) * threshold_noise / double(ls));
    const double diff = double(ls) - threshold_noise * double(steps);
    const int qs = steps - ls;
    if (qs > 0) {
        const double q2 = double(qs) * double(qs);
        const double quadratic_coef = diff / (double(ls) * q2);
        const double linear_coef = threshold_noise / double(ls) - 2 * diff / q2;
        const double c = quadratic_coef * (double(ls) * double(ls));
        for (int i = ls; i < steps; ++i) {
            const double di = double(i);
            x.push_back(quadratic_coef * (di * di) + linear_coef * di + c);
        }
    }
    x.push_back(1.0);
    std::vector<float> out;
    out.reserve(x.size());
    for (double v : x) out.push_back(float(1.0 - v));
    return out;
}

// ---- Beta distribution ---------------------------------------------------------------------

namespace {

// Continued fraction for I_x(a, b) (modified Lentz), valid for x < (a + 1)/(a + b + 2).
double beta_continued_fraction(double a, double b, double x) {
    constexpr double tiny = 1e-300, eps = 1e-16;
    const double qab = a + b, qap = a + 1, qam = a - 1;
    double c = 1, d = 1 - qab * x / qap;
    if (std::fabs(d) < tiny) d = tiny;
    d = 1 / d;
    double h = d;
    for (int m = 1; m <= 10000; ++m) {
        const double m2 = 2.0 * m;
        double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1 + aa * d;
        if (std::fabs(d) < tiny) d = tiny;
        c = 1 + aa / c;
        if (std::fabs(c) < tiny) c = tiny;
        d = 1 / d;
        h *= d * c;
        aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1 + aa * d;
        if (std::fabs(d) < tiny) d = tiny;
        c = 1 + aa / c;
        if (std::fabs(c) < tiny) c = tiny;
        d = 1 / d;
        const double del = d * c;
        h *= del;
        if (std::fabs(del - 1) < eps) return h;
    }
    return h;
}

}  // namespace

double regularized_incomplete_beta(double a, double b, double x) {
    LTX2_CHECK(a > 0 && b > 0, "incomplete beta: a and b must be > 0, got {} and {}", a, b);
    LTX2_CHECK(x >= 0 && x <= 1, "incomplete beta: x must be in [0, 1], got {}", x);
    if (x == 0) return 0;
    if (x == 1) return 1;
    const double ln_front =
        std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) + b * std::log1p(-x);
    const double front = std::exp(ln_front);
    if (x < (a + 1) / (a + b + 2)) return front * beta_continued_fraction(a, b, x) / a;
    return 1 - front * beta_continued_fraction(b, a, 1 - x) / b;
}

double beta_inverse_cdf(double p, double a, double b) {
    LTX2_CHECK(a > 0 && b > 0, "beta inverse CDF: alpha and beta must be > 0, got {} and {}", a, b);
    LTX2_CHECK(p >= 0 && p <= 1, "beta inverse CDF: probability must be in [0, 1], got {}", p);
    if (p == 0) return 0;
    if (p == 1) return 1;
    // Beta(a, a) is symmetric about 1/2: its median is exactly 1/2 (which matters when the result
    // is scaled and rounded half to even), and the upper half mirrors the lower one.
    if (a == b) {
        if (p == 0.5) return 0.5;
        if (p > 0.5) return 1 - beta_inverse_cdf(1 - p, a, b);
    }
    // The CDF is monotone: bisect to the last representable bracket.
    double lo = 0, hi = 1;
    for (int it = 0; it < 200; ++it) {
        const double mid = 0.5 * (lo + hi);
        if (mid <= lo || mid >= hi) break;
        if (regularized_incomplete_beta(a, b, mid) < p) lo = mid;
        else hi = mid;
    }
    return 0.5 * (lo + hi);
}

std::vector<float> beta_sigmas(int steps, double alpha, double beta) {
    LTX2_CHECK(steps >= 1, "BetaScheduler: steps must be >= 1, got {}", steps);
    LTX2_CHECK(alpha > 0 && beta > 0, "BetaScheduler: alpha and beta must be > 0, got {} and {}", alpha, beta);
    constexpr int kLength = 10000;
    constexpr double kShift = 2.37;
    const float E = float(std::exp(kShift));
    const int total = kLength - 1;
    std::vector<float> out;
    std::unordered_set<int64_t> seen;
    const double step = 1.0 / double(steps);  // numpy.linspace(0, 1, steps, endpoint=False)
    for (int i = 0; i < steps; ++i) {
        const double ts = 1.0 - double(i) * step;
        const double idx = std::nearbyint(beta_inverse_cdf(ts, alpha, beta) * double(total));
        const int64_t k = int64_t(idx);
        if (!seen.insert(k).second) continue;
        // Model-sampling sigma k: t = (k + 1)/10000 in float32, flux-shifted.
        const float t = f32::div(float(k + 1), float(kLength));
        out.push_back(shifted_sigma(E, t));
    }
    out.push_back(0.0f);
    return out;
}

Tensor sigmas_tensor(const std::vector<float>& sigmas) {
    return Tensor::from_f32({int64_t(sigmas.size())}, sigmas);
}

}  // namespace ltx2
