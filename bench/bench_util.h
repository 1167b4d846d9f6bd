#pragma once
// Shared by the benchmarks: timing, seeded random weights, and the oneDNN bf16 matmul peak
// that results are reported against.
#include <oneapi/dnnl/dnnl.hpp>

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <cmath>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "core/random_tensor.h"
#include "core/tensor.h"
#include "kernels/cpu/cpu_isa.h"

namespace ltx2::bench {

using Clock = std::chrono::steady_clock;

inline double seconds_since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}
inline double gib(double bytes) { return bytes / (1024.0 * 1024.0 * 1024.0); }

// The machine and the instruction-set paths the kernels take (kernels/cpu/cpu_isa.h), printed at
// the top of every benchmark so its numbers say which machine and path made them. Call it first:
// it applies $LTX2_CPU_ISA before anything uses oneDNN.
// The machine's 1-minute load average (-1 when unknown), printed beside figures a busy machine skews.
inline double load_average() {
    double load[1] = {-1};
    return getloadavg(load, 1) == 1 ? load[0] : -1;
}

inline void print_machine(std::FILE* out = stdout) { std::fprintf(out, "%s\n", cpu::cpu_paths_description().c_str()); }

using Rng = XorShift64;
inline Tensor random_tensor(const Shape& shape, DType dtype, float scale, uint64_t seed) {
    return random_uniform_tensor(shape, dtype, scale, seed);
}

inline Tensor filled(const Shape& shape, DType dtype, float value) {
    Tensor t = Tensor::zeros(shape, dtype);
    if (dtype == DType::BF16) std::fill(t.data<uint16_t>(), t.data<uint16_t>() + t.numel(), f32_to_bf16(value));
    else std::fill(t.data<float>(), t.data<float>() + t.numel(), value);
    return t;
}

// Peak of a plain oneDNN bf16 matmul (bf16 in, f32 out), best of `reps` runs, GFLOP/s. On a
// shared VM whose throughput swings from second to second, many runs are needed to find the
// machine's real peak (bench_block uses a few seconds' worth).
inline double onednn_bf16_matmul_gflops(int64_t m, int64_t k, int64_t n, int reps = 6) {
    using namespace dnnl;
    engine eng(engine::kind::cpu, 0);
    stream strm(eng);
    // Without BF16 kernels (CPUs without AVX-512) oneDNN has no bf16 matmul, and the engine's bf16
    // products run as f32 ones (kernels/cpu/cpu_common.h): the f32 matmul is the peak then.
    auto primitive = [&](memory::data_type type, memory::desc* a_md, memory::desc* b_md, memory::desc* c_md) {
        *a_md = memory::desc({m, k}, type, memory::format_tag::ab);
        *b_md = memory::desc({k, n}, type, memory::format_tag::ba);  // weight [n, k] row-major
        *c_md = memory::desc({m, n}, memory::data_type::f32, memory::format_tag::ab);
        return matmul(matmul::primitive_desc(matmul::desc(*a_md, *b_md, *c_md), eng));
    };
    memory::desc a_md, b_md, c_md;
    DType dtype = DType::BF16;
    matmul prim;
    try {
        prim = primitive(memory::data_type::bf16, &a_md, &b_md, &c_md);
    } catch (const dnnl::error&) {
        std::fprintf(stderr, "no bf16 matmul in oneDNN on this CPU: the reference peak is its f32 matmul\n");
        dtype = DType::F32;
        prim = primitive(memory::data_type::f32, &a_md, &b_md, &c_md);
    }
    Tensor a = random_tensor({m, k}, dtype, 1.0f, 1), b = random_tensor({n, k}, dtype, 1.0f, 2);
    Tensor c = Tensor::zeros({m, n});
    memory am(a_md, eng, a.raw()), bm(b_md, eng, b.raw()), cm(c_md, eng, c.raw());
    double best = 1e30;
    for (int rep = 0; rep < reps; ++rep) {
        auto t0 = Clock::now();
        prim.execute(strm, {{DNNL_ARG_SRC, am}, {DNNL_ARG_WEIGHTS, bm}, {DNNL_ARG_DST, cm}});
        strm.wait();
        best = std::min(best, seconds_since(t0));
    }
    return 2.0 * double(m) * double(n) * double(k) / best / 1e9;
}

// Peak of a plain oneDNN 3-D convolution (bf16 or f32 in, f32 out, 3x3x3, `channels` in and out,
// padding 1, on a [channels, depth, side, side] volume; the layouts oneDNN prefers, reorders not
// timed), best of `reps` runs, GFLOP/s: the reference of the VAE and vocoder benchmarks. Without
// bf16 kernels (CPUs without AVX-512) the bf16 peak is the f32 convolution, as the engine's fall
// back.
inline double onednn_conv_gflops(bool bf16, int64_t channels = 512, int64_t depth = 8, int64_t side = 32,
                                 int reps = 6) {
    using namespace dnnl;
    engine eng(engine::kind::cpu, 0);
    stream strm(eng);
    const memory::dims volume{1, channels, depth, side, side}, weights{channels, channels, 3, 3, 3};
    const memory::dims unit{1, 1, 1};
    auto primitive_desc = [&](memory::data_type type) {
        const auto any = memory::format_tag::any;
        return convolution_forward::primitive_desc(
            convolution_forward::desc(prop_kind::forward_inference, algorithm::convolution_direct,
                                      memory::desc(volume, type, any), memory::desc(weights, type, any),
                                      memory::desc(volume, memory::data_type::f32, any), unit, unit, unit),
            eng);
    };
    convolution_forward::primitive_desc pd;
    try {
        pd = primitive_desc(bf16 ? memory::data_type::bf16 : memory::data_type::f32);
    } catch (const dnnl::error&) {
        std::printf("no bf16 convolution in oneDNN on this CPU: the convolution peak below is its f32 one\n");
        pd = primitive_desc(memory::data_type::f32);
    }
    memory src(pd.src_desc(), eng), wei(pd.weights_desc(), eng), dst(pd.dst_desc(), eng);
    // Small finite values (0x3c00 is bf16 0.0078, two of them f32 0.0078); the time does not depend on them.
    for (memory* m : {&src, &wei}) {
        auto* p = static_cast<uint16_t*>(m->get_data_handle());
        std::fill(p, p + m->get_desc().get_size() / 2, uint16_t(0x3c00));
    }
    const convolution_forward conv(pd);
    double best = 1e30;
    for (int rep = 0; rep < reps + 1; ++rep) {  // the first run is a warm-up
        const auto t0 = Clock::now();
        conv.execute(strm, {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, wei}, {DNNL_ARG_DST, dst}});
        strm.wait();
        if (rep > 0) best = std::min(best, seconds_since(t0));
    }
    return 2.0 * double(channels * channels * 27) * double(depth * side * side) / best / 1e9;
}

inline double onednn_bf16_conv_gflops() { return onednn_conv_gflops(true); }
inline double onednn_f32_conv_gflops() { return onednn_conv_gflops(false); }

// Inputs per output of a convolution weight [Cout, Cin, k...].
inline double conv_fan_in(const Shape& s) {
    double n = s.size() >= 2 ? double(s[1]) : 1.0;
    for (size_t d = 2; d < s.size(); ++d) n *= double(s[d]);
    return n;
}

// The manifest's tensors for which keep(name) holds, as random bf16: conv weights uniform
// ±sqrt(3/fan_in) (unit-variance outputs), latent statistics benign (std-of-means 1,
// mean-of-means 0), everything else small.
inline std::vector<std::pair<std::string, Tensor>> random_conv_model_weights(
    const nlohmann::json& manifest, const std::function<bool(const std::string&)>& keep,
    const std::function<double(const std::string&, const Shape&)>& fan_in, uint64_t seed) {
    std::vector<std::pair<std::string, Tensor>> out;
    for (const auto& t : manifest.at("tensors")) {
        const std::string name = t.at("name");
        if (!keep(name)) continue;
        const Shape shape = t.at("shape").get<Shape>();
        Tensor w;
        if (name.ends_with("std-of-means")) w = filled(shape, DType::BF16, 1.0f);
        else if (name.ends_with("mean-of-means")) w = filled(shape, DType::BF16, 0.0f);
        else if (name.ends_with(".weight") && shape.size() >= 3)
            w = random_tensor(shape, DType::BF16, float(std::sqrt(3.0 / fan_in(name, shape))), ++seed);
        else w = random_tensor(shape, DType::BF16, 0.02f, ++seed);
        out.emplace_back(name, w);
    }
    return out;
}

}  // namespace ltx2::bench
