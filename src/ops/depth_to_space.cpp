#include "ops/depth_to_space.h"

#include "ops/backend.h"

namespace ltx2 {

Tensor depth_to_space_3d(const Tensor& x, const std::array<int, 3>& stride, int64_t drop_frames,
                         ChannelLayout layout) {
    return call_backend(x.device())->depth_to_space_3d(x, stride, drop_frames, layout);
}

Tensor space_to_depth_3d(const Tensor& x, const std::array<int, 3>& stride) {
    return call_backend(x.device())->space_to_depth_3d(x, stride);
}

void add_repeated_channels_inplace(Tensor& x, const Tensor& r) {
    call_backend("repeated-channel add", {&x, &r})->add_repeated_channels_inplace(x, r);
}

void add_channel_group_means_inplace(Tensor& x, const Tensor& s) {
    call_backend("channel-group mean add", {&x, &s})->add_channel_group_means_inplace(x, s);
}

}  // namespace ltx2
