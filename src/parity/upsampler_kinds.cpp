// upsampler.latent: LatentUpsampler.forward (and upsample_video when the fixture holds the VAE
// statistics) on a golden fixture, with its debug activations.
// upsampler.blur_downsample: the fixed binomial blur downsample (dims 3 per frame, and dims 2).
#include <cmath>
#include <string>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "io/safetensors.h"
#include "io/weight_store.h"
#include "models/upsampler/model.h"
#include "models/upsampler/ops.h"
#include "parity/kinds.h"

namespace ltx2 {

void parity_upsampler_latent(ParityRun& run) {
    const WeightStore store = WeightStore::open(run.model_path(), "");
    const LatentUpsampler model = LatentUpsampler::load(store);
    const Tensor latent = run.input("in.latent");

    const UpsamplerTap tap = [&run](const std::string& name, const Tensor& value) {
        run.compare_if_present("dbg." + name, value, 1e-5);
    };
    run.compare("out.latent", model.forward(latent, tap), 1e-5);

    const std::string mean_name = "in.vae.per_channel_statistics.mean-of-means";
    const std::string std_name = "in.vae.per_channel_statistics.std-of-means";
    if (run.has("out.upsample_video")) {
        if (!run.has(mean_name) || !run.has(std_name))
            fail("{}: out.upsample_video needs the inputs '{}' and '{}'", run.io_path(), mean_name, std_name);
        run.compare("out.upsample_video", upsample_video(model, latent, run.input(mean_name), run.input(std_name)),
                    1e-5);
    }
}

void parity_upsampler_blur_downsample(ParityRun& run) {
    // The model file holds the module's persistent buffer `kernel` and its config.
    const std::string path = run.model_path();
    auto file = SafetensorsFile::open(path);
    int kernel_size = 5;
    if (auto cfg = file->metadata_value("config")) {
        const nlohmann::json j = nlohmann::json::parse(*cfg, nullptr, false);
        if (j.is_discarded() || !j.is_object()) fail("{}: metadata 'config' is not a JSON object", path);
        if (j.contains("kernel_size")) {
            if (!j.at("kernel_size").is_number_integer())
                fail("{}: config 'kernel_size' must be an integer, got {}", path, j.at("kernel_size").dump());
            kernel_size = j.at("kernel_size").get<int>();
        }
    }
    const Tensor kernel = binomial_blur_kernel(kernel_size);
    if (file->has("kernel")) {
        const Tensor stored = file->tensor("kernel");
        if (stored.shape() != kernel.shape())
            fail("{}: tensor 'kernel' has shape {}, expected {}", path, shape_str(stored.shape()), shape_str(kernel.shape()));
        const std::vector<float> a = host_values(stored), b = host_values(kernel);
        for (size_t i = 0; i < a.size(); ++i)
            if (std::fabs(a[i] - b[i]) > 1e-7f)
                fail("{}: tensor 'kernel' differs from the binomial kernel at {} ({} vs {})", path, i, a[i], b[i]);
    }
    if (run.has("out.y")) run.compare("out.y", blur_downsample(run.input("in.x"), 2, kernel), 1e-6);
    if (run.has("out.y2d_stride3"))
        run.compare("out.y2d_stride3", blur_downsample(run.input("in.x2d"), 3, kernel), 1e-6);
}

}  // namespace ltx2
