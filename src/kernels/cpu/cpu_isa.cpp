#include "kernels/cpu/cpu_isa.h"

#include <omp.h>

#include <cstdlib>
#include <fstream>
#include <string_view>

#include <fmt/format.h>
#include <oneapi/dnnl/dnnl.hpp>

#include "core/error.h"
#include "kernels/cpu/simd.h"

namespace ltx2::cpu {

namespace {

struct CapName {
    IsaCap cap;
    std::string_view name;
};
constexpr CapName kCapNames[] = {{IsaCap::Baseline, "baseline"},
                                 {IsaCap::Avx2, "avx2"},
                                 {IsaCap::Avx512, "avx512"},
                                 {IsaCap::Avx512Bf16, "avx512_bf16"},
                                 {IsaCap::Native, "native"}};

std::string_view cap_name(IsaCap cap) {
    for (const auto& c : kCapNames)
        if (c.cap == cap) return c.name;
    return "?";
}

IsaCap cap_from_environment() {
    const char* value = std::getenv("LTX2_CPU_ISA");
    if (!value || !*value) return IsaCap::Native;
    for (const auto& c : kCapNames)
        if (c.name == value) return c.cap;
    fail("LTX2_CPU_ISA='{}' is not an instruction set cap: expected baseline, avx2, avx512, avx512_bf16 or native",
         value);
}

// The Highway targets a cap allows: always the build's baseline, which every x86-64 CPU runs.
int64_t highway_targets_allowed(IsaCap cap) {
    int64_t allowed = HWY_STATIC_TARGET;
    if (cap >= IsaCap::Avx2) allowed |= HWY_SSSE3 | HWY_SSE4 | HWY_AVX2;
    if (cap >= IsaCap::Avx512) allowed |= HWY_AVX3 | HWY_AVX3_DL;
    return allowed;
}

dnnl::cpu_isa onednn_isa_for(IsaCap cap) {
    switch (cap) {
        case IsaCap::Baseline: return dnnl::cpu_isa::sse41;
        case IsaCap::Avx2: return dnnl::cpu_isa::avx2;
        case IsaCap::Avx512: return dnnl::cpu_isa::avx512_core;
        case IsaCap::Avx512Bf16: return dnnl::cpu_isa::avx512_core_bf16;
        case IsaCap::Native: break;
    }
    return dnnl::cpu_isa::all;
}

CpuIsa detect_and_apply() {
    CpuIsa isa;
    isa.cap = cap_from_environment();
#if defined(LTX2_NATIVE_BUILD)
    if (isa.cap != IsaCap::Native)
        fail("LTX2_CPU_ISA={}: this build is compiled for the building machine's CPU (-DLTX2_NATIVE=ON), so its "
             "instruction sets cannot be capped at run time; use a portable build (the default)",
             cap_name(isa.cap));
#endif
    if (isa.cap != IsaCap::Native) {
        hwy::DisableTargets(~highway_targets_allowed(isa.cap));
        if (dnnl::set_max_cpu_isa(onednn_isa_for(isa.cap)) != dnnl::status::success)
            fail("LTX2_CPU_ISA={}: oneDNN refused the cap (it must be set before its first use)", cap_name(isa.cap));
    }
    __builtin_cpu_init();
    isa.avx512 = isa.cap >= IsaCap::Avx512 && __builtin_cpu_supports("avx512f") &&
                 __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
                 __builtin_cpu_supports("avx512vl");
    isa.avx512_bf16 = isa.avx512 && isa.cap >= IsaCap::Avx512Bf16 && __builtin_cpu_supports("avx512bf16");
    return isa;
}

std::string cpu_model() {
    std::ifstream cpuinfo("/proc/cpuinfo");
    for (std::string line; std::getline(cpuinfo, line);)
        if (line.rfind("model name", 0) == 0 && line.find(':') != std::string::npos)
            return line.substr(line.find(':') + 2);
    return "unknown";
}

std::string_view onednn_isa_name(dnnl::cpu_isa isa) {
    switch (isa) {
        case dnnl::cpu_isa::sse41: return "SSE4.1";
        case dnnl::cpu_isa::avx: return "AVX";
        case dnnl::cpu_isa::avx2: return "AVX2";
        case dnnl::cpu_isa::avx2_vnni: return "AVX2-VNNI";
        case dnnl::cpu_isa::avx512_core: return "AVX-512";
        case dnnl::cpu_isa::avx512_core_vnni: return "AVX-512 VNNI";
        case dnnl::cpu_isa::avx512_core_bf16: return "AVX-512 BF16";
        case dnnl::cpu_isa::avx512_core_amx: return "AVX-512 + AMX";
        default: return "other";
    }
}

}  // namespace

const CpuIsa& cpu_isa() {
    static const CpuIsa isa = detect_and_apply();
    return isa;
}

CpuPaths cpu_paths() {
    const CpuIsa& isa = cpu_isa();
    const int64_t targets = hwy::SupportedTargets() & HWY_TARGETS;
    const int64_t best = targets & -targets;  // the lowest bit is the best target
    CpuPaths paths;
    paths.cpu_model = cpu_model();
    paths.simd_target = hwy::TargetName(best);
    paths.onednn_isa = onednn_isa_name(dnnl::get_effective_cpu_isa());
    paths.bf16_rounding = isa.avx512_bf16 ? "AVX-512 BF16" : "software";
    if (isa.cap != IsaCap::Native) paths.cap = cap_name(isa.cap);
    paths.threads = omp_get_max_threads();
    return paths;
}

std::string CpuPaths::isa_description() const {
    std::string text =
        fmt::format("SIMD kernels: Highway {}; oneDNN: {}; BF16 rounding: {}", simd_target, onednn_isa, bf16_rounding);
    if (!cap.empty()) text += fmt::format(" (capped by LTX2_CPU_ISA={})", cap);
    return text;
}

std::string cpu_paths_description() {
    const CpuPaths paths = cpu_paths();
    return fmt::format("CPU: {}; {}; threads: {}", paths.cpu_model, paths.isa_description(), paths.threads);
}

}  // namespace ltx2::cpu
