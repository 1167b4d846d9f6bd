#include "kernels/cpu/channels_last.h"

#include <algorithm>
#include <omp.h>

#include "kernels/cpu/cpu_common.h"

namespace ltx2::cpu {

namespace {

// A tile is kTileC channels × kTileS positions: 64 KiB of f32 read and written per tile, so
// both sides stay in L2 while each is walked along its contiguous axis.
constexpr int64_t kTileC = 64, kTileS = 256;
constexpr int64_t kParallelMin = int64_t(1) << 16;  // elements; below this one thread

// Runs tile(b, c0, c1, s0, s1) over every tile of [batch, channels, spatial].
template <typename Tile>
void for_each_tile(int64_t batch, int64_t channels, int64_t spatial, const Tile& tile) {
    const int64_t ct = (channels + kTileC - 1) / kTileC, st = (spatial + kTileS - 1) / kTileS;
    const int64_t tiles = batch * ct * st;
    const bool parallel = batch * channels * spatial >= kParallelMin && !omp_in_parallel();
#pragma omp parallel for schedule(static) if (parallel)
    for (int64_t t = 0; t < tiles; ++t) {
        const int64_t b = t / (ct * st), c0 = (t / st) % ct * kTileC, s0 = t % st * kTileS;
        tile(b, c0, std::min(c0 + kTileC, channels), s0, std::min(s0 + kTileS, spatial));
    }
}

}  // namespace

void to_channels_last(const float* src, int64_t batch, int64_t channels, int64_t spatial, float* dst) {
    for_each_tile(batch, channels, spatial, [&](int64_t b, int64_t c0, int64_t c1, int64_t s0, int64_t s1) {
        const float* in = src + b * channels * spatial;
        float* out = dst + b * spatial * channels;
        for (int64_t c = c0; c < c1; ++c)
            for (int64_t s = s0; s < s1; ++s) out[s * channels + c] = in[c * spatial + s];
    });
}

void to_channels_last_bf16(const float* src, int64_t batch, int64_t channels, int64_t spatial, uint16_t* dst) {
    for_each_tile(batch, channels, spatial, [&](int64_t b, int64_t c0, int64_t c1, int64_t s0, int64_t s1) {
        const float* in = src + b * channels * spatial;
        uint16_t* out = dst + b * spatial * channels;
        float rows[kTileS][kTileC];  // the tile transposed, then rounded row by row
        const int64_t width = c1 - c0;
        for (int64_t c = c0; c < c1; ++c)
            for (int64_t s = s0; s < s1; ++s) rows[s - s0][c - c0] = in[c * spatial + s];
        for (int64_t s = s0; s < s1; ++s) f32_to_bf16_array(rows[s - s0], out + s * channels + c0, size_t(width));
    });
}

// [B, S, C] -> [B, C, S] is the same transpose with the roles of C and S exchanged.
void from_channels_last(const float* src, int64_t batch, int64_t channels, int64_t spatial, float* dst) {
    to_channels_last(src, batch, spatial, channels, dst);
}

}  // namespace ltx2::cpu
