#include "kernels/cpu/cpu_common.h"

#include <omp.h>

#include <cstdlib>
#include <cstring>
#include <array>
#include <map>
#include <unordered_map>
#include <memory>
#include <mutex>
#include <vector>

#include "core/error.h"
#include "kernels/cpu/avx512_bf16.h"
#include "kernels/cpu/cpu_isa.h"

namespace ltx2::cpu {

namespace {
int g_default_threads = 0;
}

void set_kernel_threads(int n) {
    if (g_default_threads == 0) g_default_threads = omp_get_max_threads();
    omp_set_num_threads(n > 0 ? n : g_default_threads);
}

int kernel_threads() { return omp_get_max_threads(); }

void f32_to_bf16_array(const float* src, uint16_t* dst, size_t n) {
    const bool hardware = cpu_isa().avx512_bf16;
    auto body = [&](size_t b, size_t e) {
        if (hardware)
            f32_to_bf16_avx512_bf16(src + b, dst + b, e - b);
        else
            for (size_t i = b; i < e; ++i) dst[i] = f32_to_bf16(src[i]);
    };
    if (n < (1u << 16) || omp_in_parallel()) {
        body(0, n);
        return;
    }
#pragma omp parallel
    {
        int nt = omp_get_num_threads(), t = omp_get_thread_num();
        size_t chunk = ((n + nt - 1) / nt + 31) & ~size_t(31);
        size_t b = std::min(n, chunk * t), e = std::min(n, b + chunk);
        body(b, e);
    }
}

void bf16_to_f32_array(const uint16_t* src, float* dst, size_t n) {
#pragma omp parallel for schedule(static) if (n >= (1u << 16) && !omp_in_parallel())
    for (size_t i = 0; i < n; ++i) dst[i] = bf16_to_f32(src[i]);
}


using dt = dnnl::memory::data_type;

dnnl::engine& dnnl_engine() {
    static dnnl::engine eng = (static_cast<void>(cpu_isa()), dnnl::engine(dnnl::engine::kind::cpu, 0));
    return eng;
}

dnnl::stream& dnnl_stream() {
    thread_local dnnl::stream s(dnnl_engine());
    return s;
}

ScratchBuffer::~ScratchBuffer() { std::free(data_); }

void* ScratchBuffer::reserve(size_t bytes) {
    if (size_ < bytes) {
        std::free(data_);
        data_ = nullptr;
        size_ = 0;
        const size_t rounded = (bytes + 4095) & ~size_t(4095);
        data_ = std::aligned_alloc(64, rounded);
        LTX2_CHECK(data_ != nullptr, "out of memory allocating {} bytes of kernel scratch", rounded);
        size_ = rounded;
    }
    return data_;
}

KernelScratch& thread_scratch() {
    thread_local KernelScratch scratch;
    return scratch;
}

struct MatmulPrim {
    dnnl::matmul prim;
    dnnl::memory::desc a_md, b_md, c_md, bias_md;  // the caller's buffers
    size_t scratch_bytes = 0;
    // Without BF16 kernels: the bf16 operands are widened into f32 rows of these shapes first.
    struct Widened {
        bool on = false;
        int64_t rows = 0, cols = 0, ld = 0;  // the caller's rows: `rows` of `cols` values, `ld` apart
        dnnl::memory::desc md;               // the dense f32 rows the primitive reads
    } widened_a, widened_b;
};

namespace {

using Key = std::array<int64_t, 13>;

Key key_of(const MatmulDesc& d) {
    return {d.M, d.N, d.K, int64_t(d.a_dt), int64_t(d.b_dt), d.lda, d.ldb, d.b_trans, d.b_blocked, d.ldc,
            d.bias, d.accumulate, 0};
}

std::mutex g_mutex;
std::map<Key, std::unique_ptr<MatmulPrim>> g_matmuls;

using md = dnnl::memory::desc;

// Creates p->prim for A and B of these descriptions; B's final layout goes to *b_final.
void create_matmul(MatmulPrim& p, const MatmulDesc& d, const md& a_md, const md& b_md, md* b_final) {
    dnnl::primitive_attr attr;
    attr.set_scratchpad_mode(dnnl::scratchpad_mode::user);
    if (d.accumulate) {
        dnnl::post_ops ops;
        ops.append_sum(1.0f);
        attr.set_post_ops(ops);
    }
    dnnl::matmul::desc desc = d.bias ? dnnl::matmul::desc(a_md, b_md, p.bias_md, p.c_md)
                                     : dnnl::matmul::desc(a_md, b_md, p.c_md);
    dnnl::matmul::primitive_desc pd(desc, attr, dnnl_engine());
    *b_final = pd.weights_desc();
    p.scratch_bytes = pd.scratchpad_desc().get_size();
    p.prim = dnnl::matmul(pd);
}

// The f32 primitive that stands in for a BF16 one: bf16 A becomes dense f32 rows; bf16 B becomes
// dense f32 in its own orientation, and a "blocked" B is handed over as plain row-major bf16.
void create_widening_matmul(MatmulPrim& p, const MatmulDesc& d) {
    md a_exec = p.a_md, b_exec;
    if (d.a_dt == dt::bf16) {
        p.widened_a = {true, d.M, d.K, d.lda, md({d.M, d.K}, dt::f32, {d.K, 1})};
        a_exec = p.widened_a.md;
    }
    if (d.b_dt == dt::bf16) {
        if (d.b_blocked) p.b_md = md({d.K, d.N}, dt::bf16, {d.N, 1});
        p.widened_b = d.b_trans && !d.b_blocked
                          ? MatmulPrim::Widened{true, d.N, d.K, d.ldb, md({d.K, d.N}, dt::f32, {1, d.K})}
                          : MatmulPrim::Widened{true, d.K, d.N, d.b_blocked ? d.N : d.ldb,
                                                md({d.K, d.N}, dt::f32, {d.N, 1})};
        b_exec = p.widened_b.md;
    } else {
        b_exec = d.b_blocked ? md({d.K, d.N}, d.b_dt, dnnl::memory::format_tag::any) : p.b_md;
    }
    md b_final;
    create_matmul(p, d, a_exec, b_exec, &b_final);
    if (!p.widened_b.on) p.b_md = b_final;
}

const float* widen(const MatmulPrim::Widened& w, const void* src, ScratchBuffer& buffer) {
    float* dst = buffer.reserve_as<float>(size_t(w.rows * w.cols));
    const auto* s = static_cast<const uint16_t*>(src);
    if (w.ld == w.cols) {  // dense: one array
        bf16_to_f32_array(s, dst, size_t(w.rows * w.cols));
        return dst;
    }
#pragma omp parallel for schedule(static) if (w.rows * w.cols >= (1 << 16) && !omp_in_parallel())
    for (int64_t r = 0; r < w.rows; ++r) bf16_to_f32_array(s + r * w.ld, dst + r * w.cols, size_t(w.cols));
    return dst;
}

}  // namespace

const MatmulPrim& matmul_primitive(const MatmulDesc& d) {
    Key key = key_of(d);
    std::lock_guard<std::mutex> lock(g_mutex);
    auto it = g_matmuls.find(key);
    if (it != g_matmuls.end()) return *it->second;

    auto p = std::make_unique<MatmulPrim>();
    p->a_md = md({d.M, d.K}, d.a_dt, {d.lda, 1});
    p->b_md = d.b_blocked ? md({d.K, d.N}, d.b_dt, dnnl::memory::format_tag::any)
                          : (d.b_trans ? md({d.K, d.N}, d.b_dt, {1, d.ldb}) : md({d.K, d.N}, d.b_dt, {d.ldb, 1}));
    p->c_md = md({d.M, d.N}, dt::f32, {d.ldc, 1});
    if (d.bias) p->bias_md = md({1, d.N}, dt::f32, {d.N, 1});
    try {
        create_matmul(*p, d, p->a_md, p->b_md, &p->b_md);
    } catch (const dnnl::error& e) {
        const bool has_bf16 = d.a_dt == dt::bf16 || d.b_dt == dt::bf16;
        try {
            if (!has_bf16) throw;
            create_widening_matmul(*p, d);
        } catch (const dnnl::error&) {
            fail("oneDNN matmul {}x{}x{} (lda {}, ldb {}, ldc {}): {}", d.M, d.N, d.K, d.lda, d.ldb, d.ldc, e.what());
        }
    }
    auto& ref = *p;
    g_matmuls.emplace(key, std::move(p));
    return ref;
}

const dnnl::memory::desc& matmul_b_desc(const MatmulPrim& p) { return p.b_md; }

void matmul_execute(const MatmulPrim& p, const void* a, const void* b, void* c, const void* bias) {
    auto& eng = dnnl_engine();
    if (p.widened_a.on) a = widen(p.widened_a, a, thread_scratch().widened_a);
    if (p.widened_b.on) b = widen(p.widened_b, b, thread_scratch().widened_b);
    dnnl::memory am(p.widened_a.on ? p.widened_a.md : p.a_md, eng, const_cast<void*>(a));
    dnnl::memory bm(p.widened_b.on ? p.widened_b.md : p.b_md, eng, const_cast<void*>(b));
    dnnl::memory cm(p.c_md, eng, c);
    std::unordered_map<int, dnnl::memory> args{{DNNL_ARG_SRC, am}, {DNNL_ARG_WEIGHTS, bm}, {DNNL_ARG_DST, cm}};
    if (bias) args.emplace(DNNL_ARG_BIAS, dnnl::memory(p.bias_md, eng, const_cast<void*>(bias)));
    if (p.scratch_bytes) {
        dnnl::memory::desc smd({int64_t(p.scratch_bytes)}, dt::u8, {1});
        args.emplace(DNNL_ARG_SCRATCHPAD, dnnl::memory(smd, eng, thread_scratch().primitive.reserve(p.scratch_bytes)));
    }
    auto& s = dnnl_stream();
    p.prim.execute(s, args);
    s.wait();
}

namespace {
struct ReorderEntry {
    dnnl::memory::desc src, dst;
    dnnl::reorder prim;
};
std::mutex g_reorder_mutex;
std::vector<std::unique_ptr<ReorderEntry>> g_reorders;
}  // namespace

void reorder(const dnnl::memory::desc& src_md, const void* src, const dnnl::memory::desc& dst_md, void* dst) {
    ReorderEntry* entry = nullptr;
    {
        std::lock_guard<std::mutex> lock(g_reorder_mutex);
        for (auto& e : g_reorders)
            if (e->src == src_md && e->dst == dst_md) {
                entry = e.get();
                break;
            }
        if (!entry) {
            auto e = std::make_unique<ReorderEntry>();
            e->src = src_md;
            e->dst = dst_md;
            auto& eng = dnnl_engine();
            e->prim = dnnl::reorder(dnnl::reorder::primitive_desc(eng, src_md, eng, dst_md));
            entry = e.get();
            g_reorders.push_back(std::move(e));
        }
    }
    auto& eng = dnnl_engine();
    dnnl::memory sm(src_md, eng, const_cast<void*>(src));
    dnnl::memory dm(dst_md, eng, dst);
    auto& s = dnnl_stream();
    entry->prim.execute(s, sm, dm);
    s.wait();
}

Tensor weight_at_precision(const Tensor& weight, Precision precision) {
    const DType target = precision == Precision::BF16 ? DType::BF16 : DType::F32;
    const bool convertible = weight.dtype() == DType::F32 || weight.dtype() == DType::BF16;
    return convertible && weight.dtype() != target ? weight.to(target) : weight;
}

RowView row_view(const Tensor& t, const char* what) {
    LTX2_CHECK(t.defined(), "{}: tensor is undefined", what);
    LTX2_CHECK(t.dim() >= 1, "{}: expected at least 1 dimension", what);
    int nd = t.dim();
    RowView v;
    v.data = reinterpret_cast<std::byte*>(t.raw());
    v.cols = t.size(-1);
    LTX2_CHECK(t.stride(-1) == 1 || v.cols == 1, "{}: last dimension of {} must have stride 1", what,
               shape_str(t.shape()));
    v.rows = 1;
    v.ld = v.cols;
    // Collapse dims [0, nd-1) into rows with one uniform stride.
    int64_t expected = -1;
    for (int d = nd - 2; d >= 0; --d) {
        if (t.size(d) == 1) continue;
        if (expected < 0) {
            v.ld = t.stride(d);
        } else {
            LTX2_CHECK(t.stride(d) == expected, "{}: rows of {} are not uniformly strided", what,
                       shape_str(t.shape()));
        }
        expected = t.stride(d) * t.size(d);
        v.rows *= t.size(d);
    }
    return v;
}

}  // namespace ltx2::cpu
