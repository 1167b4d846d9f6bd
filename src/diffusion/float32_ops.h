#pragma once
// Float32 arithmetic with every intermediate rounded, as torch's CPU kernels do: the
// project builds with -march=native, where the compiler may otherwise fuse a·b + c into
// one FMA (a different rounding from the reference's separate multiply and add).
namespace ltx2::f32 {

// Forces `x` through a float32 register: blocks contraction of the surrounding expression.
inline float round(float x) {
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
    asm("" : "+x"(x));
#elif defined(__GNUC__) && defined(__aarch64__)
    asm("" : "+w"(x));
#else
    volatile float v = x;
    x = v;
#endif
    return x;
}

inline float mul(float a, float b) { return round(a * b); }
inline float add(float a, float b) { return round(a + b); }
inline float sub(float a, float b) { return round(a - b); }
inline float div(float a, float b) { return round(a / b); }

}  // namespace ltx2::f32
