// conv_nd / conv_transpose_nd / pad_nd against double-precision references.
#include <gtest/gtest.h>

#include <array>
#include <string>

#include "core/error.h"
#include "kernels/cpu/conv.h"
#include "test_kernels_util.h"

using namespace ltx2;
using namespace ltx2::cpu;
using namespace ltx2::ktest;

namespace {

// Everything is viewed as 3-D (missing leading spatial dims have size 1).
struct Dims3 {
    std::array<int64_t, 3> v{1, 1, 1};
    int64_t prod() const { return v[0] * v[1] * v[2]; }
};

Dims3 spatial(const Tensor& t) {
    Dims3 d;
    const int nd = t.dim() - 2;
    for (int i = 0; i < nd; ++i) d.v[size_t(3 - nd + i)] = t.size(2 + i);
    return d;
}

Dims3 param3(const std::vector<int64_t>& p, int nd, int64_t def) {
    Dims3 d;
    d.v = {def, def, def};
    if (p.empty()) return d;
    for (int i = 0; i < nd; ++i) d.v[size_t(3 - nd + i)] = p[size_t(i)];
    return d;
}

std::vector<double> conv_ref(const Tensor& x, const Tensor& w, const Tensor& b, const ConvParams& p, const Shape& out,
                             bool round_x) {
    const int nd = x.dim() - 2;
    const int64_t B = x.size(0), Cin = x.size(1), Cout = w.size(0), G = p.groups, ig = Cin / G, og = Cout / G;
    const Dims3 in = spatial(x), k = spatial(w), s = param3(p.strides, nd, 1), dl = param3(p.dilations, nd, 1),
                pb = param3(p.pad_before, nd, 0);
    Dims3 o;
    for (int i = 0; i < nd; ++i) o.v[size_t(3 - nd + i)] = out[size_t(2 + i)];
    auto xv = x.to_vector(), wv = w.to_vector();
    std::vector<float> bv = b.defined() ? b.to_vector() : std::vector<float>();
    std::vector<double> y(size_t(B * Cout * o.prod()));
    for (int64_t bb = 0; bb < B; ++bb)
        for (int64_t co = 0; co < Cout; ++co) {
            const int64_t g = co / og;
            for (int64_t o0 = 0; o0 < o.v[0]; ++o0)
                for (int64_t o1 = 0; o1 < o.v[1]; ++o1)
                    for (int64_t o2 = 0; o2 < o.v[2]; ++o2) {
                        double acc = b.defined() ? bv[size_t(co)] : 0.0;
                        for (int64_t ci = 0; ci < ig; ++ci)
                            for (int64_t k0 = 0; k0 < k.v[0]; ++k0) {
                                const int64_t i0 = o0 * s.v[0] - pb.v[0] + k0 * dl.v[0];
                                if (i0 < 0 || i0 >= in.v[0]) continue;
                                for (int64_t k1 = 0; k1 < k.v[1]; ++k1) {
                                    const int64_t i1 = o1 * s.v[1] - pb.v[1] + k1 * dl.v[1];
                                    if (i1 < 0 || i1 >= in.v[1]) continue;
                                    for (int64_t k2 = 0; k2 < k.v[2]; ++k2) {
                                        const int64_t i2 = o2 * s.v[2] - pb.v[2] + k2 * dl.v[2];
                                        if (i2 < 0 || i2 >= in.v[2]) continue;
                                        double xx = xv[size_t((((bb * Cin + g * ig + ci) * in.v[0] + i0) * in.v[1] + i1) *
                                                                  in.v[2] +
                                                              i2)];
                                        if (round_x) xx = bf16_round(xx);
                                        acc += xx * wv[size_t((((co * ig + ci) * k.v[0] + k0) * k.v[1] + k1) * k.v[2] + k2)];
                                    }
                                }
                            }
                        y[size_t(((bb * Cout + co) * o.v[0] + o0) * o.v[1] * o.v[2] + o1 * o.v[2] + o2)] = acc;
                    }
        }
    return y;
}

// Transposed conv as the scatter of torch: out[b, g·og + c, i·s − pb + k·d] += x[b, ci, i] · w[ci, c, k].
std::vector<double> conv_transpose_ref(const Tensor& x, const Tensor& w, const Tensor& b, const ConvTransposeParams& p,
                                       const Shape& out, bool round_x) {
    const int nd = x.dim() - 2;
    const int64_t B = x.size(0), Cin = x.size(1), G = p.groups, ig = Cin / G, og = w.size(1), Cout = og * G;
    const Dims3 in = spatial(x), k = spatial(w), s = param3(p.strides, nd, 1), dl = param3(p.dilations, nd, 1),
                pb = param3(p.pad_before, nd, 0);
    Dims3 o;
    for (int i = 0; i < nd; ++i) o.v[size_t(3 - nd + i)] = out[size_t(2 + i)];
    auto xv = x.to_vector(), wv = w.to_vector();
    std::vector<double> y(size_t(B * Cout * o.prod()), 0.0);
    for (int64_t bb = 0; bb < B; ++bb)
        for (int64_t co = 0; co < Cout; ++co)
            for (int64_t i = 0; i < o.prod(); ++i)
                y[size_t((bb * Cout + co) * o.prod() + i)] = b.defined() ? b.at({co}) : 0.0;
    for (int64_t bb = 0; bb < B; ++bb)
        for (int64_t ci = 0; ci < Cin; ++ci) {
            const int64_t g = ci / ig;
            for (int64_t i0 = 0; i0 < in.v[0]; ++i0)
                for (int64_t i1 = 0; i1 < in.v[1]; ++i1)
                    for (int64_t i2 = 0; i2 < in.v[2]; ++i2) {
                        double xx = xv[size_t(((bb * Cin + ci) * in.v[0] + i0) * in.v[1] * in.v[2] + i1 * in.v[2] + i2)];
                        if (round_x) xx = bf16_round(xx);
                        for (int64_t c = 0; c < og; ++c)
                            for (int64_t k0 = 0; k0 < k.v[0]; ++k0) {
                                const int64_t a0 = i0 * s.v[0] - pb.v[0] + k0 * dl.v[0];
                                if (a0 < 0 || a0 >= o.v[0]) continue;
                                for (int64_t k1 = 0; k1 < k.v[1]; ++k1) {
                                    const int64_t a1 = i1 * s.v[1] - pb.v[1] + k1 * dl.v[1];
                                    if (a1 < 0 || a1 >= o.v[1]) continue;
                                    for (int64_t k2 = 0; k2 < k.v[2]; ++k2) {
                                        const int64_t a2 = i2 * s.v[2] - pb.v[2] + k2 * dl.v[2];
                                        if (a2 < 0 || a2 >= o.v[2]) continue;
                                        const double ww =
                                            wv[size_t((((ci * og + c) * k.v[0] + k0) * k.v[1] + k1) * k.v[2] + k2)];
                                        y[size_t(((bb * Cout + g * og + c) * o.v[0] + a0) * o.v[1] * o.v[2] +
                                                 a1 * o.v[2] + a2)] += xx * ww;
                                    }
                                }
                            }
                    }
        }
    return y;
}

struct ConvCase {
    std::string name;
    Shape x, w;  // x [B, Cin, *sp], w [Cout, Cin/G, *k]
    ConvParams p;
    Shape expect_out;
};

ConvParams params(std::vector<int64_t> s, std::vector<int64_t> d, std::vector<int64_t> pb, std::vector<int64_t> pa,
                  int64_t groups = 1) {
    ConvParams p;
    p.strides = std::move(s);
    p.dilations = std::move(d);
    p.pad_before = std::move(pb);
    p.pad_after = std::move(pa);
    p.groups = groups;
    return p;
}

void check_conv_cases(const std::vector<ConvCase>& cases) {
    uint32_t seed = 100;
    for (const auto& c : cases)
        for (DType wt : {DType::F32, DType::BF16})
            for (bool with_bias : {false, true}) {
                Tensor x = random_tensor(c.x, seed++);
                Tensor w = random_tensor(c.w, seed++, 0.2f, wt);
                Tensor b = with_bias ? random_tensor({c.w[0]}, seed++) : Tensor();
                Tensor y = conv_nd(x, w, b, c.p, precision_of(w));
                ASSERT_EQ(y.shape(), c.expect_out) << c.name;
                ASSERT_EQ(y.dtype(), DType::F32);
                auto ref = conv_ref(x, w, b, c.p, y.shape(), wt == DType::BF16);
                // bf16 weights: the reference rounds x the same way, so only accumulation differs.
                EXPECT_LT(rel_error(y.to_vector(), ref), wt == DType::BF16 ? 1e-5 : 1e-5)
                    << c.name << " " << dtype_name(wt) << " bias " << with_bias;
                // Against an unrounded input the BF16 result stays within bf16 precision.
                if (wt == DType::BF16) {
                    auto ref_exact = conv_ref(x, w, b, c.p, y.shape(), false);
                    EXPECT_LT(rel_error(y.to_vector(), ref_exact), 1e-2) << c.name << " bf16 vs unrounded";
                }
            }
}

}  // namespace

TEST(KernelsConv, Conv1dStridesDilationsPadding) {
    std::vector<ConvCase> cases = {
        {"k1", {1, 3, 5}, {4, 3, 1}, {}, {1, 4, 5}},
        {"k7 same", {2, 8, 37}, {6, 8, 7}, params({}, {}, {3}, {3}), {2, 6, 37}},
        {"k3 d1", {2, 16, 29}, {16, 16, 3}, params({}, {1}, {1}, {1}), {2, 16, 29}},
        {"k3 d3", {2, 16, 29}, {16, 16, 3}, params({}, {3}, {3}, {3}), {2, 16, 29}},
        {"k3 d5", {2, 16, 29}, {16, 16, 3}, params({}, {5}, {5}, {5}), {2, 16, 29}},
        {"k5 d3 valid", {1, 5, 40}, {7, 5, 5}, params({}, {3}, {}, {}), {1, 7, 28}},
        {"k4 s2 asym", {2, 6, 31}, {10, 6, 4}, params({2}, {}, {2}, {1}), {2, 10, 16}},
        {"k3 s2 odd", {1, 9, 17}, {5, 9, 3}, params({2}, {}, {0}, {0}), {1, 5, 8}},
        {"depthwise k7", {2, 12, 23}, {12, 1, 7}, params({}, {}, {3}, {3}, 12), {2, 12, 23}},
        {"groups 4", {2, 8, 19}, {12, 2, 3}, params({}, {2}, {2}, {2}, 4), {2, 12, 19}},
    };
    check_conv_cases(cases);
}

// Longer than two of the 2048-output chunks long F32 1-D convolutions run in (kernels/cpu/conv.cpp):
// chunk seams, a shorter last chunk, padding at both ends, strides, dilations, batches.
TEST(KernelsConv, Conv1dLongSignalsAcrossChunks) {
    std::vector<ConvCase> cases = {
        {"k11 d5 same", {2, 24, 5000}, {32, 24, 11}, params({}, {5}, {25}, {25}), {2, 32, 5000}},
        {"k7 asym", {1, 16, 4096}, {8, 16, 7}, params({}, {}, {6}, {0}), {1, 8, 4096}},
        {"k9 s3", {1, 8, 13000}, {5, 8, 9}, params({3}, {}, {4}, {4}), {1, 5, 4334}},
        {"k3 valid", {2, 4, 8200}, {6, 4, 3}, params({}, {2}, {}, {}), {2, 6, 8196}},
    };
    check_conv_cases(cases);
}

TEST(KernelsConv, Conv2d) {
    std::vector<ConvCase> cases = {
        {"3x3 same", {2, 8, 11, 13}, {16, 8, 3, 3}, params({}, {}, {1, 1}, {1, 1}), {2, 16, 11, 13}},
        {"3x3 s2", {1, 5, 15, 9}, {7, 5, 3, 3}, params({2, 2}, {}, {0, 0}, {1, 1}), {1, 7, 7, 4}},
        {"1x1", {2, 20, 5, 7}, {3, 20, 1, 1}, {}, {2, 3, 5, 7}},
        {"3x5 dil", {1, 4, 12, 17}, {6, 4, 3, 5}, params({1, 2}, {2, 1}, {2, 2}, {0, 1}), {1, 6, 10, 8}},
        {"depthwise", {2, 16, 9, 10}, {16, 1, 3, 3}, params({}, {}, {1, 1}, {1, 1}, 16), {2, 16, 9, 10}},
        {"groups 2", {1, 6, 8, 8}, {4, 3, 3, 3}, params({}, {}, {}, {}, 2), {1, 4, 6, 6}},
    };
    check_conv_cases(cases);
}

TEST(KernelsConv, Conv3d) {
    std::vector<ConvCase> cases = {
        {"3x3x3 causal-style (time unpadded)", {2, 8, 5, 7, 9}, {16, 8, 3, 3, 3}, params({}, {}, {0, 1, 1}, {0, 1, 1}),
         {2, 16, 3, 7, 9}},
        {"3x3x3 same", {1, 16, 4, 6, 5}, {16, 16, 3, 3, 3}, params({}, {}, {1, 1, 1}, {1, 1, 1}), {1, 16, 4, 6, 5}},
        {"s2 all", {1, 4, 7, 9, 11}, {6, 4, 3, 3, 3}, params({2, 2, 2}, {}, {1, 1, 1}, {1, 1, 1}), {1, 6, 4, 5, 6}},
        {"s(1,2,2)", {2, 3, 5, 8, 8}, {5, 3, 3, 3, 3}, params({1, 2, 2}, {}, {0, 1, 1}, {0, 0, 0}), {2, 5, 3, 4, 4}},
        {"1x1x1", {1, 32, 3, 4, 5}, {8, 32, 1, 1, 1}, {}, {1, 8, 3, 4, 5}},
        {"depthwise", {1, 8, 4, 5, 6}, {8, 1, 3, 3, 3}, params({}, {}, {1, 1, 1}, {1, 1, 1}, 8), {1, 8, 4, 5, 6}},
        {"dilated", {1, 4, 6, 7, 7}, {4, 4, 2, 3, 3}, params({}, {2, 2, 1}, {}, {}), {1, 4, 4, 3, 5}},
    };
    check_conv_cases(cases);
}

TEST(KernelsConv, NonContiguousInputAndBf16Bias) {
    Tensor big = random_tensor({2, 9, 20}, 7);
    Tensor x = big.slice(1, 1, 7).slice(2, 2, 19);  // [2, 6, 17] strided view
    Tensor w = random_tensor({4, 6, 3}, 8, 0.3f);
    Tensor b = random_tensor({4}, 9, 1.0f, DType::BF16);
    ConvParams p = params({}, {}, {1}, {1});
    Tensor y = conv_nd(x, w, b, p, precision_of(w));
    auto ref = conv_ref(x.contiguous(), w, b, p, y.shape(), false);
    EXPECT_LT(rel_error(y.to_vector(), ref), 1e-5);
}

TEST(KernelsConv, WeightCacheReusedAndDroppedWithWeight) {
    clear_conv_weight_cache();
    Tensor x = random_tensor({1, 32, 4, 8, 8}, 21);
    ConvParams p = params({}, {}, {1, 1, 1}, {1, 1, 1});
    std::vector<float> first;
    {
        Tensor w = random_tensor({32, 32, 3, 3, 3}, 22, 0.1f, DType::BF16);
        first = conv_nd(x, w, Tensor(), p, precision_of(w)).to_vector();
        const size_t n = conv_weight_cache_size();
        EXPECT_LE(n, 1u);  // 0 when oneDNN takes the plain weight layout
        auto again = conv_nd(x, w, Tensor(), p, precision_of(w)).to_vector();
        EXPECT_EQ(conv_weight_cache_size(), n);
        EXPECT_EQ(first, again);
    }
    EXPECT_EQ(conv_weight_cache_size(), 0u);  // the weight's storage is gone
    // A different weight (possibly at the same address) is not served from the stale entry.
    Tensor w2 = random_tensor({32, 32, 3, 3, 3}, 23, 0.1f, DType::BF16);
    Tensor y2 = conv_nd(x, w2, Tensor(), p, precision_of(w2));
    auto ref = conv_ref(x, w2, Tensor(), p, y2.shape(), true);
    EXPECT_LT(rel_error(y2.to_vector(), ref), 1e-5);
    // cache_weights = false gives the same result.
    ConvParams nc = p;
    nc.cache_weights = false;
    EXPECT_EQ(conv_nd(x, w2, Tensor(), nc, precision_of(w2)).to_vector(), y2.to_vector());
    clear_conv_weight_cache();
    EXPECT_EQ(conv_weight_cache_size(), 0u);
}

TEST(KernelsConv, TransposedHifiGanShapes) {
    struct TCase {
        Shape x, w;
        int64_t s, pad, op, d, groups;
    };
    const TCase cases[] = {
        {{1, 16, 20}, {16, 8, 16}, 6, 5, 0, 1, 1},   // HiFi-GAN-like: k16 s6 p5
        {{2, 8, 13}, {8, 4, 15}, 5, 5, 0, 1, 1},     // k15 s5 p5
        {{2, 8, 13}, {8, 4, 15}, 5, 5, 2, 1, 1},     // output_padding
        {{1, 12, 9}, {12, 6, 4}, 2, 1, 1, 1, 1},     // k4 s2 p1 op1
        {{1, 6, 11}, {6, 5, 8}, 4, 2, 0, 1, 1},      // k8 s4 p2
        {{2, 8, 10}, {8, 3, 5}, 3, 2, 0, 2, 2},      // groups, dilation
        {{1, 8, 7}, {8, 1, 4}, 2, 1, 0, 1, 8},       // depthwise
        {{1, 4, 6}, {4, 4, 3}, 1, 0, 0, 1, 1},       // stride 1, no padding
    };
    uint32_t seed = 300;
    for (const auto& c : cases)
        for (DType wt : {DType::F32, DType::BF16})
            for (bool with_bias : {false, true}) {
                ConvTransposeParams p;
                p.strides = {c.s};
                p.pad_before = {c.pad};
                p.pad_after = {c.pad};
                p.output_padding = {c.op};
                p.dilations = {c.d};
                p.groups = c.groups;
                Tensor x = random_tensor(c.x, seed++);
                Tensor w = random_tensor(c.w, seed++, 0.2f, wt);
                Tensor b = with_bias ? random_tensor({c.w[1] * c.groups}, seed++) : Tensor();
                Tensor y = conv_transpose_nd(x, w, b, p, precision_of(w));
                const int64_t L = c.x[2], k = c.w[2];
                const int64_t expect_len = (L - 1) * c.s - 2 * c.pad + c.d * (k - 1) + c.op + 1;
                ASSERT_EQ(y.shape(), (Shape{c.x[0], c.w[1] * c.groups, expect_len}));
                auto ref = conv_transpose_ref(x, w, b, p, y.shape(), wt == DType::BF16);
                EXPECT_LT(rel_error(y.to_vector(), ref), 1e-5)
                    << "k" << k << " s" << c.s << " p" << c.pad << " op" << c.op << " " << dtype_name(wt);
            }
    // The vocoder's first upsampler at a realistic length: 1 s of 16 kHz mel frames style shape.
    ConvTransposeParams p;
    p.strides = {6};
    p.pad_before = {5};
    p.pad_after = {5};
    Tensor x = random_tensor({1, 64, 101}, 400);
    Tensor w = random_tensor({64, 32, 16}, 401, 0.05f, DType::BF16);
    Tensor y = conv_transpose_nd(x, w, Tensor(), p, precision_of(w));
    ASSERT_EQ(y.shape(), (Shape{1, 32, 100 * 6 - 10 + 15 + 1}));
    EXPECT_LT(rel_error(y.to_vector(), conv_transpose_ref(x, w, Tensor(), p, y.shape(), true)), 1e-5);
}

TEST(KernelsConv, Transposed2d) {
    ConvTransposeParams p;
    p.strides = {2, 3};
    p.pad_before = {1, 0};
    p.pad_after = {1, 2};
    p.output_padding = {1, 0};
    Tensor x = random_tensor({2, 6, 5, 4}, 500);
    Tensor w = random_tensor({6, 4, 3, 4}, 501, 0.2f);
    Tensor b = random_tensor({4}, 502);
    Tensor y = conv_transpose_nd(x, w, b, p, precision_of(w));
    ASSERT_EQ(y.shape(), (Shape{2, 4, 4 * 2 - 2 + 2 + 1 + 1, 3 * 3 - 2 + 3 + 1}));
    EXPECT_LT(rel_error(y.to_vector(), conv_transpose_ref(x, w, b, p, y.shape(), false)), 1e-5);
}

TEST(KernelsConv, ShapeErrorsNameExpectedAndGot) {
    auto expect_error = [](auto&& fn, const std::string& needle) {
        try {
            fn();
            ADD_FAILURE() << "no error, expected one mentioning '" << needle << "'";
        } catch (const Error& e) {
            EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
        }
    };
    Tensor x = random_tensor({1, 8, 10}, 1);
    expect_error([&] { conv_nd(x, random_tensor({4, 6, 3}, 2), Tensor(), {}, Precision::F32); }, "(1, 8, 10) has 8");
    expect_error([&] { conv_nd(x, random_tensor({4, 8, 3, 3}, 2), Tensor(), {}, Precision::F32); }, "weight must have 3 dims");
    expect_error([&] { conv_nd(x, random_tensor({4, 8, 3}, 2), random_tensor({5}, 3), {}, Precision::F32); },
                 "bias (5,) does not match 4 output channels");
    expect_error([&] { conv_nd(x, random_tensor({4, 8, 13}, 2), Tensor(), {}, Precision::F32); }, "shorter than the dilated kernel");
    expect_error([&] { conv_nd(x, random_tensor({4, 8, 3}, 2), Tensor(), params({1, 1}, {}, {}, {}), Precision::F32); },
                 "strides needs 1 entries");
    expect_error([&] { conv_nd(x, random_tensor({6, 2, 3}, 2), Tensor(), params({}, {}, {}, {}, 3), Precision::F32); },
                 "not divisible by groups 3");
    expect_error([&] { conv_nd(random_tensor({8, 10}, 1), random_tensor({4, 8, 3}, 2), Tensor(), {}, Precision::F32); },
                 "1 to 3 spatial dims");
    ConvTransposeParams tp;
    tp.strides = {2};
    tp.output_padding = {2};
    expect_error([&] { conv_transpose_nd(x, random_tensor({8, 4, 3}, 2), Tensor(), tp, Precision::F32); },
                 "output_padding [2] must be smaller");
    expect_error([&] { conv_transpose_nd(x, random_tensor({6, 4, 3}, 2), Tensor(), {}, Precision::F32); },
                 "expects 6 input channels, input (1, 8, 10) has 8");
}

TEST(KernelsConv, PadConstantReflectReplicate1d) {
    Tensor x = Tensor::from_f32({1, 1, 4}, {1, 2, 3, 4});
    EXPECT_EQ(pad_nd(x, {2}, {1}, PadMode::Constant, 9.f).to_vector(), (std::vector<float>{9, 9, 1, 2, 3, 4, 9}));
    EXPECT_EQ(pad_nd(x, {3}, {3}, PadMode::Reflect).to_vector(),
              (std::vector<float>{4, 3, 2, 1, 2, 3, 4, 3, 2, 1}));
    EXPECT_EQ(pad_nd(x, {2}, {0}, PadMode::Reflect).to_vector(), (std::vector<float>{3, 2, 1, 2, 3, 4}));
    EXPECT_EQ(pad_nd(x, {2}, {3}, PadMode::Replicate).to_vector(),
              (std::vector<float>{1, 1, 1, 2, 3, 4, 4, 4, 4}));
    EXPECT_EQ(pad_nd(x, {0}, {0}, PadMode::Reflect).to_vector(), (std::vector<float>{1, 2, 3, 4}));
    // Constant with negative pads crops.
    EXPECT_EQ(pad_nd(x, {-1}, {-2}, PadMode::Constant).to_vector(), (std::vector<float>{2}));
    EXPECT_EQ(pad_nd(x, {-1}, {1}, PadMode::Constant).to_vector(), (std::vector<float>{2, 3, 4, 0}));
    // Size-1 dim: replicate fine, reflect impossible.
    Tensor one = Tensor::from_f32({1, 1}, {5});
    EXPECT_EQ(pad_nd(one, {2}, {1}, PadMode::Replicate).to_vector(), (std::vector<float>{5, 5, 5, 5}));
    EXPECT_THROW(pad_nd(one, {1}, {0}, PadMode::Reflect), Error);
}

TEST(KernelsConv, PadReflectErrors) {
    Tensor x = random_tensor({2, 3, 4}, 1);
    try {
        pad_nd(x, {4}, {0}, PadMode::Reflect);
        ADD_FAILURE() << "reflect pad == size accepted";
    } catch (const Error& e) {
        std::string m = e.what();
        EXPECT_NE(m.find("must be smaller"), std::string::npos) << m;
        EXPECT_NE(m.find("size 4"), std::string::npos) << m;
    }
    EXPECT_THROW(pad_nd(x, {0}, {5}, PadMode::Reflect), Error);
    EXPECT_THROW(pad_nd(x, {-1}, {0}, PadMode::Replicate), Error);
    EXPECT_THROW(pad_nd(x, {1, 1}, {1}, PadMode::Constant), Error);
    EXPECT_THROW(pad_nd(x, {1, 1, 1, 1}, {1, 1, 1, 1}, PadMode::Constant), Error);
    EXPECT_THROW(pad_nd(x, {-3}, {-2}, PadMode::Constant), Error);
    EXPECT_NO_THROW(pad_nd(x, {3}, {3}, PadMode::Reflect));
}

TEST(KernelsConv, Pad3dAgainstIndexFormula) {
    // [B, C, T, H, W]: causal time padding by replicating the first frame + reflect in space.
    Tensor x = random_tensor({2, 3, 4, 5, 6}, 77);
    Tensor src = x.slice(4, 0, 6);  // plain view
    const std::vector<int64_t> before{2, 1, 3}, after{0, 2, 1};
    for (PadMode mode : {PadMode::Constant, PadMode::Reflect, PadMode::Replicate}) {
        Tensor y = pad_nd(src, before, after, mode, -7.f);
        ASSERT_EQ(y.shape(), (Shape{2, 3, 6, 8, 10}));
        auto map = [&](int64_t o, int64_t b, int64_t S) -> int64_t {
            int64_t s = o - b;
            if (s >= 0 && s < S) return s;
            if (mode == PadMode::Constant) return -1;
            if (mode == PadMode::Replicate) return s < 0 ? 0 : S - 1;
            return s < 0 ? -s : 2 * (S - 1) - s;
        };
        int bad = 0;
        for (int64_t b = 0; b < 2; ++b)
            for (int64_t c = 0; c < 3; ++c)
                for (int64_t t = 0; t < 6; ++t)
                    for (int64_t h = 0; h < 8; ++h)
                        for (int64_t w = 0; w < 10; ++w) {
                            int64_t st = map(t, 2, 4), sh = map(h, 1, 5), sw = map(w, 3, 6);
                            double expect = (st < 0 || sh < 0 || sw < 0) ? -7.0 : x.at({b, c, st, sh, sw});
                            bad += y.at({b, c, t, h, w}) != expect;
                        }
        EXPECT_EQ(bad, 0) << "mode " << int(mode);
    }
    // Only time (dim -3) padded, as a causal conv3d does; strided (permuted) input.
    Tensor xp = random_tensor({2, 5, 3, 4, 4}, 78).permute({0, 2, 1, 3, 4});  // [2, 3, 5, 4, 4] non-contiguous
    Tensor y = pad_nd(xp, {2, 0, 0}, {0, 0, 0}, PadMode::Replicate);
    ASSERT_EQ(y.shape(), (Shape{2, 3, 7, 4, 4}));
    for (int64_t t = 0; t < 7; ++t)
        EXPECT_EQ(y.at({1, 2, t, 3, 1}), xp.at({1, 2, std::max<int64_t>(0, t - 2), 3, 1}));
    // BF16 keeps its dtype.
    Tensor yb = pad_nd(xp.to(DType::BF16), {1}, {1}, PadMode::Constant, 1.5f);
    EXPECT_EQ(yb.dtype(), DType::BF16);
    EXPECT_EQ(yb.at({0, 0, 0, 0, 0}), 1.5);
    EXPECT_EQ(yb.at({0, 0, 0, 0, 1}), double(round_to_bf16(float(xp.at({0, 0, 0, 0, 0})))));
}
