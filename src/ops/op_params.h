#pragma once
// The parameter structs of the ops (ops/*.h), shared by every backend that implements them.
#include <cstdint>
#include <vector>

#include "core/precision.h"
#include "core/tensor.h"

namespace ltx2 {

// Head layout, score scale and key visibility of one attention call.
struct AttentionOptions {
    int heads = 1;
    int kv_heads = 0;    // 0: same as heads. Grouped-query: query head h reads kv head h / (heads / kv_heads)
    float scale = 0.f;   // score scale; 0: 1/√head_dim
    Tensor key_bias;     // undefined or F32 [B, Tk], finite: added to every visible key's score
    Tensor key_mask;     // undefined or any dtype [B, Tk]: 0 = key invisible to every query
    // Positions: query row i sits at q_position0 + i, key row j at k_position0 + j.
    int64_t q_position0 = 0;
    int64_t k_position0 = 0;
    bool causal = false;  // a key is visible only if pos_k ≤ pos_q
    int64_t window = 0;   // > 0: a key is visible only if pos_q − pos_k < window
    Precision precision = Precision::F32;
};

// An AdaLN value as modulate_inplace and add_gated_inplace take it (ops/elementwise.h): per
// token, table[row] + mod[b, t, chunk·D : (chunk+1)·D], the f32 sum (the table row widened to
// F32 first) computed inside the op, with no [B, T, D] tensor between. table: [rows, D] F32 or
// BF16; mod: F32 [B, Tt, n·D] with Tt the op's token count or 1 (broadcast over tokens), read in
// place (any batch and token strides, unit last stride). Holds references: build it in the call.
struct AdaValue {
    const Tensor& table;
    int row;
    const Tensor& mod;
    int chunk;
};

// Convolutions. Per-dimension vectors have one entry per spatial dim (N), or are empty for the
// default (stride 1, dilation 1, padding 0). Dilation uses torch's convention: 1 means dense.
struct ConvParams {
    std::vector<int64_t> strides;
    std::vector<int64_t> dilations;
    std::vector<int64_t> pad_before;  // zero padding at the start of each spatial dim
    std::vector<int64_t> pad_after;   // zero padding at the end of each spatial dim
    int64_t groups = 1;
    // A backend may keep the weight in the layout its kernels prefer, keyed by the weight's
    // storage, as long as that storage lives; false when the weight is changed in place.
    bool cache_weights = true;
};

// torch ConvTranspose: pad_before/pad_after are torch's `padding` (which removes that many
// outputs at each end), output_padding adds outputs at the end (each < stride or < dilation).
struct ConvTransposeParams : ConvParams {
    std::vector<int64_t> output_padding;
};

enum class PadMode {
    Constant,   // fill with `value`
    Reflect,    // torch 'reflect': mirror without repeating the edge (pad ≤ size − 1)
    Replicate,  // repeat the edge element
};

// Rotary position embeddings as LTX-2 builds them from [start, end) position bounds.
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

// Polyphase FIR resampling along the last dimension, as a per-channel transposed convolution
// (upsampling) or strided convolution (downsampling) with a shared filter computes it, each row
// extended by replicate padding. taps: F32 [K].
// Upsampling: y = gain · conv_transpose1d(replicate_pad(x, pad, pad), taps, stride ratio), then
// crop_left / crop_right samples dropped.
struct FirUpsampleSpec {
    Tensor taps;
    int ratio = 2;
    int64_t pad = 0;
    int64_t crop_left = 0, crop_right = 0;
    float gain = 1.0f;
};
// Downsampling: y = conv1d(replicate_pad(x, pad_left, pad_right), taps, stride ratio)
// (cross-correlation).
struct FirDownsampleSpec {
    Tensor taps;
    int ratio = 2;
    int64_t pad_left = 0, pad_right = 0;
};

}  // namespace ltx2
