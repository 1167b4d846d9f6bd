#include "fp8_checkpoint.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

#include "core/dtype.h"
#include "core/error.h"
#include "io/safetensors.h"
#include "quantize_support.h"

namespace ltx2 {

namespace {

constexpr float kE4M3Max = 448.0f;
constexpr std::string_view kTransformerPrefix = "model.diffusion_model.";

// Layers the reference's fp8 policy keeps in bf16, matched as substrings of the layer path
// (relative to the transformer): the in/out projections, the AdaLN and caption layers, and
// the first block and the last five of the 48 (applied literally to any depth).
constexpr std::array<std::string_view, 18> kKeptInBf16 = {
    "patchify_proj",
    "adaln_single",
    "av_ca_video_scale_shift_adaln_single",
    "av_ca_a2v_gate_adaln_single",
    "caption_projection",
    "proj_out",
    "audio_patchify_proj",
    "audio_adaln_single",
    "av_ca_audio_scale_shift_adaln_single",
    "av_ca_v2a_gate_adaln_single",
    "audio_caption_projection",
    "audio_proj_out",
    "transformer_blocks.0.",
    "transformer_blocks.43.",
    "transformer_blocks.44.",
    "transformer_blocks.45.",
    "transformer_blocks.46.",
    "transformer_blocks.47.",
};

// Transformer-block Linear weights (every 2-D float `.weight` there) outside the bf16 list.
bool becomes_fp8(const TensorEntry& e) {
    std::string_view path = e.name;
    if (path.starts_with(kTransformerPrefix)) path.remove_prefix(kTransformerPrefix.size());
    if (!path.starts_with("transformer_blocks.") || !path.ends_with(".weight") || e.shape.size() != 2 ||
        !dtype_is_float(e.dtype))
        return false;
    const std::string_view layer = path.substr(0, path.size() - std::string_view(".weight").size());
    return std::none_of(kKeptInBf16.begin(), kKeptInBf16.end(),
                        [&](std::string_view s) { return layer.find(s) != std::string_view::npos; });
}

bool is_float8(DType t) { return t == DType::F8_E4M3 || t == DType::F8_E5M2; }

// "X.weight" -> "X.weight_scale" / "X.input_scale".
std::string scale_key(const std::string& weight_key, const char* which) {
    return weight_key.substr(0, weight_key.size() - std::string_view("weight").size()) + which;
}

// One float8 weight: its scale is needed first (the float32 scales precede the float8 data in
// the file), so the weight is read twice: max |w|, then the encoding.
class Fp8Weight {
public:
    Fp8Weight(Tensor w, std::string name) : w_(std::move(w)), name_(std::move(name)) {}

    // weight_scale = 1 / (448 / max|w|); 1 for an all-zero weight, which stays zero.
    float weight_scale() { return 1.0f / scale(); }

    // q = e4m3(clamp(w · scale, ±448)): round to nearest even, as torch's cast.
    void encode(uint8_t* q) {
        const float s = scale();
        for_each_chunk([&](const float* w, int64_t first, int64_t n) {
#pragma omp parallel for schedule(static) if (n > 65536)
            for (int64_t i = 0; i < n; ++i)
                q[first + i] = f32_to_fp8_e4m3(std::clamp(w[i] * s, -kE4M3Max, kE4M3Max));
        });
    }

private:
    float scale() {
        if (scale_ == 0.0f) {
            float abs_max = 0.0f;
            for_each_chunk([&](const float* w, int64_t, int64_t n) {
                for (int64_t i = 0; i < n; ++i) abs_max = std::max(abs_max, std::fabs(w[i]));
            });
            scale_ = abs_max > 0.0f ? kE4M3Max / abs_max : 1.0f;
            LTX2_CHECK(std::isfinite(scale_), "tensor '{}': max |w| {} is too small for a float32 fp8 scale", name_,
                       abs_max);
        }
        return scale_;
    }

    // fn(values, first element, count) over float32 chunks of whole rows.
    template <class Fn>
    void for_each_chunk(Fn&& fn) {
        const int64_t rows = w_.size(0), cols = w_.size(1), step = chunk_rows(cols);
        std::vector<float> staging(size_t(std::min(rows, step) * cols));
        for (int64_t r = 0; r < rows; r += step) {
            const int64_t n = std::min(step, rows - r);
            rows_to_f32(w_, name_, cols, r, n, staging.data());
            fn(staging.data(), r * cols, n * cols);
        }
    }

    Tensor w_;
    std::string name_;
    float scale_ = 0.0f;  // 0: not computed yet
};

void fill_f32_scalar(std::byte* dst, size_t nbytes, float v) {
    LTX2_CHECK(nbytes == sizeof(float), "internal: a scale of {} bytes", nbytes);
    std::memcpy(dst, &v, sizeof v);
}

}  // namespace

void write_fp8_checkpoint(const std::string& in, const std::string& out) {
    const auto file = SafetensorsFile::open(in);
    LTX2_CHECK(!file->entries().empty(), "{}: holds no tensors", in);
    for (const TensorEntry& e : file->entries())
        LTX2_CHECK(!is_float8(e.dtype) && !e.name.ends_with(".weight_scale"),
                   "{}: tensor '{}' ({}) shows the checkpoint is already fp8; --type fp8 takes a bf16 checkpoint", in,
                   e.name, dtype_name(e.dtype));

    Progress progress(file->entries().size());
    // Called once a tensor's bytes are written: its pages of the mapping are not needed again.
    auto finished = [&](const TensorEntry& e) {
        progress.done(e.name, e.end - e.begin);
        file->mapping()->dont_need(file->data_offset() + e.begin, e.end - e.begin);
    };
    std::vector<std::unique_ptr<Fp8Weight>> weights;
    std::vector<StreamedTensor> tensors;
    size_t converted = 0;
    for (const TensorEntry& e : file->entries()) {
        if (!becomes_fp8(e)) {
            tensors.push_back({e.name, e.dtype, e.shape, [&, e](std::byte* dst, size_t nbytes) {
                                   std::memcpy(dst, file->mapping()->data() + file->data_offset() + e.begin, nbytes);
                                   finished(e);
                               }});
            continue;
        }
        ++converted;
        Fp8Weight* w = weights.emplace_back(std::make_unique<Fp8Weight>(file->tensor(e.name), e.name)).get();
        tensors.push_back({e.name, DType::F8_E4M3, e.shape, [&, w, e](std::byte* dst, size_t) {
                               w->encode(reinterpret_cast<uint8_t*>(dst));
                               finished(e);
                           }});
        tensors.push_back({scale_key(e.name, "weight_scale"), DType::F32, {}, [w](std::byte* dst, size_t nbytes) {
                               fill_f32_scalar(dst, nbytes, w->weight_scale());
                           }});
        // Calibrated activation scales only serve fp8 x fp8 GEMMs, which this engine does not
        // run (it computes in bf16/f32 and ignores input_scale): 1.0 is a placeholder.
        tensors.push_back({scale_key(e.name, "input_scale"), DType::F32, {},
                           [](std::byte* dst, size_t nbytes) { fill_f32_scalar(dst, nbytes, 1.0f); }});
    }
    LTX2_CHECK(converted > 0,
               "{}: no transformer-block Linear weights (model.diffusion_model.transformer_blocks.N.*.weight) to "
               "convert: --type fp8 takes an LTX-2 checkpoint",
               in);
    write_safetensors_streamed(out, tensors, file->metadata());
    std::fprintf(stderr, "%s: %zu tensors, %zu weights converted to F8_E4M3 (with weight_scale and input_scale)\n",
                 out.c_str(), file->entries().size(), converted);
}

}  // namespace ltx2
