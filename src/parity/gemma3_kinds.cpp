// gemma3.hidden_states: the Gemma 3 text model's hidden states for one tokenized, left-padded
// prompt. Only the real tokens are computed (at their absolute positions in the padded row),
// as the engine runs it, and compared with the reference on those rows.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "core/error.h"
#include "models/gemma3/model.h"
#include "models/text_encoder/padding.h"
#include "parity/kinds.h"

namespace ltx2 {

namespace {

std::vector<int64_t> int_row(const ParityRun& run, const std::string& name) {
    const Tensor t = run.host_input(name);
    LTX2_CHECK((t.dtype() == DType::I64 || t.dtype() == DType::I32) && t.dim() == 2 && t.size(0) == 1,
               "{}: {} must be an integer [1, T] tensor, got {} {}", run.io_path(), name, dtype_name(t.dtype()),
               shape_str(t.shape()));
    std::vector<int64_t> out(size_t(t.size(1)));
    for (int64_t j = 0; j < t.size(1); ++j) out[size_t(j)] = int64_t(t.at({0, j}));
    return out;
}

double absmax(const Tensor& t) {
    double m = 0;
    for (float x : host_values(t)) m = std::max(m, std::fabs(double(x)));
    return m;
}

}  // namespace

void parity_gemma3_hidden_states(ParityRun& run) {
    if (run.has_meta("compute_dtype") && run.meta("compute_dtype") != "float32")
        fail("{}: compute_dtype '{}' is not supported (the float32 engine path is checked)", run.io_path(),
             run.meta("compute_dtype"));
    const std::vector<int64_t> ids = int_row(run, "in.input_ids");
    const std::vector<int64_t> mask = int_row(run, "in.attention_mask");
    LTX2_CHECK(ids.size() == mask.size(), "{}: in.input_ids has {} tokens, in.attention_mask {}", run.io_path(),
               ids.size(), mask.size());
    const int64_t T = int64_t(ids.size());
    const int64_t V = left_padded_real_rows(run.input("in.attention_mask"), run.io_path() + ": in.attention_mask");
    LTX2_CHECK(V > 0, "{}: in.attention_mask has no real token", run.io_path());
    const int64_t first = T - V;

    const Gemma3Model model = Gemma3Model::load(run.model_path(), Precision::F32);
    const std::vector<Tensor> states =
        model.hidden_states(std::span<const int64_t>(ids).subspan(size_t(first)), first);
    int stored = 0;
    while (run.has(fmt::format("out.hidden_state.{}", stored))) ++stored;
    LTX2_CHECK(stored == model.num_hidden_states(), "{}: holds {} out.hidden_state.* tensors, the model returns {}",
               run.io_path(), stored, model.num_hidden_states());

    for (int i = 0; i < stored; ++i) {
        const std::string name = fmt::format("out.hidden_state.{}", i);
        const Tensor ref = run.input(name);
        LTX2_CHECK(ref.dim() == 3 && ref.size(0) == 1 && ref.size(1) == T, "{}: {} has shape {}, expected [1, {}, D]",
                   run.io_path(), name, shape_str(ref.shape()), T);
        const Tensor real_rows = ref.select(0, 0).slice(0, first, T);
        // The README bounds each element by 1e-4 + 1e-4·|ref|. max|err| / max|ref| ≤ 1e-4 / max(1, max|ref|)
        // means max|err| ≤ 1e-4 (or ≤ 1e-4·max|ref| < 1e-4 when max|ref| < 1): never looser.
        run.compare_to(name, states[size_t(i)], real_rows, 1e-4 / std::max(1.0, absmax(real_rows)));
    }
}

}  // namespace ltx2
