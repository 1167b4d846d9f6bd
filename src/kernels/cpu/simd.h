#pragma once
// Highway, static dispatch only (the build targets the host with -march=native; Highway 1.0.3
// otherwise rejects some -march=native baselines, e.g. Sapphire Rapids).
#ifndef HWY_COMPILE_ONLY_STATIC
#define HWY_COMPILE_ONLY_STATIC 1
#endif
#include <hwy/highway.h>
#include <hwy/contrib/math/math-inl.h>

namespace ltx2::cpu::simd {
namespace hn = hwy::HWY_NAMESPACE;
}  // namespace ltx2::cpu::simd
