// The instruction sets the kernels choose at run time (src/kernels/cpu/cpu_isa.h) and the cap
// $LTX2_CPU_ISA puts on them. The isa-avx2 / isa-baseline runs of ctest repeat the kernel tests
// under a cap; CpuIsa.TheCapInTheEnvironmentIsApplied checks, in each of them, that it holds.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "kernels/cpu/cpu_isa.h"
#include "test_util.h"

using ltx2::test::expect_contains;
using ltx2::test::run_command;
using namespace ltx2::cpu;

namespace {

std::string version_with_cap(const std::string& cap) {
    return std::string("LTX2_CPU_ISA=") + cap + " " + LTX2_BIN + " --version 2>&1";
}

bool has_avx2() {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

// Highway's baseline target (SCALAR or EMU128: plain C++) and oneDNN below AVX.
void expect_baseline_paths(const std::string& text) {
    const size_t simd = text.find("SIMD kernels: Highway ");
    ASSERT_NE(simd, std::string::npos) << text;
    const std::string target = text.substr(simd, text.find(';', simd) - simd);
    EXPECT_TRUE(target.ends_with("SCALAR") || target.ends_with("EMU128")) << text;
    EXPECT_EQ(text.find("oneDNN: AVX"), std::string::npos) << text;
}

}  // namespace

TEST(CpuIsa, DescriptionNamesTheMachineAndEveryPath) {
    expect_contains(cpu_paths_description(), {"CPU: ", "; SIMD kernels: Highway ", "; oneDNN: ", "; BF16 rounding: ",
                                              "; threads: "});
}

TEST(CpuIsa, TheCapInTheEnvironmentIsApplied) {
    const char* env = std::getenv("LTX2_CPU_ISA");
    const std::string cap = env ? env : "";
    const CpuIsa& isa = cpu_isa();
    const std::string text = cpu_paths_description();
    if (cap.empty() || cap == "native") {
        EXPECT_EQ(isa.cap, IsaCap::Native);
        EXPECT_EQ(text.find("capped"), std::string::npos) << text;
        return;
    }
    EXPECT_FALSE(isa.avx512) << text;
    EXPECT_FALSE(isa.avx512_bf16) << text;
    expect_contains(text, {"BF16 rounding: software", "(capped by LTX2_CPU_ISA=" + cap + ")"});
    if (cap == "avx2") {
        EXPECT_EQ(isa.cap, IsaCap::Avx2);
        if (has_avx2()) expect_contains(text, {"SIMD kernels: Highway AVX2;", "oneDNN: AVX2;"});
    } else {
        ASSERT_EQ(cap, "baseline") << "the isa-* tests set avx2 or baseline";
        EXPECT_EQ(isa.cap, IsaCap::Baseline);
        expect_baseline_paths(text);
    }
}

#if defined(LTX2_NATIVE_BUILD)
TEST(CpuIsa, NativeBuildsRefuseACap) {
    const auto r = run_command(version_with_cap("avx2"));
    EXPECT_EQ(r.exit_code, 2) << r.output;
    expect_contains(r.output, {"LTX2_CPU_ISA=avx2", "-DLTX2_NATIVE=ON", "portable build"});
}
#else
TEST(CpuIsa, VersionReportsThePathsAndTheirCap) {
    const auto plain = run_command(std::string("env -u LTX2_CPU_ISA ") + LTX2_BIN + " --version");
    EXPECT_EQ(plain.exit_code, 0) << plain.output;
    expect_contains(plain.output, {"ltx2 ", "CPU: ", "SIMD kernels: Highway "});
    EXPECT_EQ(plain.output.find("capped"), std::string::npos) << plain.output;

    const auto avx2 = run_command(version_with_cap("avx2"));
    EXPECT_EQ(avx2.exit_code, 0) << avx2.output;
    expect_contains(avx2.output, {"(capped by LTX2_CPU_ISA=avx2)", "BF16 rounding: software"});
    if (has_avx2()) expect_contains(avx2.output, {"SIMD kernels: Highway AVX2;", "oneDNN: AVX2;"});

    const auto baseline = run_command(version_with_cap("baseline"));
    EXPECT_EQ(baseline.exit_code, 0) << baseline.output;
    expect_contains(baseline.output, {"(capped by LTX2_CPU_ISA=baseline)"});
    expect_baseline_paths(baseline.output);
}
#endif

TEST(CpuIsa, AnUnknownCapIsNamedBeforeAnyWork) {
    const auto r = run_command(std::string("LTX2_CPU_ISA=avx9 ") + LTX2_BIN + " --demo -p 'a cat' -o /nonexistent/x.mp4 2>&1");
    EXPECT_EQ(r.exit_code, 2) << r.output;
    expect_contains(r.output, {"LTX2_CPU_ISA='avx9'", "baseline, avx2, avx512, avx512_bf16 or native"});
}
