#pragma once
// The instruction sets the CPU kernels use, chosen at run time so that one binary runs on any
// x86-64 CPU and uses AVX2, AVX-512, AVX-512 BF16 or AMX where present: Highway's dynamic dispatch
// for our SIMD kernels, oneDNN's own for products and convolutions, and a runtime check for the
// AVX-512 intrinsics paths. $LTX2_CPU_ISA caps all three, to run and measure the fallback paths on
// a machine that has more.
#include <string>

namespace ltx2::cpu {

// The most the kernels may use; each level includes the ones before it.
enum class IsaCap { Baseline, Avx2, Avx512, Avx512Bf16, Native };

struct CpuIsa {
    IsaCap cap = IsaCap::Native;  // from $LTX2_CPU_ISA
    bool avx512 = false;          // our AVX-512 F/BW/DQ/VL paths may run
    bool avx512_bf16 = false;     // and the AVX-512 BF16 conversions
};

// Detects the CPU once and applies $LTX2_CPU_ISA (baseline, avx2, avx512, avx512_bf16 or native)
// to Highway and oneDNN before either is used; every kernel entry calls it first. Throws an
// Error naming the variable and its values on anything else, or when a build compiled for the
// building machine (LTX2_NATIVE) is asked for less than it was compiled for.
const CpuIsa& cpu_isa();

// Which machine and which paths run, field by field (benchmarks report them as JSON).
struct CpuPaths {
    std::string cpu_model;      // from /proc/cpuinfo
    std::string simd_target;    // Highway's best target
    std::string onednn_isa;     // oneDNN's effective instruction set
    std::string bf16_rounding;  // "AVX-512 BF16" or "software"
    std::string cap;            // $LTX2_CPU_ISA's cap, empty when native
    int threads = 0;            // OpenMP's thread count
    // The instruction-set part of the description: "SIMD kernels: ...; oneDNN: ...; BF16 rounding: ..."
    std::string isa_description() const;
};
CpuPaths cpu_paths();

// One line saying which machine and which paths run: the CPU model, Highway's target, oneDNN's
// instruction set, the BF16 conversions and the thread count (printed by the benchmarks and by
// `ltx2 --version`).
std::string cpu_paths_description();

}  // namespace ltx2::cpu
