#include "ops/sinusoid.h"

#include "ops/backend.h"

namespace ltx2 {

Tensor cos_sin_embedding(const Tensor& t, const Tensor& frequencies) {
    return call_backend("cos/sin embedding", {&t, &frequencies})->cos_sin_embedding(t, frequencies);
}

}  // namespace ltx2
