// linear / matmul against a double-precision reference.
#include <gtest/gtest.h>

#include "core/error.h"
#include "kernels/cpu/linear.h"
#include "test_kernels_util.h"

using namespace ltx2;
using namespace ltx2::cpu;
using namespace ltx2::ktest;

namespace {

// y[m, n] = Σ_k x[m, k]·w[n, k] + b[n], in double; x optionally rounded to bf16 first.
std::vector<double> linear_ref(const Tensor& x2, const Tensor& w, const Tensor& b, bool round_x) {
    const int64_t M = x2.size(0), K = x2.size(1), N = w.size(0);
    std::vector<double> y(size_t(M * N));
    for (int64_t m = 0; m < M; ++m)
        for (int64_t n = 0; n < N; ++n) {
            double s = b.defined() ? b.at({n}) : 0.0;
            for (int64_t k = 0; k < K; ++k) {
                double xv = x2.at({m, k});
                if (round_x) xv = bf16_round(xv);
                s += xv * w.at({n, k});
            }
            y[size_t(m * N + n)] = s;
        }
    return y;
}

struct LinCase {
    int64_t M, N, K;
};

}  // namespace

TEST(KernelsLinear, F32AndBf16WeightsManyShapes) {
    const LinCase cases[] = {{1, 1, 1}, {7, 13, 33}, {64, 96, 130}, {3, 5, 17}, {130, 40, 64}, {1, 300, 257}};
    uint32_t seed = 1;
    for (auto c : cases)
        for (DType wt : {DType::F32, DType::BF16})
            for (bool with_bias : {false, true}) {
                Tensor x = random_tensor({c.M, c.K}, seed++);
                Tensor w = random_tensor({c.N, c.K}, seed++, 0.1f, wt);
                Tensor b = with_bias ? random_tensor({c.N}, seed++, 1.0f, wt) : Tensor();
                Tensor y = linear(x, w, b, precision_of(w));
                ASSERT_EQ(y.shape(), (Shape{c.M, c.N}));
                auto ref = linear_ref(x, w, b, wt == DType::BF16);
                EXPECT_LT(rel_error(y.to_vector(), ref), 2e-6)
                    << c.M << "x" << c.N << "x" << c.K << " " << dtype_name(wt) << " bias " << with_bias;
            }
}

TEST(KernelsLinear, BatchedInputAndStridedWeightAndOutput) {
    // Weight is a slice of a wider fused matrix: rows strided by K + 9.
    Tensor big = random_tensor({40, 51}, 11, 0.2f, DType::BF16);
    Tensor w = big.slice(0, 7, 30).slice(1, 3, 45);  // [23, 42], stride(0) = 51
    Tensor x = random_tensor({2, 5, 42}, 12);
    Tensor bias = random_tensor({23}, 13);
    Tensor out_big = Tensor::zeros({2, 5, 30});
    Tensor y = out_big.slice(2, 4, 27);  // rows strided by 30
    linear_into(x, w, bias, y, precision_of(w));
    auto ref = linear_ref(x.reshape({10, 42}), w, bias, true);
    std::vector<float> got;
    for (int64_t i = 0; i < 10; ++i)
        for (int64_t n = 0; n < 23; ++n) got.push_back(float(y.at({i / 5, i % 5, n})));
    EXPECT_LT(rel_error(got, ref), 2e-6);
    // Columns outside the view untouched.
    EXPECT_EQ(out_big.at({1, 4, 0}), 0.0);
    EXPECT_EQ(out_big.at({1, 4, 29}), 0.0);

    Tensor wf = random_tensor({40, 51}, 14).slice(1, 0, 42);
    Tensor y2 = linear(x, wf, Tensor(), precision_of(wf));
    ASSERT_EQ(y2.shape(), (Shape{2, 5, 40}));
    EXPECT_LT(rel_error(y2.to_vector(), linear_ref(x.reshape({10, 42}), wf, Tensor(), false)), 2e-6);
}

TEST(KernelsLinear, MatmulLayouts) {
    uint32_t seed = 100;
    for (auto [M, N, K] : {std::tuple<int64_t, int64_t, int64_t>{5, 7, 3}, {33, 65, 129}, {128, 64, 16}})
        for (DType at : {DType::F32, DType::BF16})
            for (DType bt : {DType::F32, DType::BF16})
                for (bool btrans : {false, true}) {
                    Tensor abig = random_tensor({M, K + 3}, seed++, 1.0f, at);
                    Tensor a = abig.slice(1, 1, K + 1);  // strided rows
                    Tensor b = btrans ? random_tensor({N, K}, seed++, 1.0f, bt).transpose(0, 1)
                                      : random_tensor({K, N}, seed++, 1.0f, bt);
                    Tensor cbig = Tensor::zeros({M, N + 5});
                    Tensor c = cbig.slice(1, 2, N + 2);
                    matmul(a, b, c);
                    const bool round = at != bt;
                    std::vector<double> ref(size_t(M * N));
                    std::vector<float> got;
                    for (int64_t m = 0; m < M; ++m)
                        for (int64_t n = 0; n < N; ++n) {
                            double s = 0;
                            for (int64_t k = 0; k < K; ++k) {
                                double av = a.at({m, k}), bv = b.at({k, n});
                                if (round) {
                                    av = bf16_round(av);
                                    bv = bf16_round(bv);
                                }
                                s += av * bv;
                            }
                            ref[size_t(m * N + n)] = s;
                            got.push_back(float(c.at({m, n})));
                        }
                    EXPECT_LT(rel_error(got, ref), 2e-6) << M << "x" << N << "x" << K << " A " << dtype_name(at)
                                                         << " B " << dtype_name(bt) << " trans " << btrans;
                }
}

TEST(KernelsLinear, RejectsMismatchedShapes) {
    Tensor x = random_tensor({4, 8}, 1);
    Tensor w = random_tensor({3, 9}, 2);
    EXPECT_THROW(linear(x, w, Tensor(), precision_of(w)), Error);
}
