#include "core/torch_rng.h"

#include <cmath>
#include <cstring>
#include <limits>
#include <vector>
#include <numbers>

#include "core/error.h"

// The float32 kernel below reproduces torch's AVX2 build bit for bit: the multiply-adds that build
// fused are written as std::fma, every other product and sum must stay separately rounded, so the
// compiler may not contract anything here (-march=native enables FMA contraction by default).

namespace ltx2 {

namespace {

constexpr uint32_t kMatrixA = 0x9908b0dfu;
constexpr uint32_t kUpperMask = 0x80000000u;
constexpr uint32_t kLowerMask = 0x7fffffffu;

inline uint32_t bits_of(float f) {
    uint32_t u;
    std::memcpy(&u, &f, 4);
    return u;
}
inline float float_of(uint32_t u) {
    float f;
    std::memcpy(&f, &u, 4);
    return f;
}

// --- float32: one lane of avx_mathfun.h's log256_ps (Cephes logf) --------------------------------
float cephes_logf(float x) {
    const bool invalid = !(x > 0.0f);
    x = std::fmax(x, float_of(0x00800000u));  // no denormals
    int32_t e_int = int32_t(bits_of(x) >> 23) - 0x7f;
    x = float_of((bits_of(x) & ~0x7f800000u) | bits_of(0.5f));  // mantissa in [0.5, 1)
    float e = float(e_int);
    e = e + 1.0f;
    const bool small = x < float(0.707106781186547524);
    const float tmp0 = small ? x : 0.0f;
    x = x - 1.0f;
    e = e - (small ? 1.0f : 0.0f);
    x = x + tmp0;

    const float z = x * x;
    float y = float(7.0376836292E-2);
    y = std::fma(y, x, float(-1.1514610310E-1));
    y = std::fma(y, x, float(1.1676998740E-1));
    y = std::fma(y, x, float(-1.2420140846E-1));
    y = std::fma(y, x, float(1.4249322787E-1));
    y = std::fma(y, x, float(-1.6668057665E-1));
    y = std::fma(y, x, float(2.0000714765E-1));
    y = std::fma(y, x, float(-2.4999993993E-1));
    y = std::fma(y, x, float(3.3333331174E-1));
    y = y * x;
    y = std::fma(y, z, e * float(-2.12194440e-4));
    y = std::fma(-z, 0.5f, y);
    x = x + y;
    x = std::fma(e, float(0.693359375), x);
    if (invalid) return std::numeric_limits<float>::quiet_NaN();
    return x;
}

// --- float32: one lane of avx_mathfun.h's sincos256_ps (Cephes sinf/cosf) ----------------------
void cephes_sincosf(float xin, float& s, float& c) {
    uint32_t sign_sin = bits_of(xin) & 0x80000000u;
    float x = float_of(bits_of(xin) & 0x7fffffffu);
    float y = x * float(1.27323954473516);
    int32_t j = int32_t(y);  // truncation (cvttps)
    j = (j + 1) & ~1;
    y = float(j);
    const uint32_t swap_sign_sin = uint32_t(j & 4) << 29;
    const bool poly_mask = (j & 2) == 0;

    x = std::fma(y, float(-0.78515625), x);
    x = std::fma(y, float(-2.4187564849853515625e-4), x);
    x = std::fma(y, float(-3.77489497744594108e-8), x);

    const uint32_t sign_cos = (uint32_t(~(j - 2)) & 4u) << 29;
    sign_sin ^= swap_sign_sin;

    const float z = x * x;
    float yc = float(2.443315711809948E-005);
    yc = std::fma(yc, z, float(-1.388731625493765E-003));
    yc = std::fma(yc, z, float(4.166664568298827E-002));
    yc = yc * z;
    yc = std::fma(yc, z, -(z * 0.5f));
    yc = yc + 1.0f;

    float ys = float(-1.9515295891E-4);
    ys = std::fma(ys, z, float(8.3321608736E-3));
    ys = std::fma(ys, z, float(-1.6666654611E-1));
    ys = ys * z;
    ys = std::fma(ys, x, x);

    const float ysin2 = poly_mask ? ys : 0.0f;
    const float ysin1 = poly_mask ? 0.0f : yc;
    ys = ys - ysin2;
    yc = yc - ysin1;
    const float sv = ysin1 + ysin2;
    const float cv = yc + ys;
    s = float_of(bits_of(sv) ^ sign_sin);
    c = float_of(bits_of(cv) ^ sign_cos);
}

// normal_fill_16_AVX2 with mean 0, std 1: data[0..8) and data[8..16) hold uniforms.
void normal_fill_16_f32(float* data) {
    const float two_pi = float(2.0f * std::numbers::pi_v<double>);
    for (int j = 0; j < 8; ++j) {
        const float u1 = 1.0f - data[j];
        const float u2 = data[j + 8];
        const float radius = std::sqrt(-2.0f * cephes_logf(u1));
        const float theta = two_pi * u2;
        float s, c;
        cephes_sincosf(theta, s, c);
        const float n1 = radius * c;
        const float n2 = radius * s;
        data[j] = std::fma(n1, 1.0f, 0.0f);
        data[j + 8] = std::fma(n2, 1.0f, 0.0f);
    }
}

// --- bfloat16: normal_fill_16<c10::BFloat16>, every BFloat16 operation rounded -----------------
inline float rb(float f) { return round_to_bf16(f); }

void normal_fill_16_bf16(float* data) {  // data holds bf16 values widened to float
    const float mean = 0.0f, stdv = 1.0f;
    for (int j = 0; j < 8; ++j) {
        const float u1 = rb(1.0f - data[j]);
        const float u2 = data[j + 8];
        // std::log / std::sqrt / std::cos / std::sin on BFloat16 return BFloat16 (BFloat16-math.h),
        // int * BFloat16 and BFloat16 * BFloat16 are BFloat16.
        const float radius = rb(std::sqrt(rb(-2.0f * rb(std::log(u1)))));
        // 2.0f * pi<double> * u2 is a double, narrowed to float and then to BFloat16.
        const float theta = rb(float(2.0 * std::numbers::pi_v<double> * double(u2)));
        data[j] = rb(rb(rb(radius * rb(std::cos(theta))) * stdv) + mean);
        data[j + 8] = rb(rb(rb(radius * rb(std::sin(theta))) * stdv) + mean);
    }
}

}  // namespace

TorchGenerator::TorchGenerator(uint64_t seed) { manual_seed(seed); }

void TorchGenerator::manual_seed(uint64_t seed) {
    seed_ = seed;
    next_double_normal_.reset();
    state_[0] = uint32_t(seed & 0xffffffffu);
    for (int j = 1; j < kN; ++j)
        state_[j] = 1812433253u * (state_[j - 1] ^ (state_[j - 1] >> 30)) + uint32_t(j);
    index_ = kN;
}

void TorchGenerator::twist() {
    for (int i = 0; i < kN; ++i) {
        const uint32_t y = (state_[i] & kUpperMask) | (state_[(i + 1) % kN] & kLowerMask);
        state_[i] = state_[(i + 397) % kN] ^ (y >> 1) ^ ((y & 1u) ? kMatrixA : 0u);
    }
    index_ = 0;
}

uint32_t TorchGenerator::random() {
    if (index_ >= kN) twist();
    uint32_t y = state_[index_++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    y ^= y >> 18;
    return y;
}

uint64_t TorchGenerator::random64() {
    const uint32_t hi = random();
    const uint32_t lo = random();
    return (uint64_t(hi) << 32) | lo;
}

float TorchGenerator::uniform_float() {
    return float(random() & ((1u << 24) - 1)) * (1.0f / float(1u << 24));
}

double TorchGenerator::uniform_double() {
    return double(random64() & ((uint64_t(1) << 53) - 1)) * (1.0 / double(uint64_t(1) << 53));
}

double TorchGenerator::normal_double() {
    if (next_double_normal_) {
        const double v = *next_double_normal_;
        next_double_normal_.reset();
        return v;
    }
    const double u1 = uniform_double();
    const double u2 = uniform_double();
    const double r = std::sqrt(-2.0 * std::log(1.0 - u2));
    const double theta = 2.0 * std::numbers::pi_v<double> * u1;
    next_double_normal_ = r * std::sin(theta);
    return r * std::cos(theta);
}

void TorchGenerator::randn_f32(float* out, int64_t n) {
    if (n <= 0) return;
    if (n < 16) {
        for (int64_t i = 0; i < n; ++i) out[i] = float(normal_double() * 1.0 + 0.0);
        return;
    }
    for (int64_t i = 0; i < n; ++i) out[i] = uniform_float();
    for (int64_t i = 0; i + 16 <= n; i += 16) normal_fill_16_f32(out + i);
    if (n % 16 != 0) {
        float* tail = out + n - 16;
        for (int i = 0; i < 16; ++i) tail[i] = uniform_float();
        normal_fill_16_f32(tail);
    }
}

void TorchGenerator::randn_bf16(uint16_t* out, int64_t n) {
    if (n <= 0) return;
    if (n < 16) {
        // static_cast<BFloat16>(double): narrowed to float, then rounded to bf16.
        for (int64_t i = 0; i < n; ++i) out[i] = f32_to_bf16(float(normal_double() * 1.0 + 0.0));
        return;
    }
    auto uniform_bf16 = [this] { return float(random() & 255u) * (1.0f / 256.0f); };
    std::vector<float> buf(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) buf[size_t(i)] = uniform_bf16();
    for (int64_t i = 0; i + 16 <= n; i += 16) normal_fill_16_bf16(buf.data() + i);
    if (n % 16 != 0) {
        float* tail = buf.data() + n - 16;
        for (int i = 0; i < 16; ++i) tail[i] = uniform_bf16();
        normal_fill_16_bf16(tail);
    }
    for (int64_t i = 0; i < n; ++i) out[i] = f32_to_bf16(buf[size_t(i)]);
}

Tensor TorchGenerator::randn(const Shape& shape, DType dtype) {
    LTX2_CHECK(dtype == DType::F32 || dtype == DType::BF16,
               "TorchGenerator::randn: unsupported dtype {} for shape {} (only F32 and BF16 are reproduced)",
               dtype_name(dtype), shape_str(shape));
    // Drawn on the host, as torch's CPU generator does, then moved to where new tensors go.
    Tensor t = Tensor::empty(shape, dtype, Device::Cpu);
    if (dtype == DType::F32)
        randn_f32(t.f32(), t.numel());
    else
        randn_bf16(t.bf16(), t.numel());
    return t.to_device(default_device());
}

}  // namespace ltx2
