// vocoder.forward: the LTX vocoder (log-mel -> waveform; with bandwidth extension for LTX-2.3)
// on a golden fixture, with its intermediate tensors when the fixture holds them.
#include <string>

#include "core/error.h"
#include "io/weight_store.h"
#include "models/vocoder/model.h"
#include "parity/kinds.h"

namespace ltx2 {

void parity_vocoder_forward(ParityRun& run) {
    const WeightStore store = WeightStore::open(run.model_path(), "vocoder.");
    const Vocoder vocoder = Vocoder::load(store);
    // max|out − ref| / max|ref|: the READMEs' bounds (19B HiFi-GAN: float32 vs float64 gap ~3e-6;
    // LTX-2.3 BWE: ~1.1e-6, reproduced bit for bit by an independent checker).
    const double tolerance = vocoder.config().bwe ? 1e-5 : 3e-5;
    if (run.has_meta("upsample_factor") && std::stoll(run.meta("upsample_factor")) != vocoder.upsample_factor())
        fail("{}: fixture upsample_factor {} differs from the model's {}", run.io_path(), run.meta("upsample_factor"),
             vocoder.upsample_factor());
    for (const char* key : {"output_sample_rate", "output_sampling_rate"})
        if (run.has_meta(key) && std::stoll(run.meta(key)) != vocoder.output_sample_rate())
            fail("{}: fixture {} {} differs from the model's {}", run.io_path(), key, run.meta(key),
                 vocoder.output_sample_rate());
    const Tensor waveform = vocoder.forward(run.input("in.mel"), [&](const std::string& name, const Tensor& value) {
        run.compare_if_present("dbg." + name, value, tolerance);
    });
    run.compare("out.waveform", waveform, tolerance);
}

}  // namespace ltx2
