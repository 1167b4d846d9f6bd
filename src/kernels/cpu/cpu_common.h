#pragma once
// Shared helpers of the CPU kernels: the one oneDNN engine, cached matmul / reorder
// primitives, thread control and bulk f32 <-> bf16 conversion.
#include <cstddef>
#include <cstdint>

#include <dnnl.hpp>

#include "core/precision.h"
#include "core/tensor.h"

namespace ltx2::cpu {

// Threads the kernels use (OpenMP); 0 or negative restores the default (all cores).
void set_kernel_threads(int n);
int kernel_threads();

// Bulk conversions (round to nearest even), parallel over large arrays.
void f32_to_bf16_array(const float* src, uint16_t* dst, size_t n);
void bf16_to_f32_array(const uint16_t* src, float* dst, size_t n);


dnnl::engine& dnnl_engine();
dnnl::stream& dnnl_stream();  // one per thread

// C[M,N] (f32, row stride ldc) (+)= A[M,K] · B[K,N] (+ bias[N] f32).
struct MatmulDesc {
    int64_t M = 0, N = 0, K = 0;
    dnnl::memory::data_type a_dt = dnnl::memory::data_type::f32;
    dnnl::memory::data_type b_dt = dnnl::memory::data_type::f32;
    int64_t lda = 0;        // A[m][k] at a[m·lda + k]
    int64_t ldb = 0;        // B[k][n] at b[k·ldb + n], or b[n·ldb + k] when b_trans
    bool b_trans = false;
    bool b_blocked = false; // B already in the primitive's preferred layout (see packed_b_desc)
    int64_t ldc = 0;
    bool bias = false;
    bool accumulate = false;  // C += A·B
};

struct MatmulPrim;
// Cached primitive for the description (thread safe). Where oneDNN has no BF16 matmul (CPUs
// without AVX-512), a bf16 operand is widened to f32 when the primitive runs: the same exact
// products, accumulated in f32 as the BF16 kernels do.
const MatmulPrim& matmul_primitive(const MatmulDesc& d);
// Runs it; may be called concurrently from several threads (per-thread scratchpad).
void matmul_execute(const MatmulPrim& p, const void* a, const void* b, void* c, const void* bias = nullptr);
// The layout B must be in for a b_blocked primitive, and its byte size.
const dnnl::memory::desc& matmul_b_desc(const MatmulPrim& p);
// Reorders src (any layout described by src_md) into dst (dst_md); cached primitive, thread safe.
void reorder(const dnnl::memory::desc& src_md, const void* src, const dnnl::memory::desc& dst_md, void* dst);

// A 2-D row view of a tensor [..., C] whose rows are uniformly strided and last stride is 1.
struct RowView {
    std::byte* data = nullptr;
    int64_t rows = 0, cols = 0, ld = 0;  // ld in elements
};
RowView row_view(const Tensor& t, const char* what);

// A weight for products at `precision`: itself when stored in its dtype, else a converted copy
// (BF16 → F32 exactly, F32 → BF16 round to nearest even). Other dtypes are returned as they are,
// for the caller's dtype check.
Tensor weight_at_precision(const Tensor& weight, Precision precision);

// A grow-only, 64-byte-aligned buffer, kept between calls so that repeated ops do not page-fault
// fresh memory. The contents are unspecified after reserve().
class ScratchBuffer {
public:
    ScratchBuffer() = default;
    ~ScratchBuffer();
    ScratchBuffer(const ScratchBuffer&) = delete;
    ScratchBuffer& operator=(const ScratchBuffer&) = delete;
    void* reserve(size_t bytes);
    template <class T>
    T* reserve_as(size_t count) {
        return static_cast<T*>(reserve(count * sizeof(T)));
    }

private:
    void* data_ = nullptr;
    size_t size_ = 0;
};

// A thread's kernel workspace, one buffer per use.
struct KernelScratch {
    ScratchBuffer bf16_rows;              // linear / matmul: f32 activation rows rounded to bf16
    ScratchBuffer layout_in, layout_out;  // conv: activations in the primitive's preferred layout
    ScratchBuffer primitive;              // oneDNN's scratchpad of the primitive being run
    ScratchBuffer padded_kv;              // attention: a zero-padded last key / value tile
    ScratchBuffer query_block, scores, softmax, block_output;  // attention: one query block
    ScratchBuffer widened_a, widened_b;   // matmul without BF16 kernels: bf16 operands widened to f32
};
KernelScratch& thread_scratch();

}  // namespace ltx2::cpu
