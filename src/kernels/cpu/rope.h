#pragma once
// Rotary position embeddings as LTX-2 builds them from [start, end) position bounds.
#include <vector>

#include "core/tensor.h"

namespace ltx2 {

enum class RopeLayout { Interleaved, Split };

struct RopeSpec {
    int dim = 0;                   // attention width the table is for (heads · head_dim)
    int heads = 1;                 // split layout: table divided per head
    double theta = 10000.0;
    std::vector<double> max_pos;   // one per position axis
    RopeLayout layout = RopeLayout::Split;
    bool float64_frequencies = true;  // ladder built in float64 then rounded (19B); else float32
    bool middle_indices = true;       // use (start+end)/2, else start
};

// Tables in the layout the apply step wants: split → cos/sin [B, T, dim/2] (head h owns
// entries [h·hd/2, (h+1)·hd/2)); interleaved → [B, T, dim]. F32.
struct RopeTable {
    Tensor cos, sin;
    RopeLayout layout = RopeLayout::Split;
    int heads = 1;
};

// Frequency ladder g[j], j < dim / (2·n_axes).
std::vector<float> rope_frequency_grid(const RopeSpec& spec, int n_axes);
// Angles before padding, [B, T, n_freq·n_axes] (axis fastest). positions [B, n_axes, T, 2]
// F32 or BF16; with BF16 positions the midpoint / ÷max_pos / ×2−1 steps round to bf16 as
// the bf16 pipeline does.
Tensor rope_angles(const Tensor& positions, const RopeSpec& spec);
RopeTable rope_table(const Tensor& positions, const RopeSpec& spec);
// Rotates q or k rows [B, T, dim] in place.
void rope_apply_inplace(Tensor& x, const RopeTable& table);

}  // namespace ltx2
