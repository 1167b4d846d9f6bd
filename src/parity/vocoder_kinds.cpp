// vocoder.forward: the LTX-2 vocoder (log-mel -> waveform) on a golden fixture, with its
// intermediate tensors when the fixture holds them.
#include <string>

#include "core/error.h"
#include "io/weight_store.h"
#include "models/vocoder/model.h"
#include "parity/kinds.h"

namespace ltx2 {

void parity_vocoder_forward(ParityRun& run) {
    // max|out − ref| / max|ref| (float32 vs the float64 gap is ~3e-6).
    constexpr double kTolerance = 3e-5;
    const WeightStore store = WeightStore::open(run.model_path(), "vocoder.");
    const Vocoder vocoder = Vocoder::load(store);
    if (run.has_meta("upsample_factor") && std::stoll(run.meta("upsample_factor")) != vocoder.upsample_factor())
        fail("{}: fixture upsample_factor {} differs from the model's {}", run.io_path(), run.meta("upsample_factor"),
             vocoder.upsample_factor());
    if (run.has_meta("output_sample_rate") &&
        std::stoll(run.meta("output_sample_rate")) != vocoder.output_sample_rate())
        fail("{}: fixture output_sample_rate {} differs from the model's {}", run.io_path(),
             run.meta("output_sample_rate"), vocoder.output_sample_rate());
    const Tensor waveform = vocoder.forward(run.input("in.mel"), [&run](const std::string& name, const Tensor& value) {
        run.compare_if_present("dbg." + name, value, kTolerance);
    });
    run.compare("out.waveform", waveform, kTolerance);
}

}  // namespace ltx2
