// ltx25.duration_head: LTX-2.5's DurationHead (seconds from the connector outputs) and the
// DurationPredictor's frame counts for each range the fixture lists
// (tests/golden/ltx25/duration_head/README.md: 1e-5 on seconds / pooled, frame counts exact).
#include <fmt/format.h>

#include <cmath>
#include <string>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "io/weight_store.h"
#include "models/duration_head/duration_head.h"
#include "parity/kinds.h"

namespace ltx2 {

namespace {

// Python's str() of a float as the fixture's names spell it ("1.0", "1.5", "20.0").
std::string python_float(double x) { return x == std::floor(x) ? fmt::format("{:.1f}", x) : fmt::format("{}", x); }

}  // namespace

void parity_ltx25_duration_head(ParityRun& run) {
    const DurationHead head = DurationHead::load(WeightStore::open(run.model_path(), "duration_head."));
    const double fps = std::stod(run.meta("frame_rate"));
    const nlohmann::json ranges = run.meta_json("ranges_seconds");
    LTX2_CHECK(ranges.is_array() && !ranges.empty(), "{}: metadata ranges_seconds must be a list of [min, max]",
               run.io_path());
    int cases = 0;
    for (const char* name : {"av", "video_only", "audio_only"}) {
        const std::string c = name;
        if (!run.has("out." + c + ".seconds")) continue;
        ++cases;
        const bool video = c != "audio_only", audio = c != "video_only";
        const DurationPrediction p = head.forward(video ? run.input("in.video_tokens") : Tensor(),
                                                  audio ? run.input("in.audio_tokens") : Tensor());
        run.compare_if_present("dbg." + c + ".pooled", p.pooled, 1e-5);
        run.compare_if_present("dbg." + c + ".log_seconds", p.log_seconds, 1e-5);
        run.compare("out." + c + ".seconds", p.seconds, 1e-5);
        const double seconds = host_values(p.seconds).front();
        for (const auto& r : ranges) {
            const double lo = r.at(0).get<double>(), hi = r.at(1).get<double>();
            const std::string key = "out." + c + ".num_frames." + python_float(lo) + "-" + python_float(hi);
            const int64_t frames = duration_to_num_frames(seconds, fps, lo, hi);
            run.compare(key, Tensor::from_f32({1}, {float(frames)}), 0.0);
        }
    }
    LTX2_CHECK(cases > 0, "{}: no out.<case>.seconds (cases av, video_only, audio_only)", run.io_path());
}

}  // namespace ltx2
