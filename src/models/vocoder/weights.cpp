#include "models/vocoder/weights.h"

#include <string>

#include "core/error.h"
#include "models/weight_loader.h"

namespace ltx2 {

namespace {

class Loader : public ModelWeightLoader {
public:
    using ModelWeightLoader::ModelWeightLoader;

    // Conv1d(cin -> cout, k) with bias.
    VocoderConv conv(const std::string& name, int64_t cin, int64_t cout, int64_t k) {
        return {get(name + ".weight", {cout, cin, k}), get(name + ".bias", {cout})};
    }
    // ConvTranspose1d(cin -> cout, k): weight laid out [cin, cout, k].
    VocoderConv conv_transpose(const std::string& name, int64_t cin, int64_t cout, int64_t k) {
        return {get(name + ".weight", {cin, cout, k}), get(name + ".bias", {cout})};
    }
};

}  // namespace

VocoderWeights load_vocoder_weights(const WeightStore& store, const VocoderConfig& c) {
    Loader l(store);
    VocoderWeights w;
    w.conv_pre = l.conv("conv_pre", c.in_channels(), c.stage_channels(0), 7);
    for (int i = 0; i < c.num_upsamples(); ++i)
        w.ups.push_back(l.conv_transpose("ups." + std::to_string(i), c.stage_channels(i), c.stage_channels(i + 1),
                                         c.upsample_kernel_sizes[size_t(i)]));
    for (int i = 0; i < c.num_upsamples(); ++i) {
        const int ch = c.stage_channels(i + 1);
        for (int j = 0; j < c.num_kernels(); ++j) {
            const std::string name = "resblocks." + std::to_string(i * c.num_kernels() + j);
            VocoderResBlockWeights r;
            r.kernel_size = c.resblock_kernel_sizes[size_t(j)];
            const auto& dil = c.resblock_dilation_sizes[size_t(j)];
            r.dilations.assign(dil.begin(), dil.begin() + c.convs_per_resblock());
            for (int m = 0; m < c.convs_per_resblock(); ++m) {
                const std::string ms = std::to_string(m);
                if (c.resblock == VocoderResBlock::Type1) {
                    r.convs1.push_back(l.conv(name + ".convs1." + ms, ch, ch, r.kernel_size));
                    r.convs2.push_back(l.conv(name + ".convs2." + ms, ch, ch, r.kernel_size));
                } else {
                    r.convs1.push_back(l.conv(name + ".convs." + ms, ch, ch, r.kernel_size));
                }
            }
            w.resblocks.push_back(std::move(r));
        }
    }
    w.conv_post = l.conv("conv_post", c.stage_channels(c.num_upsamples()), c.out_channels(), 7);
    w.tensor_count = l.count();
    w.bf16 = l.bf16();
    return w;
}

}  // namespace ltx2
