#include "ops/sinusoid.h"

#include "ops/backend.h"

namespace ltx2 {

Tensor cos_sin_embedding(const Tensor& t, const Tensor& frequencies) {
    return backend_for("cos/sin embedding", {&t, &frequencies}).cos_sin_embedding(t, frequencies);
}

}  // namespace ltx2
