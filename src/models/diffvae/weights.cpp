#include "models/diffvae/weights.h"

#include "core/error.h"
#include "models/weight_loader.h"

namespace ltx2 {

namespace {

constexpr const char* kStats = "per_channel_statistics.";
constexpr const char* kDecoder = "decoder.";
constexpr int kModulationChunks = 7;

class Loader : public ModelWeightLoader {
public:
    Loader(const WeightStore& store, bool f32) : ModelWeightLoader(store), f32_(f32) {}

    Tensor weight(const std::string& name, const Shape& shape) {
        Tensor t = get(name, shape);
        return f32_ ? t.to(DType::F32) : t;
    }
    Tensor f32(const std::string& name, const Shape& shape) { return get(name, shape).to(DType::F32); }
    DiffVaeLinear linear(const std::string& name, int in, int out, bool bias = true) {
        DiffVaeLinear l;
        l.weight = weight(name + ".weight", {out, in});
        if (bias) l.bias = f32(name + ".bias", {out});
        return l;
    }
    DiffVaeAttention attention(const std::string& name, int dim, int head_dim) {
        DiffVaeAttention a;
        const Tensor qkv_w = weight(name + ".qkv.weight", {3 * dim, dim});
        const Tensor qkv_b = f32(name + ".qkv.bias", {3 * dim});
        DiffVaeLinear* parts[3] = {&a.q, &a.k, &a.v};
        for (int i = 0; i < 3; ++i) {
            parts[i]->weight = qkv_w.slice(0, int64_t(i) * dim, int64_t(i + 1) * dim);
            parts[i]->bias = qkv_b.slice(0, int64_t(i) * dim, int64_t(i + 1) * dim);
        }
        a.q_norm = f32(name + ".q_norm.weight", {head_dim});
        a.k_norm = f32(name + ".k_norm.weight", {head_dim});
        a.proj = linear(name + ".proj", dim, dim);
        return a;
    }
    DiffVaeNABlock block(const std::string& name, int dim, int head_dim, int hidden) {
        DiffVaeNABlock b;
        b.norm1 = f32(name + ".norm1.weight", {dim});
        b.norm2 = f32(name + ".norm2.weight", {dim});
        b.attn = attention(name + ".attn", dim, head_dim);
        b.mlp.w_gate = weight(name + ".mlp.w_gate.weight", {hidden, dim});
        b.mlp.w_up = weight(name + ".mlp.w_up.weight", {hidden, dim});
        b.mlp.w_down = weight(name + ".mlp.w_down.weight", {dim, hidden});
        return b;
    }
    // The release files may carry more statistics than the two the decoder uses; like the
    // reference's non-strict buffer load, they are taken as read.
    void mark_other_statistics() {
        for (const std::string& name : store_.names())
            if (name.rfind(kStats, 0) == 0) (void)store_.get(name);
    }

private:
    bool f32_;
};

// Gate tensors belong to standalone distilled (multi-step) files, which fold them into the
// linears at load; this build runs the bundled one-step decoder only.
void reject_gates(const WeightStore& store) {
    for (const std::string& name : store.names()) {
        const bool gate = name.rfind(kDecoder, 0) == 0 &&
                          (name.ends_with(".gate_msa") || name.ends_with(".gate_mlp") || name.ends_with(".gate_ctx"));
        if (gate)
            fail("{}: tensor '{}' is a static gate of a standalone distilled DiffVAE; only the bundled one-step "
                 "decoder (no gate tensors) is supported",
                 store.describe(), name);
    }
}

}  // namespace

DiffVaeWeights load_diffvae_weights(const WeightStore& store, const DiffVaeConfig& c,
                                    DiffVaeWeightPrecision precision) {
    reject_gates(store);
    Loader l(store, precision == DiffVaeWeightPrecision::F32);
    const std::string d = kDecoder;
    DiffVaeWeights w;
    w.std_of_means = l.f32(std::string(kStats) + "std-of-means", {c.in_channels});
    w.mean_of_means = l.f32(std::string(kStats) + "mean-of-means", {c.in_channels});
    l.mark_other_statistics();
    w.conv_in = l.linear(d + "conv_in", c.in_channels, c.stage_channels[0]);
    for (int s = 0; s + 1 < DiffVaeConfig::kStages; ++s) {
        const int dim = c.stage_channels[size_t(s)];
        std::vector<DiffVaeNABlock> blocks;
        for (int j = 0; j < c.stage_depths[size_t(s)]; ++j)
            blocks.push_back(l.block(fmt::format("{}det_stages.{}.{}", d, s, j), dim, c.head_dim, c.mlp_hidden(dim)));
        w.stages.push_back(std::move(blocks));
        const DiffVaeUpsample& u = c.upsamples[size_t(s)];
        w.upsamples.push_back(
            l.linear(fmt::format("{}upsamples.{}.proj", d, s), dim, dim * u.volume() / u.reduction));
    }
    w.t_linear_1 = l.linear(d + "t_embedder.mlp.0", 256, c.t_emb_dim);
    w.t_linear_2 = l.linear(d + "t_embedder.mlp.2", c.t_emb_dim, c.t_emb_dim);
    const int c5 = c.stage5_channels;
    w.adaln = l.linear(d + "shared_adaln.proj", c.t_emb_dim, kModulationChunks * c5);
    const int pixel_channels = c.out_channels * c.patch_size * c.patch_size;
    w.conv_in_x_t = l.linear(d + "conv_in_x_t", pixel_channels, c5);
    for (int j = 0; j < c.stage_depths[4]; ++j) {
        const std::string name = fmt::format("{}diff_blocks.{}", d, j);
        DiffVaeDiffusionBlock b;
        b.na = l.block(name, c5, c.head_dim, c.mlp_hidden(c5));
        b.context_proj = l.linear(name + ".context_proj", c.context_channels(), c5);
        b.scale_shift_table = l.f32(name + ".scale_shift_table", {kModulationChunks, c5});
        w.diff_blocks.push_back(std::move(b));
    }
    w.norm_out = l.f32(d + "norm_out.weight", {c5});
    w.conv_out = l.linear(d + "conv_out", c5, pixel_channels);
    l.reject_unused({"encoder.", d + "coarse_"}, "the LTX-2.5 DiffVAE decoder");
    return w;
}

}  // namespace ltx2
