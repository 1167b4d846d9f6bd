#pragma once
// Sigma schedules of ltx_core.components.schedulers: LTX2Scheduler, LinearQuadraticScheduler
// and BetaScheduler. Each returns steps + 1 float32 sigmas from 1 (or near it) down to 0
// (Beta may return fewer after dropping repeated timesteps).
#include <cstdint>
#include <optional>
#include <vector>

#include "core/tensor.h"

namespace ltx2 {

// The token count LTX2Scheduler shifts by when no latent is given (what the shipped
// one-stage / two-stage / keyframe pipelines do).
constexpr int64_t kSchedulerDefaultTokens = 4096;

// frames · height · width: the product of the dims after the first two of a latent shape.
int64_t scheduler_tokens(const Shape& latent_shape);

struct LTX2SchedulerOptions {
    double max_shift = 2.05;
    double base_shift = 0.95;
    bool stretch = true;
    double terminal = 0.1;  // the last non-zero sigma after stretching; must be < 1
};

// LTX2Scheduler().execute(steps, latent with `tokens` = prod(shape[2:]), ...), bit for bit:
// evaluated in float32 with torch's operation order. steps >= 1; tokens >= 1.
// Note (kept from the reference): with steps = 1 the single non-zero sigma is also the last,
// so stretching turns the schedule into [terminal, 0].
std::vector<float> ltx2_scheduler_sigmas(int steps, int64_t tokens = kSchedulerDefaultTokens,
                                         const LTX2SchedulerOptions& options = {});

// LinearQuadraticScheduler().execute(steps, threshold_noise, linear_steps): a linear ramp of
// `linear_steps` (default steps / 2) steps up to threshold_noise, then a quadratic to 1,
// flipped to 1 − x; steps = 1 gives [1, 0]. Computed in double, rounded to float32.
std::vector<float> linear_quadratic_sigmas(int steps, double threshold_noise = 0.025,
                                           std::optional<int> linear_steps = std::nullopt);

// BetaScheduler().execute(steps, alpha, beta): timesteps 1 − i/steps (i < steps) mapped by
// the Beta(alpha, beta) inverse CDF onto the 10000 flux-shifted (mu 2.37) sigmas, repeated
// indices dropped, then a final 0.
std::vector<float> beta_sigmas(int steps, double alpha = 0.6, double beta = 0.6);

// Regularized incomplete beta I_x(a, b) and its inverse in x (double precision); exposed
// for tests. a, b > 0; x, p in [0, 1].
double regularized_incomplete_beta(double a, double b, double x);
double beta_inverse_cdf(double p, double a, double b);

// Float32 [n] tensor of a schedule.
Tensor sigmas_tensor(const std::vector<float>& sigmas);

}  // namespace ltx2
