// video_vae.decode / video_vae.encode: the LTX-2 / LTX-2.3 video VAE decoder (plain and
// timestep-conditioned) and encoder on golden fixtures.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/torch_rng.h"
#include "io/weight_store.h"
#include "models/model_version.h"
#include "models/video_vae/model.h"
#include "parity/parity.h"

namespace ltx2 {

namespace {

// The golden READMEs' tolerances (max |err| / max |ref|). LTX-2.3's decoder is twice as deep
// (18 residual layers before a 4-to-32-channel pixel norm) and gets 5e-5.
struct Tolerances {
    double decoder = 2e-5, encoder = 2e-5;
    double frames_rgb = 1e-6;  // decode_video's float frames after our own decode
};
Tolerances tolerances(const WeightStore& store) {
    Tolerances t;
    if (model_semantics(store).is_ltx23()) t.decoder = 5e-5;
    return t;
}
// decode_video's uint8 frames may differ by 1 (of 255) where float rounding crosses an integer.
constexpr double kFramesTol = 1.0 / 255.0;

// The fixture's case prefixes: "" (main) plus any in `cases` metadata ("f17_", "image_", ...).
std::vector<std::string> case_prefixes(const ParityRun& run) {
    std::vector<std::string> out{""};
    if (!run.has_meta("cases")) return out;
    const nlohmann::json cases = run.meta_json("cases");
    for (auto it = cases.begin(); it != cases.end(); ++it)
        if (it.key() != "main") out.push_back(it.key());
    return out;
}

}  // namespace

void parity_video_vae_decode(ParityRun& run) {
    const WeightStore store = WeightStore::open(run.model_path(), "vae.");
    const VideoDecoder decoder = VideoDecoder::load(store);
    const Tolerances tol = tolerances(store);
    const double tol_decoder = tol.decoder;
    for (const std::string& p : case_prefixes(run)) {
        DecodeOptions opt;
        TorchGenerator gen;
        if (decoder.config().timestep_conditioning) {
            if (!run.has_meta("noise_seed")) fail("{}: metadata 'noise_seed' is required for a conditioned decoder", run.io_path());
            gen.manual_seed(run.meta_json("noise_seed").get<uint64_t>());
            opt.generator = &gen;
        }
        if (run.has("in." + p + "timestep")) opt.timestep = host_values(run.input("in." + p + "timestep"));
        else if (run.has_meta("decode_timestep")) opt.timestep = {run.meta_json("decode_timestep").get<float>()};
        if (p.empty())
            opt.tap = [&run, tol_decoder](const std::string& name, const Tensor& value) {
                run.compare_if_present("dbg." + name, value, tol_decoder);
            };
        const Tensor video = decoder.decode(run.input("in." + p + "latent"), opt);
        run.compare("out." + p + "video", video, tol_decoder);
        if (run.has("out." + p + "frames_u8"))
            run.compare("out." + p + "frames_u8", frames_to_uint8(video).to(DType::F32), kFramesTol);
        if (run.has("out." + p + "frames_rgb")) {
            // Our frames from our decode carry the decoder's error (halved by (x + 1) / 2, over a
            // max |ref| <= 1): checked at the decoder tolerance ...
            run.compare("out." + p + "frames_rgb", frames_to_rgb(video), tol_decoder);
            // ... and the conversion itself, exact on the reference's video up to rounding.
            run.compare_to("out." + p + "frames_rgb (from out." + p + "video)",
                           frames_to_rgb(run.input("out." + p + "video")), run.input("out." + p + "frames_rgb"),
                           tol.frames_rgb);
        }
    }
}

void parity_video_vae_encode(ParityRun& run) {
    const WeightStore store = WeightStore::open(run.model_path(), "vae.");
    const VideoEncoder encoder = VideoEncoder::load(store);
    const double tol_encoder = tolerances(store).encoder;
    for (const std::string& p : case_prefixes(run)) {
        VideoVaeTap tap;
        if (p.empty())
            tap = [&run, tol_encoder](const std::string& name, const Tensor& value) {
                run.compare_if_present("dbg." + name, value, tol_encoder);
            };
        // The fixtures include a 12-frame video that the reference crops to 9.
        const Tensor latent =
            encoder.encode(run.input("in." + p + "video"), tap, VideoEncoder::FrameCount::CropLikeReference);
        run.compare("out." + p + "latent", latent, tol_encoder);
    }
}

}  // namespace ltx2
