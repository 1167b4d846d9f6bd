#include "ops/channel_statistics.h"

#include "ops/backend.h"

namespace ltx2 {

Tensor apply_channel_statistics(const Tensor& x, const Tensor& std, const Tensor& mean,
                                StatisticsDirection direction) {
    return call_backend("channel statistics", {&x, &std, &mean})->apply_channel_statistics(x, std, mean, direction);
}

void modulate_channels_inplace(Tensor& x, const Tensor& scale, const Tensor& shift) {
    call_backend("channel modulation", {&x, &scale, &shift})->modulate_channels_inplace(x, scale, shift);
}

}  // namespace ltx2
