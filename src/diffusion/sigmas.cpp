#include "diffusion/sigmas.h"

namespace ltx2 {

const std::vector<float>& distilled_sigmas() {
    // Literals rounded to float32, as torch.Tensor(list) does.
    static const std::vector<float> v = {float(1.0),     float(0.99375),  float(0.9875),
                                         float(0.98125), float(0.975),    float(0.909375),
                                         float(0.725),   float(0.421875), float(0.0)};
    return v;
}

const std::vector<float>& stage2_distilled_sigmas() {
    static const std::vector<float> v = {float(0.909375), float(0.725), float(0.421875), float(0.0)};
    return v;
}

}  // namespace ltx2
