// Highway for the CPU kernels' SIMD code, compiled once per instruction set and chosen at run time
// (kernels/cpu/cpu_isa.h). A kernel file defines HWY_TARGET_INCLUDE as its own path, includes
// <hwy/foreach_target.h> and then this header, puts its SIMD functions in
// ltx2::cpu::HWY_NAMESPACE between HWY_BEFORE_NAMESPACE() and HWY_AFTER_NAMESPACE(), and the rest
// under `#if HWY_ONCE`, where LTX2_SIMD_DISPATCH(fn) calls the best compiled version of fn.
// No include guard: like Highway's own -inl headers, it is included once per target.
#include <hwy/highway.h>
#include <hwy/contrib/math/math-inl.h>

#ifndef LTX2_SIMD_DISPATCH
#include "kernels/cpu/cpu_isa.h"
// The caps of $LTX2_CPU_ISA apply before the first dispatch.
#define LTX2_SIMD_DISPATCH(fn) (static_cast<void>(::ltx2::cpu::cpu_isa()), HWY_DYNAMIC_DISPATCH(fn))
#endif
