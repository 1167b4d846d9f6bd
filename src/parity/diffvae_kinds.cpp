// ltx25.diffvae.decode: the LTX-2.5 diffusion video VAE decoder on golden fixtures (untiled,
// one x0 step from the fixture's noise canvas). ltx25.diffvae.decode_tiled: its tiled decode
// with the fixture's tile sizes (metadata `tiling`), each tile's canvas drawn from `noise_seed`.
#include <string>

#include <nlohmann/json.hpp>

#include "core/torch_rng.h"
#include "io/weight_store.h"
#include "models/diffvae/decoder.h"
#include "parity/parity.h"

namespace ltx2 {

namespace {
constexpr double kTolerance = 5e-5;  // max |err| / max |ref|, the golden README's
}

void parity_ltx25_diffvae_decode(ParityRun& run) {
    const WeightStore store = WeightStore::open(run.model_path(), "vae.");
    const DiffVaeDecoder decoder = DiffVaeDecoder::load(store);
    const Tensor latent = run.input("in.latent");
    const Tensor canvas = run.input("in.x_t_init");
    // The canvas is torch.randn(shape, float32) from the fixture's seed: our generator must agree.
    if (run.has_meta("noise_seed")) {
        TorchGenerator gen;
        gen.manual_seed(run.meta_json("noise_seed").get<uint64_t>());
        run.compare("in.x_t_init", gen.randn(decoder.noise_canvas_shape(latent.shape()), DType::F32), 0.0);
    }
    const DiffVaeTap tap = [&run](const std::string& name, const Tensor& value) {
        run.compare_if_present("dbg." + name, value, kTolerance);
    };
    run.compare("out.video", decoder.decode(latent, canvas, tap), kTolerance);
}

void parity_ltx25_diffvae_decode_tiled(ParityRun& run) {
    const DiffVaeDecoder decoder = DiffVaeDecoder::load(WeightStore::open(run.model_path(), "vae."));
    const nlohmann::json t = run.meta_json("tiling");
    auto axis = [&](const char* name) {
        const nlohmann::json& a = t.at(name);
        return DiffVaeAxisTiling{a.at(0).get<int64_t>(), a.at(1).get<int64_t>()};
    };
    const DiffVaeTileSizes sizes{axis("frames"), axis("height"), axis("width")};
    TorchGenerator gen;
    gen.manual_seed(run.meta_json("noise_seed").get<uint64_t>());
    run.compare("out.video", decoder.decode(run.input("in.latent"), gen, DiffVaeTiling::with_sizes(sizes)), kTolerance);
}

}  // namespace ltx2
